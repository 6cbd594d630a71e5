import { randomUUID } from "node:crypto";
import { migrationsDirOf } from "@comptoir/platform";
import { applyMigrations, migrate, readMigrations } from "@comptoir/platform/db";
import { createTestDatabase } from "@comptoir/testing";
import { describe, expect, it } from "vitest";

const validEan13 = (code: string) =>
  /^\d{13}$/.test(code) && [...code].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0) % 10 === 0;

describe("migration 003 (VAT rates and barcodes)", () => {
  it("puts existing products at 20 %, gives every variant without a barcode an in-store EAN-13, and rewrites the documents", async () => {
    const dir = migrationsDirOf(import.meta.url);
    const database = await createTestDatabase("catalog_migration_003");
    try {
      const db = database.db;
      await applyMigrations(
        db,
        (await readMigrations(dir)).filter((m) => m.version < "003"),
      );
      const category = randomUUID();
      const product = randomUUID();
      await db.query("INSERT INTO categories (id, name, slug) VALUES ($1, 'Robes', 'robes')", [category]);
      await db.query(
        "INSERT INTO products (id, category_id, name, slug, status) VALUES ($1, $2, 'Robe', 'robe', 'active')",
        [product, category],
      );
      // Two variants without a barcode, one with; one of the in-store codes already taken by hand.
      const taken = "2000000000015"; // the sequence's first code
      const variants = [randomUUID(), randomUUID(), randomUUID()];
      await db.query(
        `INSERT INTO variants (id, product_id, sku, price, barcode, position)
         VALUES ($1, $4, 'A', 100, NULL, 0), ($2, $4, 'B', 100, $5, 1), ($3, $4, 'C', 100, NULL, 2)`,
        [...variants, product, taken],
      );
      await db.query("UPDATE products SET document = product_document(id)");

      await migrate(db, dir);
      const { rows } = await db.query("SELECT sku, barcode FROM variants ORDER BY sku");
      expect(rows.map((r) => r.sku)).toEqual(["A", "B", "C"]);
      expect(rows[1].barcode).toBe(taken);
      for (const { barcode } of rows) {
        expect(barcode).toMatch(/^2/);
        expect(validEan13(barcode)).toBe(true);
      }
      expect(new Set(rows.map((r) => r.barcode)).size).toBe(3);
      const doc = JSON.parse(
        (await db.query("SELECT document FROM products WHERE id = $1", [product])).rows[0].document,
      );
      expect(doc.vatRate).toBe(2000);
      expect(doc.variants.map((v: { vatRate: number; barcode: string }) => [v.vatRate, v.barcode])).toEqual(
        rows.map((r) => [2000, r.barcode]),
      );
      await expect(db.query("UPDATE products SET vat_rate = 1900")).rejects.toThrow(/check constraint/);
      await expect(db.query("UPDATE variants SET barcode = NULL")).rejects.toThrow(/null value/);
    } finally {
      await database.drop();
    }
  });
});

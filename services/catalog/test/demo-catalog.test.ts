import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createPool } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoBarcode, seedDemoCatalog } from "../src/seed/demo-catalog";
import { count, expectDocumentsFresh, type Harness, outboxRows, resetCatalog, startCatalog } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startCatalog("demo");
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ db: h.db, outbox: h.bus.outbox, imagesDir: h.imagesDir });

async function expectDemoCounts() {
  expect(await count(h, "categories")).toBe(33);
  expect(await count(h, "products")).toBe(63);
  expect(await count(h, "variants")).toBe(156);
  expect(await count(h, "product_images")).toBe(63);
  expect(await count(h, "seed_markers")).toBe(1);
}

describe("the demo catalog", () => {
  it("seeds a three-level tree, 63 active products, 156 variants and an image each, once", async () => {
    await resetCatalog(h);
    const first = await seedDemoCatalog(deps());
    expect(first).toEqual({ created: true, categories: 33, products: 63, variants: 156 });
    await expectDemoCounts();
    await expectDocumentsFresh(h);

    // Every product sits in a leaf at depth 3.
    const { rows } = await h.db.query(`
      SELECT DISTINCT (SELECT count(*) FROM categories x WHERE x.parent_id = c.id)::int AS children,
             (c.parent_id IS NOT NULL AND (SELECT parent_id FROM categories WHERE id = c.parent_id) IS NOT NULL
               AND (SELECT p2.parent_id FROM categories p1 JOIN categories p2 ON p2.id = p1.parent_id WHERE p1.id = c.parent_id) IS NULL) AS depth3
        FROM products p JOIN categories c ON c.id = p.category_id`);
    expect(rows).toEqual([{ children: 0, depth3: true }]);

    const list = await h.anonymous.get("/api/catalog/products?limit=100");
    expect(list.body.pagination.total).toBe(63);
    const robe = list.body.data.find((p: { name: string }) => p.name === "Robe portefeuille en lin");
    expect(robe).toMatchObject({ brand: "Atelier Garance", status: "active" });
    expect(robe.variants.map((v: { sku: string; price: number }) => [v.sku, v.price])).toEqual([
      ["ROB-01-XS", 8900],
      ["ROB-01-S", 8900],
      ["ROB-01-M", 8900],
      ["ROB-01-L", 8900],
    ]);
    expect(robe.images).toHaveLength(1);
    // The grocery at 5.5 %, everything else at 20 %; every variant with a valid EAN-13 of its own.
    const rates = await h.db.query(`
      SELECT u.slug, array_agg(DISTINCT p.vat_rate) AS rates
        FROM products p JOIN categories l ON l.id = p.category_id JOIN categories b ON b.id = l.parent_id
        JOIN categories u ON u.id = b.parent_id GROUP BY u.slug ORDER BY u.slug`);
    expect(rates.rows).toEqual([
      { slug: "epicerie", rates: [550] },
      { slug: "maison", rates: [2000] },
      { slug: "mode", rates: [2000] },
    ]);
    expect(robe).toMatchObject({ vatRate: 2000 });
    expect(robe.variants.every((v: { vatRate: number }) => v.vatRate === 2000)).toBe(true);
    const barcodes = await h.db.query("SELECT barcode FROM variants");
    expect(new Set(barcodes.rows.map((r) => r.barcode)).size).toBe(156);
    for (const { barcode } of barcodes.rows) {
      expect(barcode).toMatch(/^\d{13}$/);
      const sum = [...barcode].reduce((s: number, d: string, i: number) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
      expect(sum % 10).toBe(0);
    }
    const image = await fetch(`${h.base}/api${robe.images[0].thumbnailUrl.replace("/images/", "/catalog/images/")}`);
    expect(image.status).toBe(200);
    expect(await readdir(join(h.imagesDir, "catalog", robe.id))).toHaveLength(2);

    // Inventory learns every variant; every event matches its contract (outboxRows checks).
    const events = await outboxRows(h);
    expect(events.filter((e) => e.type === "catalog.product.created")).toHaveLength(63);
    expect(events.filter((e) => e.type === "catalog.variant.created")).toHaveLength(156);
    // Marked as the demo catalog's: inventory gives demo stock to these only.
    expect(events.filter((e) => e.type === "catalog.variant.created" && e.data.demo === true)).toHaveLength(156);
    expect(events.filter((e) => e.type === "catalog.category.created")).toHaveLength(33);
    expect(events.find((e) => e.subject === robe.id)!.data.images).toHaveLength(1);

    const again = await seedDemoCatalog(deps());
    expect(again.created).toBe(false);
    await expectDemoCounts();
    expect(await outboxRows(h)).toHaveLength(events.length);
  });

  it("two instances seeding at the same time create it once", async () => {
    await resetCatalog(h);
    const other = createPool(h.testbed.database.url, { max: 2 });
    try {
      const results = await Promise.all([seedDemoCatalog(deps()), seedDemoCatalog({ ...deps(), db: other })]);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    } finally {
      await other.end();
    }
    await expectDemoCounts();
    const { rows } = await h.db.query("SELECT count(DISTINCT slug)::int AS n FROM products");
    expect(rows[0].n).toBe(63);
  });

  it("gives valid, distinct EAN-13 barcodes", () => {
    expect(demoBarcode(1)).toMatch(/^376\d{10}$/);
    const codes = Array.from({ length: 200 }, (_, i) => demoBarcode(i + 1));
    expect(new Set(codes).size).toBe(200);
    for (const code of codes) {
      const sum = [...code].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
      expect(sum % 10).toBe(0);
    }
  });
});

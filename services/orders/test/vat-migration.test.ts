import { randomUUID } from "node:crypto";
import { vatBreakdown } from "@comptoir/contracts";
import { migrationsDirOf } from "@comptoir/platform";
import { applyMigrations, migrate, readMigrations } from "@comptoir/platform/db";
import { createTestDatabase } from "@comptoir/testing";
import { describe, expect, it } from "vitest";

describe("migration 004 (VAT on orders)", () => {
  it("gives orders placed before it lines at 20 % and a 20 % breakdown of their whole total, shipping included", async () => {
    const dir = migrationsDirOf(import.meta.url);
    const database = await createTestDatabase("orders_migration_004");
    try {
      const db = database.db;
      await applyMigrations(
        db,
        (await readMigrations(dir)).filter((m) => m.version < "004"),
      );
      // Orders as the previous version wrote them: lines without a rate, no breakdown.
      const line = (unitPrice: number, quantity: number) => ({
        variantId: randomUUID(),
        productId: randomUUID(),
        sku: `OLD-${unitPrice}`,
        name: "Pull",
        quantity,
        unitPrice,
      });
      const orders = [
        { id: randomUUID(), lines: [line(1500, 2), line(999, 1)], subtotal: 3999, shipping: 490 },
        { id: randomUUID(), lines: [line(3, 1)], subtotal: 3, shipping: 0 }, // exactly half a cent: rounds up
        { id: randomUUID(), lines: [line(100_000_000, 999)], subtotal: 99_900_000_000, shipping: 100_000_000 },
      ];
      for (const o of orders) {
        await db.query(
          `INSERT INTO orders (id, checkout_id, email, language, channel, status, lines, subtotal, shipping, total,
                               currency, reservation_id, allocation, payment_id)
           VALUES ($1, $2, 'a@example.com', 'fr', 'online', 'paid', $3, $4, $5, $6, 'EUR', $7, '[]', $8)`,
          [
            o.id,
            randomUUID(),
            JSON.stringify(o.lines),
            o.subtotal,
            o.shipping,
            o.subtotal + o.shipping,
            randomUUID(),
            randomUUID(),
          ],
        );
      }

      await migrate(db, dir);
      for (const o of orders) {
        const { rows } = await db.query("SELECT lines, vat FROM orders WHERE id = $1", [o.id]);
        const total = o.subtotal + o.shipping;
        expect(rows[0].lines).toEqual(o.lines.map((l) => ({ ...l, vatRate: 2000 })));
        // The same as vatBreakdown computes for the whole total at 20 %: it adds up to the total.
        expect(rows[0].vat).toEqual(vatBreakdown([{ vatRate: 2000, total }]));
        expect(rows[0].vat[0].base + rows[0].vat[0].vat).toBe(total);
      }
      const { rows } = await db.query("SELECT vat FROM orders WHERE id = $1", [orders[1]!.id]);
      expect(rows[0].vat).toEqual([{ rate: 2000, base: 3, vat: 0, total: 3 }]);
      // From now on an order without its breakdown is refused.
      await expect(
        db.query(
          `INSERT INTO orders (id, checkout_id, email, language, channel, status, lines, subtotal, shipping, total,
                               currency, reservation_id, allocation, payment_id)
           VALUES ($1, $2, 'a@example.com', 'fr', 'online', 'paid', '[]', 0, 0, 0, 'EUR', $3, '[]', $4)`,
          [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
        ),
      ).rejects.toThrow(/null value in column "vat"/);
    } finally {
      await database.drop();
    }
  });
});

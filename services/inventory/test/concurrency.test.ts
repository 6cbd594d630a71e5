import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CENTRAL,
  type Inventory,
  knownVariant,
  ledgerSum,
  level,
  ONLINE,
  receive,
  startInventory,
} from "./support/harness";

let inv: Inventory;

beforeAll(async () => {
  inv = await startInventory("concurrency");
});
afterAll(async () => inv?.close());

/** Samples a level while requests run: it must never be seen out of bounds. */
function watch(variantId: string) {
  const seen: { onHand: number; reserved: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const { rows } = await inv.database.db.query("SELECT on_hand, reserved FROM stock_levels WHERE variant_id = $1", [
        variantId,
      ]);
      for (const r of rows) seen.push({ onHand: r.on_hand, reserved: r.reserved });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    running = false;
    await done;
    return seen;
  };
}

describe("stock never oversells under concurrency", () => {
  it("200 concurrent reservations and sales against 20 units: exactly 20 leave, never below zero, ledger = level", async () => {
    const variant = await knownVariant(inv);
    await receive(inv, variant, ONLINE, 20);
    const stop = watch(variant);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        if (i % 2 === 0) {
          const res = await inv.admin.post("/api/inventory/stock/adjust", {
            variantId: variant,
            locationId: ONLINE,
            changeQuantity: -1,
            type: "sale",
            reason: `till ${i}`,
          });
          expect([201, 400]).toContain(res.status);
          return res.status === 201 ? 1 : 0;
        }
        const res = await inv.admin.post("/api/inventory/reservations", {
          reference: `race-${variant}-${i}`,
          locationId: ONLINE,
          items: [{ variantId: variant, quantity: 1 }],
        });
        expect([201, 409]).toContain(res.status);
        if (res.status !== 201) return 0;
        const commit = await inv.admin.post(`/api/inventory/reservations/${res.body.id}/commit`);
        expect(commit.status).toBe(200);
        return 1;
      }),
    );
    const seen = await stop();
    expect(results.reduce<number>((a, b) => a + b, 0)).toBe(20);
    expect(await level(inv, variant, ONLINE)).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    expect(await ledgerSum(inv, variant, ONLINE)).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(s.onHand).toBeGreaterThanOrEqual(0);
      expect(s.reserved).toBeGreaterThanOrEqual(0);
      expect(s.reserved).toBeLessThanOrEqual(s.onHand);
    }
    const { rows } = await inv.database.db.query(
      "SELECT count(*)::int AS n, coalesce(sum(quantity), 0)::int AS total FROM stock_movements WHERE variant_id = $1 AND quantity < 0",
      [variant],
    );
    expect(rows[0]).toEqual({ n: 20, total: -20 });
  });

  it("200 concurrent multi-line reservations over two hot variants and two locations: no deadlock, nothing over-reserved", async () => {
    const a = await knownVariant(inv);
    const b = await knownVariant(inv);
    for (const v of [a, b]) {
      await receive(inv, v, ONLINE, 10);
      await receive(inv, v, CENTRAL, 10);
    }
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        // Items in both orders, so that careless locking would deadlock.
        const items =
          i % 2
            ? [
                { variantId: a, quantity: 1 },
                { variantId: b, quantity: 1 },
              ]
            : [
                { variantId: b, quantity: 1 },
                { variantId: a, quantity: 1 },
              ];
        const res = await inv.admin.post("/api/inventory/reservations", { reference: `multi-${a}-${i}`, items });
        expect([201, 409], JSON.stringify(res.body)).toContain(res.status);
        return res.status === 201 ? 1 : 0;
      }),
    );
    expect(results.reduce<number>((x, y) => x + y, 0)).toBe(20);
    for (const v of [a, b]) {
      for (const l of [ONLINE, CENTRAL])
        expect(await level(inv, v, l)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    }
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([]);
  });
});

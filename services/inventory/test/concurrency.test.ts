import type { Db } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM } from "../src/model/actor";
import { adjustStock } from "../src/domain/stock.use-cases";
import {
  CENTRAL,
  expectProblem,
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
      const { rows } = await inv.db.query("SELECT on_hand, reserved FROM stock_levels WHERE variant_id = $1", [
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
    const { rows } = await inv.db.query(
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

/**
 * A sale that has taken its stock (its level row locked) and waits to commit until told: what a
 * reservation meets when the stock goes between its unlocked read and its hold.
 */
async function uncommittedSale(variantId: string, locationId: string, quantity: number) {
  let reachedCommit!: () => void;
  const reached = new Promise<void>((resolve) => (reachedCommit = resolve));
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const passThrough = (target: any, p: string | symbol) =>
    typeof target[p] === "function" ? target[p].bind(target) : target[p];
  const gated = (client: any) =>
    new Proxy(client, {
      get: (c, p) =>
        p === "query"
          ? async (text: unknown, ...rest: unknown[]) => {
              if (text === "COMMIT") {
                reachedCommit();
                await gate;
              }
              return c.query(text, ...rest);
            }
          : passThrough(c, p),
    });
  const db = new Proxy(inv.deps.db, {
    get: (pool, p) => (p === "connect" ? async () => gated(await pool.connect()) : passThrough(pool, p)),
  }) as Db;
  const sale = adjustStock({ ...inv.deps, db }, SYSTEM, {
    variantId,
    locationId,
    changeQuantity: -quantity,
    type: "sale",
    reason: "till",
  });
  await reached;
  return async () => {
    openGate();
    await sale;
  };
}

/** Resolves once a request of this test's database waits on a row lock (the sale's). */
async function someoneWaitsOnALock() {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { rows } = await inv.db.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0].n > 0) return;
    if (Date.now() > deadline) throw new Error("no request ever waited on the level's lock");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("a reservation whose stock goes between its read and its hold", () => {
  it("is allocated again under lock: the line moves to the next location", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 2);
    await receive(inv, a, CENTRAL, 5);
    const commitSale = await uncommittedSale(a, ONLINE, 2);
    const reference = `moved-${a}`;
    // It reads ONLINE's 2 (the sale is not committed), then waits on ONLINE's row to hold them.
    const pending = inv.admin.post("/api/inventory/reservations", {
      reference,
      items: [{ variantId: a, quantity: 2 }],
    });
    await someoneWaitsOnALock();
    await commitSale();
    const res = await pending;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.lines).toEqual([{ variantId: a, locationId: CENTRAL, quantity: 2 }]);
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 0, reserved: 0 });
    expect(await level(inv, a, CENTRAL)).toMatchObject({ onHand: 5, reserved: 2 });
    const { rows } = await inv.db.query("SELECT count(*)::int AS n FROM reservations WHERE reference = $1", [
      reference,
    ]);
    expect(rows[0].n).toBe(1);
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([]);
  });

  it("undoes the lines it already held when a later line finds its stock gone", async () => {
    // Lines hold in variant order: `first` is held (its row locked) before `second` finds its stock gone.
    const [first, second] = [await knownVariant(inv), await knownVariant(inv)].sort();
    await receive(inv, first!, ONLINE, 5);
    await receive(inv, second!, ONLINE, 2);
    await receive(inv, second!, CENTRAL, 5);
    const commitSale = await uncommittedSale(second!, ONLINE, 2);
    const pending = inv.admin.post("/api/inventory/reservations", {
      reference: `moved-${first}`,
      items: [
        { variantId: second, quantity: 2 },
        { variantId: first, quantity: 1 },
      ],
    });
    await someoneWaitsOnALock();
    await commitSale();
    const res = await pending;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.lines).toEqual([
      { variantId: first, locationId: ONLINE, quantity: 1 },
      { variantId: second, locationId: CENTRAL, quantity: 2 },
    ]);
    expect(await level(inv, first!, ONLINE)).toMatchObject({ onHand: 5, reserved: 1 });
    expect(await level(inv, second!, CENTRAL)).toMatchObject({ onHand: 5, reserved: 2 });
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([]);
  });

  it("at one location, is 409 insufficient_stock with what is left, and nothing is reserved", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 3);
    const commitSale = await uncommittedSale(a, ONLINE, 2);
    const body = { reference: `gone-${a}`, locationId: ONLINE, items: [{ variantId: a, quantity: 2 }] };
    const pending = inv.admin.post("/api/inventory/reservations", body);
    await someoneWaitsOnALock();
    await commitSale();
    const res = await pending;
    expectProblem(res, 409, "insufficient_stock");
    expect(res.body.short).toEqual([{ variantId: a, requested: 2, available: 1 }]);
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 1, reserved: 0 });
    // The reference was not taken: once restocked, the same request reserves.
    await receive(inv, a, ONLINE, 1);
    expect((await inv.admin.post("/api/inventory/reservations", body)).status).toBe(201);
  });
});

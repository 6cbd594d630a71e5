import { AppError, newId } from "@comptoir/platform";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, EVERYWHERE } from "../src/model/actor";
import {
  commitReservation,
  expireReservations,
  releaseReservation,
  reserve,
} from "../src/domain/reservations.use-cases";
import { adjustStock } from "../src/domain/stock.use-cases";
import { reverseTransfer, transferStock } from "../src/domain/transfers.use-cases";
import { CENTRAL, type Inventory, knownVariant, ONLINE, startInventory } from "./support/harness";

let inv: Inventory;
let STORE: string;
const actor: Actor = { userId: newId(), scope: EVERYWHERE };

beforeAll(async () => {
  inv = await startInventory("property");
  STORE = (
    await inv.admin.post("/api/inventory/locations", { code: "STORE-P", name: "P", kind: "store", storeId: newId() })
  ).body.id;
});
afterAll(async () => inv?.close());

type Op =
  | { op: "adjust"; v: number; l: number; qty: number }
  | { op: "reserve"; items: { v: number; qty: number }[]; l: number | null; shortTtl: boolean }
  | { op: "commit" | "release"; i: number }
  | { op: "expire" }
  | { op: "transfer"; from: number; to: number; v: number; qty: number; useReservation: boolean }
  | { op: "reverse"; i: number };

const V = fc.integer({ min: 0, max: 1 });
const L = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("adjust" as const),
      v: V,
      l: L,
      qty: fc.integer({ min: -6, max: 12 }).filter((q) => q !== 0),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("reserve" as const),
      items: fc.array(fc.record({ v: V, qty: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 3 }),
      l: fc.option(L, { nil: null }),
      shortTtl: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("commit" as const, "release" as const), i: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("expire" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("transfer" as const),
      from: L,
      to: L,
      v: V,
      qty: fc.integer({ min: 1, max: 6 }),
      useReservation: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reverse" as const), i: fc.nat(20) }) },
);

/** Business refusals (400/404/409) are expected outcomes of random operations; anything else fails the run. */
async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return undefined;
    throw error;
  }
}

describe("the ledger invariants hold under any sequence of operations (property)", () => {
  it("on hand = ledger sum, reserved = active reservation lines, reserved and available never negative", async () => {
    let run = 0;
    /** Successful operations of each kind over all runs: the property must have exercised each. */
    const stats: Record<string, number> = {};
    const count = (kind: string, done: unknown) => {
      if (done) stats[kind] = (stats[kind] ?? 0) + 1;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30, size: "max" }), async (ops) => {
        run++;
        const variants = [await knownVariant(inv), await knownVariant(inv)];
        const locations = [CENTRAL, ONLINE, STORE];
        const reservations: { id: string; lines: { variantId: string; locationId: string; quantity: number }[] }[] = [];
        const transfers: string[] = [];
        // Some stock everywhere to start with, so that most operations have something to work on.
        for (const variantId of variants) {
          for (const locationId of locations) {
            await adjustStock(inv.deps, actor, { variantId, locationId, changeQuantity: 8, type: "receipt" });
          }
        }
        let n = 0;
        for (const op of ops) {
          n++;
          switch (op.op) {
            case "adjust":
              await attempt(() =>
                adjustStock(inv.deps, actor, {
                  variantId: variants[op.v]!,
                  locationId: locations[op.l]!,
                  changeQuantity: op.qty,
                  type: op.qty > 0 ? "receipt" : "adjustment",
                }),
              ).then((done) => count("adjust", done));
              break;
            case "reserve": {
              const made = await attempt(() =>
                reserve(inv.deps, actor, {
                  reference: `p-${run}-${n}-${newId()}`,
                  items: op.items.map((i) => ({ variantId: variants[i.v]!, quantity: i.qty })),
                  locationId: op.l === null ? undefined : locations[op.l],
                  ttlSeconds: op.shortTtl ? 30 : 3600,
                }),
              );
              if (made) reservations.push(made.reservation);
              count("reserve", made);
              break;
            }
            case "commit":
            case "release": {
              const r = reservations[op.i % Math.max(1, reservations.length)];
              if (!r) break;
              const settled = await attempt(() =>
                (op.op === "commit" ? commitReservation : releaseReservation)(inv.deps, actor, r.id),
              );
              count(op.op, settled?.status === (op.op === "commit" ? "committed" : "released"));
              break;
            }
            case "expire":
              count("expire", await expireReservations(inv.deps, { asOf: new Date(Date.now() + 60_000) }));
              break;
            case "transfer": {
              const from = locations[op.from]!;
              const r = op.useReservation
                ? reservations.find((x) => x.lines.length === 1 && x.lines[0]!.locationId === from)
                : undefined;
              const items = r
                ? [{ variantId: r.lines[0]!.variantId, quantity: r.lines[0]!.quantity }]
                : [{ variantId: variants[op.v]!, quantity: op.qty }];
              const done = await attempt(() =>
                transferStock(inv.deps, actor, {
                  reference: `t-${run}-${n}-${newId()}`,
                  fromLocationId: from,
                  toLocationId: locations[op.to]!,
                  items,
                  reservationId: r?.id,
                }),
              );
              if (done) transfers.push(done.transfer.id);
              count(r ? "transfer with reservation" : "transfer", done);
              break;
            }
            case "reverse": {
              const t = transfers[op.i % Math.max(1, transfers.length)];
              if (t) count("reverse", await attempt(() => reverseTransfer(inv.deps, actor, t)));
              break;
            }
          }
        }
        const { rows } = await inv.db.query(
          `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved,
                  (SELECT coalesce(sum(quantity), 0)::int FROM stock_movements m
                    WHERE m.variant_id = l.variant_id AND m.location_id = l.location_id) AS ledger,
                  (SELECT coalesce(sum(rl.quantity), 0)::int FROM reservation_lines rl JOIN reservations r ON r.id = rl.reservation_id
                    WHERE r.status = 'active' AND rl.variant_id = l.variant_id AND rl.location_id = l.location_id) AS active
             FROM stock_levels l WHERE l.variant_id = ANY($1::uuid[])`,
          [variants],
        );
        for (const row of rows) {
          expect(row.on_hand, "on hand = ledger").toBe(row.ledger);
          expect(row.reserved, "reserved = active lines").toBe(row.active);
          expect(row.reserved).toBeGreaterThanOrEqual(0);
          expect(row.on_hand - row.reserved).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: Number(process.env.INVENTORY_PROPERTY_RUNS ?? 30) },
    );
    for (const kind of ["adjust", "reserve", "commit", "release", "expire", "transfer", "reverse"]) {
      expect(stats[kind] ?? 0, `${kind} succeeded at least once: ${JSON.stringify(stats)}`).toBeGreaterThan(0);
    }
    const verify = await inv.admin.get("/api/inventory/admin/verify");
    expect(verify.body.drifted).toEqual([]);
  }, 120_000);
});

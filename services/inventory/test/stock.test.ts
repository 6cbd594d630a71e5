import { newId, pruneIdempotencyKeys } from "@comptoir/platform";
import { http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CENTRAL,
  expectProblem,
  type Inventory,
  knownVariant,
  ledgerSum,
  level,
  ONLINE,
  published,
  receive,
  startInventory,
} from "./support/harness";

let inv: Inventory;
const STORE_ID = "0192f5a0-0000-7000-8000-0000000000a1";
const OTHER_STORE_ID = "0192f5a0-0000-7000-8000-0000000000a2";
let store: { id: string };
let otherStore: { id: string };

beforeAll(async () => {
  inv = await startInventory("stock");
  const made = await inv.admin.post("/api/inventory/locations", {
    code: "STORE-A",
    name: "Magasin A",
    kind: "store",
    storeId: STORE_ID,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  store = made.body;
  otherStore = (
    await inv.admin.post("/api/inventory/locations", {
      code: "STORE-B",
      name: "Magasin B",
      kind: "store",
      storeId: OTHER_STORE_ID,
    })
  ).body;
});
afterAll(async () => inv?.close());

describe("locations", () => {
  it("has the central warehouse and the online location from the start, with fixed ids", async () => {
    const res = await inv.admin.get("/api/inventory/locations");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: CENTRAL, code: "CENTRAL", kind: "central", storeId: null }),
        expect.objectContaining({ id: ONLINE, code: "ONLINE", kind: "online", storeId: null }),
        expect.objectContaining({ id: store.id, kind: "store", storeId: STORE_ID }),
      ]),
    );
  });

  it("refuses a duplicate code or store with 409, a storeId on a non-store with 400", async () => {
    expectProblem(
      await inv.admin.post("/api/inventory/locations", { code: "STORE-A", name: "Again", kind: "store" }),
      409,
      "location_code_taken",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/locations", {
        code: "STORE-Z",
        name: "Z",
        kind: "store",
        storeId: STORE_ID,
      }),
      409,
      "location_store_taken",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/locations", {
        code: "WH-2",
        name: "W",
        kind: "central",
        storeId: OTHER_STORE_ID,
      }),
      400,
      "location_store_not_a_store",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/locations", { code: "bad code", name: "x", kind: "store" }),
      400,
      "validation_failed",
    );
  });

  it("needs stock:adjust and a manager or admin to create one", async () => {
    expectProblem(
      await http(inv.base).post("/api/inventory/locations", { code: "X", name: "X", kind: "store" }),
      401,
      "unauthorized",
    );
    const clerk = await inv.as({ role: "clerk", storeId: STORE_ID });
    expectProblem(
      await clerk.post("/api/inventory/locations", { code: "X", name: "X", kind: "store" }),
      403,
      "forbidden",
    );
    const clerkWithAdjust = await inv.as({
      role: "clerk",
      storeId: STORE_ID,
      permissions: ["stock:read", "stock:adjust"],
    });
    expectProblem(
      await clerkWithAdjust.post("/api/inventory/locations", { code: "X", name: "X", kind: "store" }),
      403,
      "forbidden",
    );
    const manager = await inv.as({ role: "manager" });
    expect(
      (await manager.post("/api/inventory/locations", { code: "WH-NORD", name: "Entrepôt nord", kind: "central" }))
        .status,
    ).toBe(201);
  });
});

describe("locations opened by retail (idempotent)", () => {
  const storeLocation = (n: number, overrides: Record<string, unknown> = {}) => ({
    id: newId(),
    code: `RT-${n}-${Date.now().toString(36)}`,
    name: `Magasin ${n}`,
    kind: "store",
    storeId: newId(),
    ...overrides,
  });

  it("retail's service token opens a store's location with its id: 201, then the same again is 200 with it", async () => {
    const retail = await inv.as({ service: "retail" });
    const body = storeLocation(1);
    const first = await retail.post("/api/inventory/locations", body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({ ...body, createdAt: expect.any(String) });
    const again = await retail.post("/api/inventory/locations", body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const { rows } = await inv.db.query("SELECT count(*)::int AS n FROM locations WHERE code = $1", [body.code]);
    expect(rows[0].n).toBe(1);
  });

  it("without an id, the same code and fields is 200 with the existing location; other fields are a 409", async () => {
    const { id: _id, ...body } = storeLocation(2);
    const first = await inv.admin.post("/api/inventory/locations", body);
    expect(first.status).toBe(201);
    const again = await inv.admin.post("/api/inventory/locations", body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expectProblem(
      await inv.admin.post("/api/inventory/locations", { ...body, name: "Autre nom" }),
      409,
      "location_code_taken",
    );
  });

  it("another location's code, a store that has a location or an id with other fields are 409s, and change nothing", async () => {
    const retail = await inv.as({ service: "retail" });
    const body = storeLocation(3);
    expect((await retail.post("/api/inventory/locations", body)).status).toBe(201);
    expectProblem(
      await retail.post("/api/inventory/locations", { ...body, id: newId(), storeId: newId() }),
      409,
      "location_code_taken",
    );
    expectProblem(
      await retail.post("/api/inventory/locations", { ...storeLocation(4), storeId: body.storeId }),
      409,
      "location_store_taken",
    );
    expectProblem(
      await retail.post("/api/inventory/locations", { ...body, name: "Magasin renommé" }),
      409,
      "location_id_taken",
    );
    const { rows } = await inv.db.query("SELECT id, name FROM locations WHERE code = $1 OR store_id = $2", [
      body.code,
      body.storeId,
    ]);
    expect(rows).toEqual([{ id: body.id, name: body.name }]);
  });

  it("10 retries at once of the same location: one 201, nine 200, one location", async () => {
    const retail = await inv.as({ service: "retail" });
    const body = storeLocation(5);
    const answers = await Promise.all(Array.from({ length: 10 }, () => retail.post("/api/inventory/locations", body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    for (const a of answers) expect(a.body).toMatchObject({ id: body.id, code: body.code });
    const { rows } = await inv.db.query("SELECT count(*)::int AS n FROM locations WHERE code = $1", [body.code]);
    expect(rows[0].n).toBe(1);
  });

  it("other service accounts with stock:adjust (orders, supply) may not open a location: 403", async () => {
    for (const service of ["orders", "supply"] as const) {
      const caller = await inv.as({ service });
      expectProblem(await caller.post("/api/inventory/locations", storeLocation(6)), 403, "forbidden");
    }
  });
});

describe("adjusting stock (seed 001's table)", () => {
  it("201 with the movement and the new on-hand quantity; the level is the ledger's sum", async () => {
    const variant = await knownVariant(inv);
    const first = await receive(inv, variant, CENTRAL, 12);
    expect(first).toMatchObject({
      newStockQuantity: 12,
      movement: { variantId: variant, locationId: CENTRAL, type: "receipt", quantity: 12, reason: "test stock" },
      level: { onHand: 12, reserved: 0, available: 12 },
    });
    expect(first.movement.actorId).toMatch(/^[0-9a-f-]{36}$/);
    const sale = await inv.admin.post("/api/inventory/stock/adjust", {
      variantId: variant,
      locationId: CENTRAL,
      changeQuantity: -5,
      type: "sale",
      reason: "till",
      reference: "sale-1",
    });
    expect(sale.status).toBe(201);
    expect(sale.body).toMatchObject({
      newStockQuantity: 7,
      movement: { type: "sale", quantity: -5, reference: "sale-1" },
    });
    const back = await inv.admin.post("/api/inventory/stock/adjust", {
      variantId: variant,
      locationId: CENTRAL,
      changeQuantity: -2,
      type: "adjustment",
      reason: "breakage",
    });
    expect(back.body.newStockQuantity).toBe(5);
    expect(await level(inv, variant, CENTRAL)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await ledgerSum(inv, variant, CENTRAL)).toBe(5);

    const events = await published(inv, "inventory.stock.changed", variant);
    expect(events.map((e) => [e.movementType, e.delta, e.onHand])).toEqual([
      ["receipt", 12, 12],
      ["sale", -5, 7],
      ["adjustment", -2, 5],
    ]);
    expect(events[1]).toMatchObject({ locationKind: "warehouse", storeId: null, reference: "sale-1", available: 7 });
  });

  it("with an Idempotency-Key, a retried adjustment moves stock once, even ten at a time", async () => {
    const variant = await knownVariant(inv);
    const body = { variantId: variant, locationId: CENTRAL, changeQuantity: 8, type: "receipt", reason: "delivery 9" };
    const key = { "idempotency-key": `receipt-${variant}` };
    const first = await inv.admin.post("/api/inventory/stock/adjust", body, key);
    expect(first.status).toBe(201);
    const again = await inv.admin.post("/api/inventory/stock/adjust", body, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);

    const burstKey = { "idempotency-key": `burst-${variant}` };
    const burst = await Promise.all(
      Array.from({ length: 10 }, () =>
        inv.admin.post("/api/inventory/stock/adjust", { ...body, changeQuantity: 2 }, burstKey),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(burst.map((r) => r.body.movement.id)).size).toBe(1);
    expect(await level(inv, variant, CENTRAL)).toMatchObject({ onHand: 10 });
    expect(await ledgerSum(inv, variant, CENTRAL)).toBe(10);

    const reused = await inv.admin.post("/api/inventory/stock/adjust", { ...body, changeQuantity: 9 }, key);
    expectProblem(reused, 422, "idempotency_key_reused");
    // A refused request does not use up its key: fixed, it goes through once.
    const refusedKey = { "idempotency-key": `refused-${variant}` };
    const tooMuch = { ...body, changeQuantity: -50, type: "sale" };
    expectProblem(await inv.admin.post("/api/inventory/stock/adjust", tooMuch, refusedKey), 400, "insufficient_stock");
    const fixed = await inv.admin.post("/api/inventory/stock/adjust", { ...tooMuch, changeQuantity: -1 }, refusedKey);
    expect(fixed.status).toBe(201);
    expect(await ledgerSum(inv, variant, CENTRAL)).toBe(9);
  });

  it("forgets an Idempotency-Key after a day: the same key then counts as new", async () => {
    const variant = await knownVariant(inv);
    const body = { variantId: variant, locationId: CENTRAL, changeQuantity: 4, type: "receipt", reason: "delivery 10" };
    const key = { "idempotency-key": `old-${variant}` };
    expect((await inv.admin.post("/api/inventory/stock/adjust", body, key)).status).toBe(201);
    await inv.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [
      `old-${variant}`,
    ]);
    expect(await pruneIdempotencyKeys(inv.db, 24)).toBeGreaterThanOrEqual(1);
    expect((await inv.admin.post("/api/inventory/stock/adjust", body, key)).status).toBe(201);
    expect(await ledgerSum(inv, variant, CENTRAL)).toBe(8);
  });

  it("400 insufficient_stock with what is available, and nothing written", async () => {
    const variant = await knownVariant(inv);
    await receive(inv, variant, ONLINE, 3);
    const res = await inv.admin.post("/api/inventory/stock/adjust", {
      variantId: variant,
      locationId: ONLINE,
      changeQuantity: -4,
      type: "sale",
      reason: "x",
    });
    expectProblem(res, 400, "insufficient_stock");
    expect(res.body.available).toBe(3);
    const never = await knownVariant(inv);
    const none = await inv.admin.post("/api/inventory/stock/adjust", {
      variantId: never,
      locationId: ONLINE,
      changeQuantity: -1,
      type: "adjustment",
    });
    expectProblem(none, 400, "insufficient_stock");
    expect(none.body.available).toBe(0);
    expect(await level(inv, variant, ONLINE)).toMatchObject({ onHand: 3 });
    expect(await ledgerSum(inv, variant, ONLINE)).toBe(3);
  });

  it("400 invalid_movement_type for other types, invalid_movement_quantity for the wrong sign, validation_failed for bad bodies", async () => {
    const variant = await knownVariant(inv);
    for (const type of ["transfer_in", "reservation_commit", "gift"]) {
      expectProblem(
        await inv.admin.post("/api/inventory/stock/adjust", {
          variantId: variant,
          locationId: CENTRAL,
          changeQuantity: 1,
          type,
        }),
        400,
        "invalid_movement_type",
      );
    }
    expectProblem(
      await inv.admin.post("/api/inventory/stock/adjust", {
        variantId: variant,
        locationId: CENTRAL,
        changeQuantity: -1,
        type: "receipt",
      }),
      400,
      "invalid_movement_quantity",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/stock/adjust", {
        variantId: variant,
        locationId: CENTRAL,
        changeQuantity: 1.5,
        type: "receipt",
      }),
      400,
      "validation_failed",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/stock/adjust", { variantId: "nope", type: "receipt" }),
      400,
      "validation_failed",
    );
  });

  it("404 for an unknown variant or location", async () => {
    const variant = await knownVariant(inv);
    const unknown = "0192f5a0-0000-7000-8000-0000000fffff";
    expectProblem(
      await inv.admin.post("/api/inventory/stock/adjust", {
        variantId: unknown,
        locationId: CENTRAL,
        changeQuantity: 1,
        type: "receipt",
      }),
      404,
      "variant_not_found",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/stock/adjust", {
        variantId: variant,
        locationId: unknown,
        changeQuantity: 1,
        type: "receipt",
      }),
      404,
      "location_not_found",
    );
    expectProblem(
      await inv.admin.get(`/api/inventory/stock?variantId=${unknown}&locationId=${CENTRAL}`),
      404,
      "variant_not_found",
    );
  });

  it("the ledger refuses UPDATE and DELETE", async () => {
    await expect(inv.db.query("UPDATE stock_movements SET quantity = 1000")).rejects.toThrow(/append-only/);
    await expect(inv.db.query("DELETE FROM stock_movements")).rejects.toThrow(/append-only/);
  });
});

describe("reading stock and movements", () => {
  it("lists a variant's levels everywhere, or a location's levels, and its movements newest first", async () => {
    const variant = await knownVariant(inv);
    await receive(inv, variant, CENTRAL, 10);
    await receive(inv, variant, store.id, 4);
    const byVariant = await inv.admin.get(`/api/inventory/stock?variantId=${variant}`);
    expect(byVariant.status).toBe(200);
    expect(byVariant.body.pagination).toEqual({ page: 1, limit: 50, total: 2 });
    expect(byVariant.body.data.map((l: any) => [l.locationId, l.onHand])).toEqual(
      expect.arrayContaining([
        [CENTRAL, 10],
        [store.id, 4],
      ]),
    );
    const byLocation = await inv.admin.get(`/api/inventory/stock?locationId=${store.id}&limit=100`);
    expect(byLocation.body.data.some((l: any) => l.variantId === variant && l.available === 4)).toBe(true);
    const movements = await inv.admin.get(`/api/inventory/movements?variantId=${variant}`);
    expect(movements.body.pagination.total).toBe(2);
    expect(movements.body.data[0]).toMatchObject({ locationId: store.id, quantity: 4 });
  });
});

describe("who may see and change which stock", () => {
  it("401 without a token, 403 without the permission", async () => {
    const variant = await knownVariant(inv);
    const anonymous = http(inv.base);
    expectProblem(await anonymous.get("/api/inventory/locations"), 401, "unauthorized");
    expectProblem(await anonymous.get(`/api/inventory/stock?variantId=${variant}`), 401, "unauthorized");
    const customer = await inv.as({ role: "customer" });
    expectProblem(await customer.get(`/api/inventory/stock?variantId=${variant}`), 403, "forbidden");
    const clerk = await inv.as({ role: "clerk", storeId: STORE_ID });
    const body = { variantId: variant, locationId: store.id, changeQuantity: 1, type: "receipt" };
    expectProblem(await clerk.post("/api/inventory/stock/adjust", body), 403, "forbidden");
    expectProblem(
      await clerk.post("/api/inventory/reservations", { reference: "r", items: [{ variantId: variant, quantity: 1 }] }),
      403,
      "forbidden",
    );
  });

  it("a clerk sees only their store's location and its stock; anything else is 403 location_forbidden", async () => {
    const variant = await knownVariant(inv);
    await receive(inv, variant, store.id, 6);
    await receive(inv, variant, otherStore.id, 9);
    await receive(inv, variant, CENTRAL, 20);
    const clerk = await inv.as({ role: "clerk", storeId: STORE_ID });
    expect((await clerk.get("/api/inventory/locations")).body.data.map((l: any) => l.id)).toEqual([store.id]);
    expect(await clerk.get(`/api/inventory/stock?variantId=${variant}&locationId=${store.id}`)).toMatchObject({
      status: 200,
      body: { onHand: 6 },
    });
    const list = await clerk.get(`/api/inventory/stock?variantId=${variant}`);
    expect(list.body.data.map((l: any) => l.locationId)).toEqual([store.id]);
    expectProblem(
      await clerk.get(`/api/inventory/stock?variantId=${variant}&locationId=${otherStore.id}`),
      403,
      "location_forbidden",
    );
    expectProblem(await clerk.get(`/api/inventory/movements?locationId=${CENTRAL}`), 403, "location_forbidden");
    expectProblem(await clerk.get(`/api/inventory/alerts?locationId=${CENTRAL}`), 403, "location_forbidden");
    const ownMovements = await clerk.get(`/api/inventory/movements?variantId=${variant}`);
    expect(ownMovements.body.data.map((m: any) => m.locationId)).toEqual([store.id]);

    // Even with stock:adjust, a clerk changes only their own location.
    const adjusting = await inv.as({ role: "clerk", storeId: STORE_ID, permissions: ["stock:read", "stock:adjust"] });
    const own = { variantId: variant, locationId: store.id, changeQuantity: -1, type: "sale" };
    expect((await adjusting.post("/api/inventory/stock/adjust", own)).status).toBe(201);
    expectProblem(
      await adjusting.post("/api/inventory/stock/adjust", { ...own, locationId: otherStore.id }),
      403,
      "location_forbidden",
    );
    // A clerk attached to no store sees nothing.
    const unattached = await inv.as({ role: "clerk", storeId: null });
    expect((await unattached.get("/api/inventory/locations")).body.data).toEqual([]);
    expectProblem(
      await unattached.get(`/api/inventory/stock?variantId=${variant}&locationId=${store.id}`),
      403,
      "location_forbidden",
    );
  });

  it("managers see every location", async () => {
    const manager = await inv.as({ role: "manager", storeId: STORE_ID });
    const ids = (await manager.get("/api/inventory/locations")).body.data.map((l: any) => l.id);
    expect(ids).toEqual(expect.arrayContaining([CENTRAL, ONLINE, store.id, otherStore.id]));
  });
});

describe("low-stock thresholds and alerts", () => {
  it("raises an alert when available falls to the threshold, resolves it when it rises above, with events", async () => {
    const variant = await knownVariant(inv, "Pull marin");
    await receive(inv, variant, store.id, 15);
    const set = await inv.admin.put("/api/inventory/thresholds", {
      variantId: variant,
      locationId: store.id,
      threshold: 10,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ lowStockThreshold: 10, available: 15 });
    expect(await published(inv, "inventory.alert.raised", variant)).toEqual([]);

    const sell = (n: number) =>
      inv.admin.post("/api/inventory/stock/adjust", {
        variantId: variant,
        locationId: store.id,
        changeQuantity: -n,
        type: "sale",
      });
    await sell(4); // 11: still above
    expect(await published(inv, "inventory.alert.raised", variant)).toEqual([]);
    await sell(1); // 10: at the threshold
    await sell(2); // 8: still open, not raised twice
    const raised = await published(inv, "inventory.alert.raised", variant);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      variantId: variant,
      locationId: store.id,
      locationKind: "store",
      storeId: STORE_ID,
      productName: "Pull marin",
      threshold: 10,
      available: 10,
    });
    const open = await inv.admin.get(`/api/inventory/alerts?status=open&locationId=${store.id}&variantId=${variant}`);
    expect(open.body.data).toEqual([expect.objectContaining({ id: raised[0].alertId, status: "open", threshold: 10 })]);
    expect(
      (await inv.admin.get(`/api/inventory/stock?variantId=${variant}&locationId=${store.id}`)).body.lowStockThreshold,
    ).toBe(10);

    await receive(inv, variant, store.id, 5); // 13: back above
    const resolved = await published(inv, "inventory.alert.resolved", variant);
    expect(resolved).toEqual([expect.objectContaining({ alertId: raised[0].alertId, available: 13 })]);
    const after = await inv.admin.get(`/api/inventory/alerts?variantId=${variant}`);
    expect(after.body.data).toEqual([expect.objectContaining({ status: "resolved", resolvedAt: expect.any(String) })]);

    // A threshold set above what is there raises at once; removing it resolves.
    await inv.admin.put("/api/inventory/thresholds", { variantId: variant, locationId: store.id, threshold: 20 });
    expect(await published(inv, "inventory.alert.raised", variant)).toHaveLength(2);
    await inv.admin.put("/api/inventory/thresholds", { variantId: variant, locationId: store.id, threshold: null });
    expect(await published(inv, "inventory.alert.resolved", variant)).toHaveLength(2);
  });

  it("thresholds need stock:adjust", async () => {
    const variant = await knownVariant(inv);
    const clerk = await inv.as({ role: "clerk", storeId: STORE_ID });
    expectProblem(
      await clerk.put("/api/inventory/thresholds", { variantId: variant, locationId: store.id, threshold: 3 }),
      403,
      "forbidden",
    );
  });
});

describe("verifying the ledger", () => {
  it("reports no drift, then the level corrupted by hand, and who may ask", async () => {
    const clean = await inv.admin.get("/api/inventory/admin/verify");
    expect(clean.status).toBe(200);
    expect(clean.body.checked).toBeGreaterThan(5);
    expect(clean.body.drifted).toEqual([]);

    const variant = await knownVariant(inv);
    await receive(inv, variant, CENTRAL, 7);
    await inv.db.query("UPDATE stock_levels SET on_hand = on_hand + 3 WHERE variant_id = $1", [variant]);
    const drift = await inv.admin.get("/api/inventory/admin/verify");
    expect(drift.body.drifted).toEqual([
      expect.objectContaining({
        variantId: variant,
        locationId: CENTRAL,
        onHand: 10,
        ledgerOnHand: 7,
        problems: ["on_hand_differs_from_ledger"],
      }),
    ]);
    await inv.db.query("UPDATE stock_levels SET on_hand = on_hand - 3, reserved = 2 WHERE variant_id = $1", [variant]);
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([
      expect.objectContaining({
        variantId: variant,
        reserved: 2,
        activeReserved: 0,
        problems: ["reserved_differs_from_reservations"],
      }),
    ]);
    await inv.db.query("UPDATE stock_levels SET reserved = 0 WHERE variant_id = $1", [variant]);
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([]);

    expectProblem(await (await inv.as({ role: "manager" })).get("/api/inventory/admin/verify"), 403, "forbidden");
    const operator = await inv.as({ role: "manager", permissions: ["events:admin"] });
    expect((await operator.get("/api/inventory/admin/verify")).status).toBe(200);
  });
});

describe("the service's own endpoints", () => {
  it("serves its OpenAPI document with every inventory route, and readiness", async () => {
    const doc = await http(inv.base).get("/openapi.json");
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/inventory/locations",
        "/api/inventory/stock",
        "/api/inventory/stock/adjust",
        "/api/inventory/movements",
        "/api/inventory/thresholds",
        "/api/inventory/alerts",
        "/api/inventory/reservations",
        "/api/inventory/reservations/{id}/commit",
        "/api/inventory/reservations/{id}/release",
        "/api/inventory/transfers",
        "/api/inventory/transfers/{id}/reverse",
        "/api/inventory/admin/verify",
      ]),
    );
    expect((await http(inv.base).get("/health/ready")).status).toBe(200);
  });
});

describe("bounds on numbers in queries and bodies", () => {
  const HUGE = [1e17, -1, 1.5, "abc"];

  it("a page, limit or offset out of bounds is a 400 problem, never a 500 (movements, stock, alerts)", async () => {
    for (const path of ["/api/inventory/movements", "/api/inventory/stock", "/api/inventory/alerts"]) {
      for (const query of [
        "page=100000000000000000&limit=100",
        ...HUGE.map((v) => `page=${v}`),
        ...HUGE.map((v) => `limit=${v}`),
        "page=5001&limit=200", // page × limit stays within 1,000,000 rows
        "page=0",
        "limit=201",
      ]) {
        expectProblem(await inv.admin.get(`${path}?${query}`), 400, "validation_failed");
      }
      const deepest = await inv.admin.get(`${path}?page=5000&limit=200`);
      expect(deepest.status, path).toBe(200);
      expect(deepest.body.data, path).toEqual([]);
    }
  });

  it("a quantity, change or threshold out of bounds is a 400 problem, never a 500", async () => {
    const variantId = await knownVariant(inv);
    for (const value of [...HUGE, 0, 1_000_001]) {
      const item = { variantId, quantity: value };
      expectProblem(
        await inv.admin.post("/api/inventory/reservations", { reference: `bounds-${value}`, items: [item] }),
        400,
        "validation_failed",
      );
      expectProblem(
        await inv.admin.post("/api/inventory/transfers", {
          reference: `bounds-${value}`,
          fromLocationId: CENTRAL,
          toLocationId: ONLINE,
          items: [item],
        }),
        400,
        "validation_failed",
      );
    }
    for (const value of [1e17, -1e17, 1.5, "abc", 1_000_001]) {
      expectProblem(
        await inv.admin.post("/api/inventory/stock/adjust", {
          variantId,
          locationId: CENTRAL,
          changeQuantity: value,
          type: "adjustment",
        }),
        400,
        "validation_failed",
      );
    }
    for (const value of [1e17, -1, 1.5, "abc"]) {
      expectProblem(
        await inv.admin.put("/api/inventory/thresholds", { variantId, locationId: CENTRAL, threshold: value }),
        400,
        "validation_failed",
      );
    }
    expect(await ledgerSum(inv, variantId, CENTRAL)).toBe(0);
  });
});

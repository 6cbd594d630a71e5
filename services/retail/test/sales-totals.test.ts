import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENOMINATIONS_OF, expectProblem, type RetailWorld, startRetail, type TestStore } from "./support/harness";
import { expectStatus, sell } from "./support/sales";

/**
 * GET /api/retail/admin/sales-totals: what each store booked per local day, from retail's own tables —
 * what reporting's store channels should hold (`comptoir reporting reconcile`).
 */
let world: RetailWorld;
beforeAll(async () => {
  world = await startRetail("sales_totals");
});
afterAll(async () => world?.close());

const totals = (query: string, api = world.admin) => api.get(`/api/retail/admin/sales-totals?${query}`);
const empty = {
  salesCount: 0,
  salesTotal: 0,
  discountTotal: 0,
  returnsCount: 0,
  returnsTotal: 0,
  voidsCount: 0,
  voidsTotal: 0,
  closings: 0,
  cashVariance: 0,
};

describe("retail's sales totals per store and local day", () => {
  let paris: TestStore;
  let newYork: TestStore;
  let returned: number;
  let variance: number;

  beforeAll(async () => {
    // Saturday 14 March 2026: Paris is UTC+1, New York UTC−4 (daylight saving time since the 8th).
    world.clock.set("2026-03-14T08:00:00Z");
    const till = await world.till();
    paris = till.store;
    const register = till.register;
    const product = await world.product({ price: 1250, stock: 20, locationId: paris.locationId });
    const sale = (quantity: number, extra: Record<string, unknown> = {}, amount = 1250 * quantity) =>
      sell(paris.clerk.api, {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity }],
        tenders: [{ method: "cash", amount }],
        ...extra,
      });

    world.clock.set("2026-03-14T10:00:00Z");
    const first = await sale(2, { discount: { percent: 10 } });
    expectStatus(first, 201);
    expect(first.body).toMatchObject({ total: 2250, discountTotal: 250 });
    // 23:30 in Paris: still the 14th.
    world.clock.set("2026-03-14T22:30:00Z");
    expectStatus(await sale(1), 201);
    // 00:30 in Paris: the 15th (and still the 14th in UTC); voided the next morning, on its own day.
    world.clock.set("2026-03-14T23:30:00Z");
    const voided = await sale(1);
    expectStatus(voided, 201);
    world.clock.set("2026-03-15T09:00:00Z");
    const voiding = await paris.clerk.api.post(
      `/api/retail/sales/${voided.body.id}/void`,
      { reason: "wrong item" },
      { "idempotency-key": randomUUID() },
    );
    expectStatus(voiding, 200);
    // One item of the first sale back on the 15th.
    world.clock.set("2026-03-15T10:00:00Z");
    const back = await paris.clerk.api.post(
      `/api/retail/sales/${first.body.id}/returns`,
      { registerId: register.id, lines: [{ variantId: product.variantId, quantity: 1 }], reason: "too small" },
      { "idempotency-key": randomUUID() },
    );
    expectStatus(back, 201);
    returned = back.body.total;
    world.clock.set("2026-03-15T18:00:00Z");
    const closed = await paris.clerk.api.post(`/api/retail/registers/${register.id}/close`, {
      counted: DENOMINATIONS_OF(10_000),
    });
    expectStatus(closed, 200);
    variance = closed.body.variance;
    expect(variance).not.toBe(0);

    // 23:00 on the 14th in New York is 03:00 on the 15th in UTC.
    newYork = await world.store({ timezone: "America/New_York" });
    const nyRegister = await world.register(newYork.id);
    world.clock.set("2026-03-14T20:00:00Z");
    await world.open(nyRegister, newYork.clerk.api);
    const nyProduct = await world.product({ price: 990, stock: 5, locationId: newYork.locationId });
    world.clock.set("2026-03-15T03:00:00Z");
    expectStatus(
      await sell(newYork.clerk.api, {
        registerId: nyRegister.id,
        lines: [{ variantId: nyProduct.variantId, quantity: 1 }],
        tenders: [{ method: "cash", amount: 990 }],
      }),
      201,
    );
    world.clock.reset();
  }, 120_000);

  it("books sales, returns, voids and closings on each store's own local day, voided sales left out of the sales", async () => {
    const res = await totals("from=2026-03-14&to=2026-03-15");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const at = { storeId: paris.id, storeCode: paris.code, timezone: "Europe/Paris" };
    expect(res.body).toEqual({
      from: "2026-03-14",
      to: "2026-03-15",
      data: [
        { ...at, day: "2026-03-14", ...empty, salesCount: 2, salesTotal: 3500, discountTotal: 250 },
        {
          ...at,
          day: "2026-03-15",
          ...empty,
          returnsCount: 1,
          returnsTotal: returned,
          voidsCount: 1,
          voidsTotal: 1250,
          closings: 1,
          cashVariance: variance,
        },
        {
          storeId: newYork.id,
          storeCode: newYork.code,
          timezone: "America/New_York",
          day: "2026-03-14",
          ...empty,
          salesCount: 1,
          salesTotal: 990,
        },
      ],
      totals: {
        ...empty,
        salesCount: 3,
        salesTotal: 4490,
        discountTotal: 250,
        returnsCount: 1,
        returnsTotal: returned,
        voidsCount: 1,
        voidsTotal: 1250,
        closings: 1,
        cashVariance: variance,
      },
    });
    expect(returned).toBe(1125);
  });

  it("covers only the period's days, and one store with storeId", async () => {
    const day = await totals("from=2026-03-15&to=2026-03-15");
    expect(day.body.data.map((r: { storeId: string; day: string }) => [r.storeId, r.day])).toEqual([
      [paris.id, "2026-03-15"],
    ]);
    const one = await totals(`from=2026-03-14&to=2026-03-15&storeId=${newYork.id}`);
    expect(one.body.data.map((r: { storeId: string }) => r.storeId)).toEqual([newYork.id]);
    expect(one.body.totals).toEqual({ ...empty, salesCount: 1, salesTotal: 990 });
    const none = await totals("from=2025-01-01&to=2025-12-31");
    expect(none.body).toEqual({ from: "2025-01-01", to: "2025-12-31", data: [], totals: empty });
  });

  it("refuses a period that is not one (400)", async () => {
    expectProblem(await totals("from=2026-03-15&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2026-02-29&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2020-01-01&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2026-03-14"), 400, "validation_failed");
    expectProblem(await totals("from=2026-03-14&to=2026-03-15&storeId=paris"), 400, "validation_failed");
  });

  it("is for admins only (events:admin): the store's manager or clerk is refused (403), no token is a 401", async () => {
    expectProblem(
      await totals(`from=2026-03-14&to=2026-03-15&storeId=${paris.id}`, paris.manager.api),
      403,
      "forbidden",
    );
    expectProblem(await totals("from=2026-03-14&to=2026-03-15", paris.clerk.api), 403, "forbidden");
    const res = await fetch(`${world.retail.base}/api/retail/admin/sales-totals?from=2026-03-14&to=2026-03-15`);
    expect(res.status).toBe(401);
  });
});

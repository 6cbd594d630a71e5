import { http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout, expectProblem, guestWith, type Shop, startShop, TEST_CARDS } from "./support/harness";

/**
 * GET /api/orders/admin/sales-totals: what orders booked per local day, from its own table — what
 * reporting's online channel should hold (`comptoir reporting reconcile`).
 */
let shop: Shop;
let admin: ReturnType<typeof http>;
beforeAll(async () => {
  shop = await startShop("sales_totals");
  admin = http(shop.orders.base, {
    authorization: `Bearer ${await shop.world.inventory.issuer.token({ role: "admin" })}`,
  });
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

async function paidOrder(quantity: number) {
  const product = await shop.world.product({ price: 1000, stock: 10 });
  const res = await checkout(await guestWith(shop, product.variantId, quantity));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe("paid");
  return res.body as { id: string; total: number };
}

/**
 * PostgreSQL's now() stamps paid_at and refunded_at and cannot be moved: the test moves the recorded
 * instants instead, around midnight in Paris.
 */
async function stamp(orderId: string, column: "paid_at" | "refunded_at", at: string) {
  await shop.testbed.database.db.query(`UPDATE orders SET ${column} = $2 WHERE id = $1`, [orderId, at]);
}

const totals = (query: string, api = admin) => api.get(`/api/orders/admin/sales-totals?${query}`);

describe("orders' sales totals per local day", () => {
  let a: { id: string; total: number };
  let b: { id: string; total: number };
  let c: { id: string; total: number };

  beforeAll(async () => {
    a = await paidOrder(1);
    b = await paidOrder(2);
    c = await paidOrder(3);
    const cancelled = await shop.orders.manager.post(`/api/orders/${c.id}/cancel`, { reason: "changed my mind" });
    expect(cancelled.body.status, JSON.stringify(cancelled.body)).toBe("refunded");
    // A declined card: the order is cancelled unpaid, and counts nowhere.
    const product = await shop.world.product({ price: 1000, stock: 10 });
    const declined = await checkout(await guestWith(shop, product.variantId, 1), { number: TEST_CARDS.declined });
    expect(declined.status, JSON.stringify(declined.body)).toBe(402);
    // Saturday 14 March 2026, 23:30 in Paris (UTC+1); then 00:30 on Sunday the 15th.
    await stamp(a.id, "paid_at", "2026-03-14T22:30:00Z");
    await stamp(b.id, "paid_at", "2026-03-14T23:30:00Z");
    await stamp(c.id, "paid_at", "2026-03-15T12:00:00Z");
    await stamp(c.id, "refunded_at", "2026-03-16T08:00:00Z");
  }, 60_000);

  it("books each order on the Paris day it was paid, and its refund on the day of the refund", async () => {
    const res = await totals("from=2026-03-14&to=2026-03-16");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      from: "2026-03-14",
      to: "2026-03-16",
      timeZone: "Europe/Paris",
      data: [
        { day: "2026-03-14", paidCount: 1, paidTotal: a.total, refundsCount: 0, refundsTotal: 0 },
        { day: "2026-03-15", paidCount: 2, paidTotal: b.total + c.total, refundsCount: 0, refundsTotal: 0 },
        { day: "2026-03-16", paidCount: 0, paidTotal: 0, refundsCount: 1, refundsTotal: c.total },
      ],
      totals: { paidCount: 3, paidTotal: a.total + b.total + c.total, refundsCount: 1, refundsTotal: c.total },
    });
  });

  it("places the days in the time zone asked for: 00:30 in Paris is still the day before in UTC", async () => {
    const res = await totals("from=2026-03-14&to=2026-03-15&timeZone=UTC");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([
      { day: "2026-03-14", paidCount: 2, paidTotal: a.total + b.total, refundsCount: 0, refundsTotal: 0 },
      { day: "2026-03-15", paidCount: 1, paidTotal: c.total, refundsCount: 0, refundsTotal: 0 },
    ]);
  });

  it("covers only the period's days, and answers empty days with nothing", async () => {
    const day = await totals("from=2026-03-15&to=2026-03-15");
    expect(day.body.data.map((d: { day: string }) => d.day)).toEqual(["2026-03-15"]);
    expect(day.body.totals).toEqual({ paidCount: 2, paidTotal: b.total + c.total, refundsCount: 0, refundsTotal: 0 });
    const none = await totals("from=2025-01-01&to=2025-12-31");
    expect(none.body).toMatchObject({
      data: [],
      totals: { paidCount: 0, paidTotal: 0, refundsCount: 0, refundsTotal: 0 },
    });
  });

  it("refuses a period that is not one, and an unknown time zone (400)", async () => {
    expectProblem(await totals("from=2026-03-16&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2026-02-30&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2020-01-01&to=2026-03-14"), 400, "invalid_period");
    expectProblem(await totals("from=2026-03-14&to=2026-03-16&timeZone=Mars/Olympus"), 400, "invalid_time_zone");
    expectProblem(await totals("from=2026-3-14&to=2026-03-16"), 400, "validation_failed");
    expectProblem(await totals("to=2026-03-16"), 400, "validation_failed");
  });

  it("is for admins only (events:admin): a manager or a customer is refused (403), no token is a 401", async () => {
    expectProblem(await totals("from=2026-03-14&to=2026-03-16", shop.orders.manager), 403, "forbidden");
    const customer = http(shop.orders.base, {
      authorization: `Bearer ${await shop.world.inventory.issuer.token({ role: "customer" })}`,
    });
    expectProblem(await totals("from=2026-03-14&to=2026-03-16", customer), 403, "forbidden");
    expectProblem(await totals("from=2026-03-14&to=2026-03-16", shop.orders.anonymous), 401, "unauthorized");
  });
});

import { randomUUID } from "node:crypto";
import { http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout, expectProblem, guestWith, level, type Shop, startShop } from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("lifecycle");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

async function paidOrder(quantity = 2, stock = 10) {
  const product = await shop.world.product({ price: 1000, stock });
  const res = await checkout(await guestWith(shop, product.variantId, quantity));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { order: res.body, variantId: product.variantId };
}

const eventsOf = async (orderId: string) =>
  (
    await shop.testbed.database.db.query("SELECT type, envelope FROM outbox WHERE subject = $1 ORDER BY position", [
      orderId,
    ])
  ).rows.map((r) => ({ type: r.type as string, data: r.envelope.data }));

describe("cancelling", () => {
  it("a paid order: cancelled at once, its goods back on the shelf, its payment refunded once; again → 409", async () => {
    const { order, variantId } = await paidOrder(2);
    expect(await level(shop, variantId)).toEqual({ onHand: 8, reserved: 0 });

    const res = await shop.orders.manager.post(`/api/orders/${order.id}/cancel`, {
      reason: "customer changed their mind",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: "refunded",
      refundedAmount: order.total,
      cancelReason: "customer changed their mind",
    });
    expect(await level(shop, variantId)).toEqual({ onHand: 10, reserved: 0 });
    const payment = await shop.payments.orders.get(`/api/payments/payments/${order.paymentId}`);
    expect(payment.body).toMatchObject({ status: "refunded", refundedAmount: order.total });
    const events = await eventsOf(order.id);
    expect(events.map((e) => e.type)).toEqual([
      "orders.checkout.started",
      "orders.order.placed",
      "orders.order.paid",
      "orders.order.cancelled",
      "orders.order.refunded",
    ]);
    expect(events[3]!.data).toMatchObject({ previousStatus: "paid", reason: "customer changed their mind" });

    expectProblem(await shop.orders.manager.post(`/api/orders/${order.id}/cancel`), 409, "order_not_cancellable");
    expect(await level(shop, variantId)).toEqual({ onHand: 10, reserved: 0 });
    const refunds = await shop.payments.db.query("SELECT count(*)::int AS n FROM refunds WHERE payment_id = $1", [
      order.paymentId,
    ]);
    expect(refunds.rows[0].n).toBe(1);
  });

  it("concurrent cancellations of one order refund it once", async () => {
    const { order, variantId } = await paidOrder(1);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => shop.orders.manager.post(`/api/orders/${order.id}/cancel`)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expectProblem(a, 409, "order_not_cancellable");
    expect(await level(shop, variantId)).toEqual({ onHand: 10, reserved: 0 });
    const payment = await shop.payments.orders.get(`/api/payments/payments/${order.paymentId}`);
    expect(payment.body.refundedAmount).toBe(order.total);
  });
});

describe("shipping and delivery (staff)", () => {
  it("paid → shipped (carrier, tracking) → delivered, with events; no skipping, no cancelling once shipped", async () => {
    const { order } = await paidOrder(1);
    expectProblem(await shop.orders.manager.post(`/api/orders/${order.id}/deliver`), 409, "invalid_order_transition");
    const shipped = await shop.orders.manager.post(`/api/orders/${order.id}/ship`, {
      carrier: "Colissimo",
      trackingNumber: "6A12345678901",
    });
    expect(shipped.body).toMatchObject({ status: "shipped", carrier: "Colissimo", trackingNumber: "6A12345678901" });
    expectProblem(await shop.orders.manager.post(`/api/orders/${order.id}/cancel`), 409, "order_not_cancellable");
    const delivered = await shop.orders.manager.post(`/api/orders/${order.id}/deliver`);
    expect(delivered.body.status).toBe("delivered");
    expect(delivered.body.deliveredAt).toEqual(expect.any(String));
    const types = (await eventsOf(order.id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["orders.order.shipped", "orders.order.delivered"]);
  });
});

describe("who sees what", () => {
  it("a customer sees only their own orders (someone else's is a 404, even to cancel); staff list with filters", async () => {
    const { order } = await paidOrder(1);
    const stranger = http(shop.orders.base, {
      authorization: `Bearer ${await shop.world.inventory.issuer.token({ role: "customer", sub: randomUUID() })}`,
    });
    expectProblem(await stranger.get(`/api/orders/${order.id}`), 404, "order_not_found");
    expectProblem(await stranger.post(`/api/orders/${order.id}/cancel`), 404, "order_not_found");
    expectProblem(await stranger.post(`/api/orders/${order.id}/ship`), 403, "forbidden");
    expect((await stranger.get("/api/orders")).body).toMatchObject({ data: [], pagination: { total: 0 } });
    expectProblem(await shop.orders.anonymous.get(`/api/orders/${order.id}`), 401, "unauthorized");

    const list = await shop.orders.manager.get("/api/orders?status=paid&limit=100");
    expect(list.status).toBe(200);
    expect(list.body.data.map((o: { id: string }) => o.id)).toContain(order.id);
    for (const o of list.body.data) expect(o.status).toBe("paid");
    const none = await shop.orders.manager.get(
      `/api/orders?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(none.body.data).toEqual([]);
  });
});

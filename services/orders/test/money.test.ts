import {
  MAX_AMOUNT,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  MAX_SHIPPING_FEE,
  MAX_SUBTOTAL,
  MAX_UNIT_PRICE,
} from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkout,
  expectProblem,
  guestWith,
  guestWithItems,
  level,
  paymentCount,
  type Shop,
  startShop,
} from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("money");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

describe("money: one type, the same caps from catalog to payments (security finding 8)", () => {
  it("the largest order a cart holds — 100 variants at the top price × 999 units, plus the top shipping fee — is authorized, captured and paid, then refunded in full", async () => {
    // Shipping charged at the highest fee allowed (never free below MAX_AMOUNT): the total is MAX_AMOUNT itself.
    const orders = await shop.instance("orders-money", {
      shipping: { fee: MAX_SHIPPING_FEE, freeFrom: MAX_AMOUNT },
      checkoutWaitMs: 30_000,
    });
    const product = await shop.world.product({
      price: MAX_UNIT_PRICE,
      stock: MAX_LINE_QUANTITY,
      variants: MAX_CART_LINES,
    });
    const guest = await guestWithItems(
      shop,
      product.variants.map((v) => ({ variantId: v.id, quantity: MAX_LINE_QUANTITY })),
      orders,
    );
    const cart = await guest.api.get(`/api/cart/carts/${guest.id}`);
    expect(cart.body).toMatchObject({ subtotal: MAX_SUBTOTAL, warnings: [] });
    expect(MAX_SUBTOTAL + MAX_SHIPPING_FEE).toBe(MAX_AMOUNT);
    // Past PostgreSQL's integer (orders' columns until migration 003) and payments' former cap, within 2^53.
    expect(MAX_AMOUNT).toBeGreaterThan(100_000_000_000);
    expect(Number.isSafeInteger(MAX_AMOUNT * 2)).toBe(true);

    const res = await checkout(guest);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = res.body;
    expect(order).toMatchObject({
      status: "paid",
      subtotal: MAX_SUBTOTAL,
      shipping: MAX_SHIPPING_FEE,
      total: MAX_AMOUNT,
      refundedAmount: 0,
    });
    expect(order.lines).toHaveLength(MAX_CART_LINES);
    for (const line of order.lines)
      expect(line).toMatchObject({ quantity: MAX_LINE_QUANTITY, unitPrice: MAX_UNIT_PRICE });
    // Its VAT (bigint-safe at these amounts) adds up to the total exactly.
    expect(order.vat).toHaveLength(1);
    expect(order.vat[0]).toMatchObject({ rate: 2000, total: MAX_AMOUNT });
    expect(order.vat[0].base + order.vat[0].vat).toBe(MAX_AMOUNT);

    const payment = await shop.payments.orders.get(`/api/payments/payments/${order.paymentId}`);
    expect(payment.body).toMatchObject({ status: "captured", amount: MAX_AMOUNT, capturedAmount: MAX_AMOUNT });
    expect((await guest.api.get(`/api/cart/carts/${guest.id}`)).body.items).toEqual([]);
    // Stored as bigint, read back as exact numbers: by the API, and in the events (validated against the contracts).
    const stored = await shop.testbed.database.db.query(
      "SELECT total::text, pg_typeof(total)::text AS type FROM orders WHERE id = $1",
      [order.id],
    );
    expect(stored.rows[0]).toEqual({ total: String(MAX_AMOUNT), type: "bigint" });
    expect((await shop.orders.manager.get(`/api/orders/${order.id}`)).body).toMatchObject({ total: MAX_AMOUNT });
    const paid = await shop.testbed.database.db.query(
      "SELECT envelope FROM outbox WHERE type = 'orders.order.paid' AND subject = $1",
      [order.id],
    );
    expect(paid.rows[0].envelope.data.totals).toEqual({
      subtotal: MAX_SUBTOTAL,
      shipping: MAX_SHIPPING_FEE,
      total: MAX_AMOUNT,
      currency: "EUR",
    });

    const cancelled = await orders.manager.post(`/api/orders/${order.id}/cancel`, {
      reason: "test of the largest order",
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "refunded", refundedAmount: MAX_AMOUNT });
    const refunded = await shop.payments.orders.get(`/api/payments/payments/${order.paymentId}`);
    expect(refunded.body).toMatchObject({ status: "refunded", refundedAmount: MAX_AMOUNT });
    await orders.close();
  }, 120_000);

  it("a price above the cap left from before it is refused at checkout, before any stock is held or card authorized", async () => {
    const product = await shop.world.product({ price: 1000, stock: 5 });
    const guest = await guestWith(shop, product.variantId, 1);
    // Catalog no longer takes such a price (400); one set before the cap is still in its table.
    await shop.world.catalog.db.query("UPDATE variants SET price = $2 WHERE id = $1", [
      product.variantId,
      MAX_UNIT_PRICE + 1,
    ]);
    const before = await paymentCount(shop);

    const res = await checkout(guest);
    expectProblem(res, 409, "items_unavailable");
    expect(res.body.items).toEqual([product.variantId]);
    expect(await paymentCount(shop)).toBe(before);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 5, reserved: 0 });
  });
});

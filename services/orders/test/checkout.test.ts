import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  address,
  card,
  CENTRAL,
  checkout,
  expectProblem,
  guestWith,
  guestWithItems,
  level,
  ONLINE,
  paymentCount,
  payments,
  type Shop,
  startShop,
  storeLocation,
  TEST_CARDS,
} from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("checkout");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

const paymentsOf = async (orderId: string) => (await payments(shop, { orderId })).map(({ status }) => ({ status }));
const outbox = async (type: string) =>
  (await shop.testbed.database.db.query("SELECT envelope FROM outbox WHERE type = $1", [type])).rows.map(
    (r) => r.envelope.data,
  );
const orderRows = async () => (await shop.testbed.database.db.query("SELECT id, status FROM orders")).rows;

describe("checkout as a guest", () => {
  it("turns the cart into a paid order: priced by catalog, stock sold, card captured, cart emptied, events", async () => {
    const product = await shop.world.product({ price: 1500, stock: 10 });
    const guest = await guestWith(shop, product.variantId, 2);

    const res = await checkout(guest);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = res.body;
    expect(order).toMatchObject({
      status: "paid",
      customerId: null,
      email: "camille@example.com",
      language: "fr",
      channel: "online",
      subtotal: 3000,
      shipping: 490,
      total: 3490,
      currency: "EUR",
      lines: [
        { variantId: product.variantId, sku: product.variants[0]!.sku, quantity: 2, unitPrice: 1500, vatRate: 2000 },
      ],
      shippingAddress: { city: "Lyon", line2: null },
      // 34.90 at 20 % (the default rate), shipping included.
      vat: [{ rate: 2000, base: 2908, vat: 582, total: 3490 }],
    });
    expect(order.lines[0].name).toContain(product.name);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 8, reserved: 0 });
    const payment = await shop.payments.orders.get(`/api/payments/payments/${order.paymentId}`);
    expect(payment.body).toMatchObject({ status: "captured", amount: 3490, capturedAmount: 3490, orderId: order.id });
    const cart = await guest.api.get(`/api/cart/carts/${guest.id}`);
    expect(cart.body.items).toEqual([]);
    const [started, ...more] = (await outbox("orders.checkout.started")).filter((e) => e.orderId === order.id);
    expect(more).toEqual([]);
    const checkoutRow = await shop.testbed.database.db.query("SELECT id FROM checkouts WHERE order_id = $1", [
      order.id,
    ]);
    expect(started).toEqual({
      checkoutId: checkoutRow.rows[0].id,
      orderId: order.id,
      cartId: guest.id,
      channel: "online",
      customerId: null,
      startedAt: expect.any(String),
      itemCount: 2,
      subtotal: 3000,
      currency: "EUR",
    });
    expect(Date.parse(started.startedAt)).toBeLessThanOrEqual(Date.parse(order.placedAt));
    expect((await outbox("orders.order.placed")).filter((e) => e.orderId === order.id)).toHaveLength(1);
    const paid = (await outbox("orders.order.paid")).filter((e) => e.orderId === order.id);
    expect(paid).toEqual([expect.objectContaining({ status: "paid", paymentId: order.paymentId })]);
    // A staff member reads it; the guest cannot list orders (no account).
    expect((await shop.orders.manager.get(`/api/orders/${order.id}`)).body.id).toBe(order.id);
    expectProblem(await guest.orders.get("/api/orders"), 401, "unauthorized");
  });

  it("keeps each line's VAT rate from catalog and the order's VAT per rate, shipping at the highest rate; it adds up to the total", async () => {
    const books = await shop.world.product({ price: 1250, stock: 10, vatRate: 550 });
    const food = await shop.world.product({ price: 899, stock: 10, vatRate: 1000 });
    const guest = await guestWithItems(shop, [
      { variantId: books.variantId, quantity: 2 },
      { variantId: food.variantId, quantity: 1 },
    ]);
    const res = await checkout(guest);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const order = res.body;
    expect(order).toMatchObject({ subtotal: 3399, shipping: 490, total: 3889 });
    expect(order.lines.map((l: { variantId: string; vatRate: number }) => [l.variantId, l.vatRate])).toEqual([
      [books.variantId, 550],
      [food.variantId, 1000],
    ]);
    // 8.99 + 4.90 shipping at 10 % (the highest rate of the order), 25.00 at 5.5 %.
    expect(order.vat).toEqual([
      { rate: 1000, base: 1263, vat: 126, total: 1389 },
      { rate: 550, base: 2370, vat: 130, total: 2500 },
    ]);
    expect(order.vat.reduce((sum: number, r: { total: number }) => sum + r.total, 0)).toBe(order.total);
    for (const r of order.vat) expect(r.base + r.vat).toBe(r.total);

    // The same on a later read, and in the events that carry the order (validated against the contracts).
    expect((await shop.orders.manager.get(`/api/orders/${order.id}`)).body.vat).toEqual(order.vat);
    for (const type of ["orders.order.placed", "orders.order.paid"]) {
      const [event] = (await outbox(type)).filter((e) => e.orderId === order.id);
      expect(event.vat, type).toEqual(order.vat);
      expect(event.lines.map((l: { vatRate: number }) => l.vatRate)).toEqual([550, 1000]);
    }

    // A later change of a product's rate does not touch the order: its lines were snapshotted.
    const changed = await shop.world.catalog.admin.patch(`/api/catalog/products/${books.id}`, { vatRate: 2000 });
    expect(changed.status).toBe(200);
    expect((await shop.orders.manager.get(`/api/orders/${order.id}`)).body.vat).toEqual(order.vat);
  });

  it("delivers for free from the threshold", async () => {
    const product = await shop.world.product({ price: 2500, stock: 10 });
    const free = await checkout(await guestWith(shop, product.variantId, 2));
    expect(free.body).toMatchObject({ subtotal: 5000, shipping: 0, total: 5000 });
  });

  it.each([
    ["declined", TEST_CARDS.declined, "card_declined"],
    ["insufficient funds", TEST_CARDS.insufficientFunds, "insufficient_funds"],
  ])("a %s card → 402, stock and reservations exactly as before, no order, cart kept", async (_, number, code) => {
    const product = await shop.world.product({ stock: 5 });
    const guest = await guestWith(shop, product.variantId, 3);
    const ordersBefore = (await orderRows()).length;

    const res = await checkout(guest, { number });
    expectProblem(res, 402, code);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 5, reserved: 0 });
    expect(await orderRows()).toHaveLength(ordersBefore);
    expect((await guest.api.get(`/api/cart/carts/${guest.id}`)).body.items).toHaveLength(1);
    const { rows } = await shop.world.inventory.db.query(
      "SELECT r.status FROM reservations r JOIN reservation_lines l ON l.reservation_id = r.id WHERE l.variant_id = $1",
      [product.variantId],
    );
    expect(rows).toEqual([{ status: "released" }]);
  });

  it("a card the provider does not answer for in time → 503, compensated: nothing held, nothing charged", async () => {
    const product = await shop.world.product({ stock: 5 });
    const guest = await guestWith(shop, product.variantId, 1);
    const res = await checkout(guest, { number: TEST_CARDS.slow });
    expectProblem(res, 503, "payment_provider_timeout");
    expect(await level(shop, product.variantId)).toEqual({ onHand: 5, reserved: 0 });
  });

  it("more than is in stock → 409 insufficient_stock with the short lines, and no payment is attempted", async () => {
    const product = await shop.world.product({ stock: 2 });
    const guest = await guestWith(shop, product.variantId, 2);
    // Someone else buys one in between: the cart still asks for 2.
    expect((await checkout(await guestWith(shop, product.variantId, 1))).status).toBe(201);
    const paymentsBefore = await paymentCount(shop);

    const res = await checkout(guest);
    expectProblem(res, 409, "insufficient_stock");
    expect(res.body.short).toEqual([{ variantId: product.variantId, requested: 2, available: 1 }]);
    const paymentsAfter = await paymentCount(shop);
    expect(paymentsAfter).toBe(paymentsBefore);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 1, reserved: 0 });
  });

  it("refuses what it cannot take: no key 400, no cart token 401, no e-mail 400, someone else's cart 404, empty cart 400", async () => {
    const product = await shop.world.product();
    const guest = await guestWith(shop, product.variantId, 1);
    const body = {
      cartId: guest.id,
      email: "a@example.com",
      shippingAddress: { name: "A", line1: "1 rue", city: "Lyon", postalCode: "69001", country: "FR" },
      payment: { method: "card", card: { number: TEST_CARDS.succeeds, expMonth: 12, expYear: 2099, cvc: "123" } },
    };
    expectProblem(await guest.orders.post("/api/orders/checkout", body), 400, "idempotency_key_required");
    expectProblem(
      await shop.orders.anonymous.post("/api/orders/checkout", body, { "idempotency-key": randomUUID() }),
      401,
      "authentication_required",
    );
    expectProblem(
      await guest.orders.post(
        "/api/orders/checkout",
        { ...body, email: undefined },
        { "idempotency-key": randomUUID() },
      ),
      400,
      "email_required",
    );
    const other = await guestWith(shop, product.variantId, 1);
    expectProblem(
      await other.orders.post("/api/orders/checkout", body, { "idempotency-key": randomUUID() }),
      404,
      "cart_not_found",
    );
    // A customer's cart is theirs: a guest's token (any token) does not open it, whatever orders may do.
    const { api: customer } = await shop.world.cart.customer();
    const theirs = (await customer.post("/api/cart/carts")).body.id;
    await customer.post(`/api/cart/carts/${theirs}/items`, { variantId: product.variantId, quantity: 1 });
    expectProblem(
      await guest.orders.post("/api/orders/checkout", { ...body, cartId: theirs }, { "idempotency-key": randomUUID() }),
      404,
      "cart_not_found",
    );
    await guest.api.delete(`/api/cart/carts/${guest.id}/items/${product.variantId}`);
    expectProblem(
      await guest.orders.post("/api/orders/checkout", body, { "idempotency-key": randomUUID() }),
      400,
      "cart_empty",
    );
    expect(await level(shop, product.variantId)).toEqual({ onHand: 50, reserved: 0 });
    // None of them started a checkout.
    const started = await outbox("orders.checkout.started");
    expect(started.filter((e) => e.cartId === guest.id || e.cartId === other.id || e.cartId === theirs)).toEqual([]);
  });
});

describe("click-and-collect", () => {
  /** What a refused checkout of this variant must have left: no checkout, no reservation, no payment. */
  const nothingDoneFor = async (variantId: string, cartId: string, paymentsBefore: number) => {
    const reservations = await shop.world.inventory.db.query("SELECT 1 FROM reservation_lines WHERE variant_id = $1", [
      variantId,
    ]);
    expect(reservations.rows).toEqual([]);
    const checkouts = await shop.testbed.database.db.query("SELECT 1 FROM checkouts WHERE scope = $1", [
      `cart:${cartId}`,
    ]);
    expect(checkouts.rows).toEqual([]);
    expect(await paymentCount(shop)).toBe(paymentsBefore);
  };

  it("a pickup location and a shipping address together → 400 pickup_with_shipping_address, nothing reserved or charged", async () => {
    const product = await shop.world.product({ price: 1200, stock: 5 });
    const store = await storeLocation(shop, [{ variantId: product.variantId, quantity: 5 }]);
    const guest = await guestWith(shop, product.variantId, 1);
    const paymentsBefore = await paymentCount(shop);

    for (const pickupLocationId of [store, ONLINE]) {
      const res = await checkout(guest, { body: { shippingAddress: address, pickupLocationId } });
      expectProblem(res, 400, "pickup_with_shipping_address");
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        "pickupLocationId",
        "shippingAddress",
      ]);
    }
    expectProblem(await checkout(guest, { body: { shippingAddress: undefined } }), 400, "shipping_address_required");
    await nothingDoneFor(product.variantId, guest.id, paymentsBefore);
    expect(await level(shop, product.variantId, store)).toEqual({ onHand: 5, reserved: 0 });
    expect((await guest.api.get(`/api/cart/carts/${guest.id}`)).body.items).toHaveLength(1);
  });

  it("is at a store only: the warehouse, the online channel and an unknown location are refused; a store is free", async () => {
    const product = await shop.world.product({ price: 1200, stock: 10 });
    const guest = await guestWith(shop, product.variantId, 1);
    const paymentsBefore = await paymentCount(shop);
    const pickup = (pickupLocationId: string) =>
      checkout(guest, { body: { shippingAddress: undefined, pickupLocationId } });

    expectProblem(await pickup(CENTRAL), 400, "pickup_location_not_a_store");
    const online = await pickup(ONLINE);
    expectProblem(online, 400, "pickup_location_not_a_store");
    expect(online.body.errors).toEqual([expect.objectContaining({ in: "body", field: "pickupLocationId" })]);
    expectProblem(await pickup(randomUUID()), 400, "pickup_location_not_found");
    await nothingDoneFor(product.variantId, guest.id, paymentsBefore);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 10, reserved: 0 });

    // At a store: no delivery fee under the threshold, the goods taken from that store's stock.
    const store = await storeLocation(shop, [{ variantId: product.variantId, quantity: 3 }]);
    const collect = await pickup(store);
    expect(collect.status, JSON.stringify(collect.body)).toBe(201);
    expect(collect.body).toMatchObject({
      subtotal: 1200,
      shipping: 0,
      total: 1200,
      pickupLocationId: store,
      shippingAddress: null,
    });
    expect(await level(shop, product.variantId, store)).toEqual({ onHand: 2, reserved: 0 });
    expect(await level(shop, product.variantId)).toEqual({ onHand: 10, reserved: 0 });
    const payment = await shop.payments.orders.get(`/api/payments/payments/${collect.body.paymentId}`);
    expect(payment.body).toMatchObject({ status: "captured", amount: 1200 });
  });
});

describe("idempotency", () => {
  it("10 parallel requests with one key make one order; all answer it; another body with that key → 422", async () => {
    const product = await shop.world.product({ stock: 10 });
    const guest = await guestWith(shop, product.variantId, 1);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => checkout(guest, { key })));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];
    expect(await paymentsOf(orderId!)).toEqual([{ status: "captured" }]);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 9, reserved: 0 });

    const again = await checkout(guest, { key });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(orderId);
    // The key is the cart's: without the cart's token, a replay shows nothing.
    expectProblem(
      await shop.orders.guest("someone-else").post(
        "/api/orders/checkout",
        {
          cartId: guest.id,
          email: "camille@example.com",
          shippingAddress: address,
          payment: { method: "card", card: card() },
        },
        { "idempotency-key": key },
      ),
      404,
      "cart_not_found",
    );
    expectProblem(await checkout(guest, { key, body: { email: "other@example.com" } }), 422, "idempotency_key_reused");
    // One checkout started, whatever the number of calls.
    expect((await outbox("orders.checkout.started")).filter((e) => e.cartId === guest.id)).toEqual([
      expect.objectContaining({ orderId, itemCount: 1 }),
    ]);
  });

  it("a failed checkout's key answers the same problem again, and changes nothing", async () => {
    const product = await shop.world.product({ stock: 3 });
    const guest = await guestWith(shop, product.variantId, 1);
    const key = randomUUID();
    expectProblem(await checkout(guest, { key, number: TEST_CARDS.declined }), 402, "card_declined");
    expectProblem(await checkout(guest, { key, number: TEST_CARDS.declined }), 402, "card_declined");
    expect((await payments(shop, { status: "failed" })).length).toBeGreaterThan(0);
    expect(await level(shop, product.variantId)).toEqual({ onHand: 3, reserved: 0 });
    // It did start (once): the funnel counts a checkout begun, and no order paid.
    const started = (await outbox("orders.checkout.started")).filter((e) => e.cartId === guest.id);
    expect(started).toHaveLength(1);
    expect((await outbox("orders.order.paid")).filter((e) => e.orderId === started[0].orderId)).toEqual([]);
  });
});

describe("concurrency", () => {
  it("200 concurrent checkouts for 20 units → exactly 20 orders, 180 clean 409s, stock 0, 20 payments captured", async () => {
    const product = await shop.world.product({ price: 990, stock: 20 });
    const guests = [];
    for (let i = 0; i < 200; i += 25) {
      guests.push(...(await Promise.all(Array.from({ length: 25 }, () => guestWith(shop, product.variantId, 1)))));
    }
    const answers = await Promise.all(guests.map((g) => checkout(g)));
    const statuses = answers.map((a) => a.status);
    const odd = answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => a.body);
    expect(odd).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(180);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.code).toBe("insufficient_stock");
    expect(await level(shop, product.variantId)).toEqual({ onHand: 0, reserved: 0 });
    const orderIds = answers.filter((a) => a.status === 201).map((a) => a.body.id);
    const made = await Promise.all(orderIds.map((orderId) => payments(shop, { orderId })));
    expect(made.flat().map((p) => p.status)).toEqual(Array(20).fill("captured"));
  }, 120_000);
});

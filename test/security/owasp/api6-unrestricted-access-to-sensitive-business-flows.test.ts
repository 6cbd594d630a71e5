import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newCustomer } from "../support/platform";
import {
  ADDRESS,
  CARDS,
  checkout,
  customerCart,
  guestCart,
  levelOf,
  locations,
  newVariant,
  paymentsOf,
} from "../support/shop";

/**
 * OWASP API6:2023 Unrestricted Access to Sensitive Business Flows — the shop's flows used as they
 * were not meant to be: paying twice with one click, refunding twice, collecting for free where no
 * store is, buying what is not in stock, and cart quantities that are not quantities.
 */
const FROM = "127.0.6.1";

describe("API6 unrestricted access to sensitive business flows", () => {
  it("a double-clicked « pay » (one Idempotency-Key) makes one order and one payment; the emptied cart cannot be paid again", async () => {
    const where = await locations(FROM);
    const { variantId } = await newVariant(FROM, { price: 2100, online: 5 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 1);
    const key = randomUUID();

    const clicks = await Promise.all(
      Array.from({ length: 5 }, () => checkout(FROM, { cartId, token: customer.token, key })),
    );
    const settled = await Promise.all(
      clicks.map(async (answer) => {
        // 409 checkout_in_progress: the API says to ask again with the same key for the outcome.
        for (let i = 0; answer.status === 409 && answer.body?.code === "checkout_in_progress" && i < 20; i++) {
          await new Promise((r) => setTimeout(r, 500));
          answer = await checkout(FROM, { cartId, token: customer.token, key });
        }
        return answer;
      }),
    );
    for (const answer of settled) expect(answer.status, answer.text).toBe(201);
    const ids = new Set(settled.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const order = settled[0]!.body;
    expect(await paymentsOf(FROM, order.id)).toEqual([expect.objectContaining({ status: "captured" })]);
    expect(await levelOf(FROM, variantId, where.online)).toEqual({ onHand: 4, reserved: 0, available: 4 });

    // The same key with another card is not a new purchase.
    const otherCard = await checkout(FROM, {
      cartId,
      token: customer.token,
      key,
      card: { ...CARDS.good, number: "5555555555554444" },
    });
    expectProblem(otherCard, 422, "idempotency_key_reused");
    // A new key finds the cart emptied by the order.
    expectProblem(await checkout(FROM, { cartId, token: customer.token }), 400, "cart_empty");
    const orders = await call("GET", "/api/orders", { token: customer.token, from: FROM });
    expect(orders.body.data.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect(await levelOf(FROM, variantId, where.online)).toEqual({ onHand: 4, reserved: 0, available: 4 });
  });

  it("cancelling an order several times at once refunds it once and restocks once", async () => {
    const where = await locations(FROM);
    const { variantId } = await newVariant(FROM, { price: 1700, online: 3 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 2);
    const paid = await checkout(FROM, { cartId, token: customer.token });
    expect(paid.status, paid.text).toBe(201);

    const cancels = await Promise.all(
      Array.from({ length: 4 }, () =>
        call("POST", `/api/orders/${paid.body.id}/cancel`, { token: customer.token, from: FROM }),
      ),
    );
    const ok = cancels.filter((c) => c.status === 200);
    expect(ok.length, cancels.map((c) => `${c.status} ${c.body?.code ?? ""}`).join(", ")).toBeGreaterThanOrEqual(1);
    for (const refused of cancels.filter((c) => c.status !== 200)) expectProblem(refused, 409);
    const order = await call("GET", `/api/orders/${paid.body.id}`, { token: customer.token, from: FROM });
    expect(order.body).toMatchObject({ status: "refunded", refundedAmount: paid.body.total });
    expect(await paymentsOf(FROM, paid.body.id)).toEqual([
      expect.objectContaining({ status: "refunded", amount: paid.body.total }),
    ]);
    expect(await levelOf(FROM, variantId, where.online)).toEqual({ onHand: 3, reserved: 0, available: 3 });
  });

  it("click-and-collect is refused with a shipping address too, at the warehouse, at the online location or at an unknown place; nothing is charged", async () => {
    const where = await locations(FROM);
    const { variantId } = await newVariant(FROM, { price: 900, online: 5 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 1);
    const cases: [Record<string, unknown>, string][] = [
      [{ pickupLocationId: where.stores[0], shippingAddress: ADDRESS }, "pickup_with_shipping_address"],
      [{ pickupLocationId: where.central, shippingAddress: undefined }, "pickup_location_not_a_store"],
      [{ pickupLocationId: where.online, shippingAddress: undefined }, "pickup_location_not_a_store"],
      [{ pickupLocationId: randomUUID(), shippingAddress: undefined }, "pickup_location_not_found"],
      [{ shippingAddress: undefined }, "shipping_address_required"],
    ];
    for (const [body, code] of cases) {
      const res = await checkout(FROM, { cartId, token: customer.token, body });
      expectProblem(res, 400, code);
    }
    const orders = await call("GET", "/api/orders", { token: customer.token, from: FROM });
    expect(orders.body.data).toEqual([]);
    expect(await levelOf(FROM, variantId, where.online)).toEqual({ onHand: 5, reserved: 0, available: 5 });
  });

  it("buying more than the stock is refused: by the cart, and by the checkout when others bought it first (409, nothing charged)", async () => {
    const where = await locations(FROM);
    const { variantId } = await newVariant(FROM, { price: 3300, online: 2 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 1);
    expectProblem(
      await call("PATCH", `/api/cart/carts/${cartId}/items/${variantId}`, {
        token: customer.token,
        body: { quantity: 3 },
        from: FROM,
      }),
      409,
      "insufficient_stock",
    );
    const guest = await guestCart(FROM, variantId, 2);
    expectProblem(
      await call("POST", `/api/cart/carts/${guest.id}/items`, {
        headers: { "x-cart-token": guest.token },
        body: { variantId, quantity: 1 },
        from: FROM,
      }),
      409,
      "insufficient_stock",
    );
    // The guest buys both units; the customer's cart now asks for what is gone.
    const first = await checkout(FROM, { cartId: guest.id, cartToken: guest.token, email: "first@example.com" });
    expect(first.status, first.text).toBe(201);
    const second = await checkout(FROM, { cartId, token: customer.token });
    expectProblem(second, 409, "insufficient_stock");
    expect(await levelOf(FROM, variantId, where.online)).toEqual({ onHand: 0, reserved: 0, available: 0 });
    const orders = await call("GET", "/api/orders", { token: customer.token, from: FROM });
    expect(orders.body.data).toEqual([]);
  });

  it("a cart line with a negative, zero, fractional, huge or non-numeric quantity is refused (400), and the cart is unchanged", async () => {
    const { variantId } = await newVariant(FROM, { price: 500, online: 10 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 2);
    const quantities: unknown[] = [-1, -1000, 0, 1.5, 1000, 1e9, 2 ** 53, "1e3", "two", null, true, [1], { n: 1 }];
    for (const quantity of quantities) {
      const added = await call("POST", `/api/cart/carts/${cartId}/items`, {
        token: customer.token,
        body: { variantId, quantity },
        from: FROM,
      });
      expectProblem(added, 400, "validation_failed");
      const changed = await call("PATCH", `/api/cart/carts/${cartId}/items/${variantId}`, {
        token: customer.token,
        body: { quantity },
        from: FROM,
      });
      expectProblem(changed, 400, "validation_failed");
    }
    // A number sent as text is not a quantity either, nor is a body that is not JSON.
    expectProblem(
      await call("POST", `/api/cart/carts/${cartId}/items`, {
        token: customer.token,
        body: `{"variantId":"${variantId}","quantity":"-5"}`,
        from: FROM,
      }),
      400,
    );
    const cart = await call("GET", `/api/cart/carts/${cartId}`, { token: customer.token, from: FROM });
    expect(cart.body.items).toEqual([expect.objectContaining({ variantId, quantity: 2 })]);
    expect(cart.body.subtotal).toBe(1000);
  });
});

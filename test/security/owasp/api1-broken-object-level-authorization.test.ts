import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newCustomer, token } from "../support/platform";
import { ADDRESS, buy, checkout, customerCart, guestCart, levelOf, locations, newVariant } from "../support/shop";

/**
 * OWASP API1:2023 Broken Object Level Authorization — one customer (Bob) names the objects of
 * another (Alice: her order, cart, address, payment, profile; a guest's cart and order) by id,
 * through the gateway: every read and every change is a 403 or 404 that shows nothing of them, and
 * ids of someone else sent in a body or a query are ignored or refused.
 */
const FROM = "127.0.1.1";

describe("API1 broken object level authorization", () => {
  let variantId: string;
  let alice: Awaited<ReturnType<typeof newCustomer>>;
  let bob: Awaited<ReturnType<typeof newCustomer>>;
  let aliceOrder: Awaited<ReturnType<typeof buy>>;

  beforeAll(async () => {
    ({ variantId } = await newVariant(FROM, { price: 1200, online: 20 }));
    alice = await newCustomer("127.0.1.2");
    bob = await newCustomer("127.0.1.3");
    aliceOrder = await buy(FROM, alice.token, variantId);
  }, 60_000);

  /** Whatever a refusal says (beyond the ids in the path it echoes), it says nothing of Alice's order. */
  const revealsNothing = (text: string) => {
    expect(text).not.toContain(alice.email);
    expect(text).not.toContain(ADDRESS.line1);
    expect(text).not.toMatch(/"(total|amount|last4|lines|shippingAddress)"/);
  };

  it("another customer's order is a 404 to read and to cancel, and stays paid", async () => {
    const read = await call("GET", `/api/orders/${aliceOrder.id}`, { token: bob.token, from: FROM });
    expectProblem(read, 404, "order_not_found");
    revealsNothing(read.text);
    const cancel = await call("POST", `/api/orders/${aliceOrder.id}/cancel`, {
      token: bob.token,
      body: { reason: "not mine" },
      from: FROM,
    });
    expectProblem(cancel, 404, "order_not_found");
    revealsNothing(cancel.text);

    const still = await call("GET", `/api/orders/${aliceOrder.id}`, { token: alice.token, from: FROM });
    expect(still.status, still.text).toBe(200);
    expect(still.body).toMatchObject({ status: "paid", refundedAmount: 0, cancelReason: null });
  });

  it("a customer's order list holds only their own orders, whatever customerId the query names", async () => {
    const mine = await buy(FROM, bob.token, variantId);
    const listed = await call("GET", `/api/orders?customerId=${alice.userId}&limit=100`, {
      token: bob.token,
      from: FROM,
    });
    if (listed.status === 200) {
      const ids = listed.body.data.map((o: { id: string }) => o.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(aliceOrder.id);
      for (const order of listed.body.data) expect(order.customerId).toBe(bob.userId);
    } else {
      expectProblem(listed);
      expect([400, 403]).toContain(listed.status);
    }
  });

  it("another customer's cart cannot be read, filled, changed, emptied, merged or checked out", async () => {
    const aliceCart = await customerCart(FROM, alice.token, variantId, 2);
    const bobs = { token: bob.token, from: FROM };
    const attempts = [
      await call("GET", `/api/cart/carts/${aliceCart}`, bobs),
      await call("POST", `/api/cart/carts/${aliceCart}/items`, { ...bobs, body: { variantId, quantity: 1 } }),
      await call("PATCH", `/api/cart/carts/${aliceCart}/items/${variantId}`, { ...bobs, body: { quantity: 9 } }),
      await call("DELETE", `/api/cart/carts/${aliceCart}/items/${variantId}`, bobs),
      await call("POST", `/api/cart/carts/${aliceCart}/associate`, bobs),
    ];
    for (const attempt of attempts) {
      expectProblem(attempt, 404, "cart_not_found");
      expect(attempt.text).not.toContain(alice.userId);
    }
    const paid = await checkout(FROM, { cartId: aliceCart, token: bob.token });
    expectProblem(paid);
    expect([403, 404]).toContain(paid.status);

    const untouched = await call("GET", `/api/cart/carts/${aliceCart}`, { token: alice.token, from: FROM });
    expect(untouched.status, untouched.text).toBe(200);
    expect(untouched.body.items).toEqual([expect.objectContaining({ variantId, quantity: 2 })]);
    const bobsOrders = await call("GET", "/api/orders?limit=100", bobs);
    expect(bobsOrders.body.data.every((o: { total: number }) => o.total !== untouched.body.subtotal)).toBe(true);
  });

  it("a guest cart opens only with its own token, not with none, a wrong one, another cart's, or a customer's login", async () => {
    const cart = await guestCart(FROM, variantId, 1);
    const other = await guestCart(FROM, variantId, 1);
    const wrong: Record<string, string>[] = [{}, { "x-cart-token": "not-the-token" }, { "x-cart-token": other.token }];
    for (const headers of wrong) {
      expectProblem(await call("GET", `/api/cart/carts/${cart.id}`, { headers, from: FROM }), 404, "cart_not_found");
      expectProblem(
        await call("POST", `/api/cart/carts/${cart.id}/items`, {
          headers,
          body: { variantId, quantity: 1 },
          from: FROM,
        }),
        404,
        "cart_not_found",
      );
    }
    // Bob may log in, but only the token holder merges a guest cart into their own.
    expectProblem(
      await call("POST", `/api/cart/carts/${cart.id}/associate`, { token: bob.token, from: FROM }),
      404,
      "cart_not_found",
    );
    // Nor is a guest's cart checked out without its token (as a guest or as Bob).
    const asGuest = await checkout(FROM, { cartId: cart.id, cartToken: other.token, email: "thief@example.com" });
    expect([403, 404]).toContain(asGuest.status);
    const asBob = await checkout(FROM, { cartId: cart.id, token: bob.token });
    expect([403, 404]).toContain(asBob.status);
    const kept = await call("GET", `/api/cart/carts/${cart.id}`, {
      headers: { "x-cart-token": cart.token },
      from: FROM,
    });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body.items).toEqual([expect.objectContaining({ variantId, quantity: 1 })]);
  });

  it("a guest's order is seen by no customer", async () => {
    const cart = await guestCart(FROM, variantId, 1);
    const placed = await checkout(FROM, { cartId: cart.id, cartToken: cart.token, email: "guest-api1@example.com" });
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body.customerId).toBeNull();
    for (const who of [bob, alice]) {
      expectProblem(await call("GET", `/api/orders/${placed.body.id}`, { token: who.token, from: FROM }), 404);
      expectProblem(await call("POST", `/api/orders/${placed.body.id}/cancel`, { token: who.token, from: FROM }), 404);
    }
  });

  it("a new cart belongs to the caller, whatever customerId its body names", async () => {
    const cart = await call("POST", "/api/cart/carts", {
      token: bob.token,
      body: { customerId: alice.userId },
      from: FROM,
    });
    if (cart.status === 400) return expectProblem(cart, 400);
    expect([200, 201], cart.text).toContain(cart.status);
    expect(cart.body.customerId).toBe(bob.userId);
  });

  it("another customer's address cannot be changed or deleted, and is listed to its owner only", async () => {
    const added = await call("POST", "/api/identity/me/addresses", {
      token: alice.token,
      body: { name: "Alice", line1: "3 place Bellecour", postalCode: "69002", city: "Lyon", country: "FR" },
      from: FROM,
    });
    expect(added.status, added.text).toBe(201);
    const id = added.body.id as string;

    const changed = await call("PATCH", `/api/identity/me/addresses/${id}`, {
      token: bob.token,
      body: { line1: "1 rue du Vol" },
      from: FROM,
    });
    expectProblem(changed, 404);
    expect(changed.text).not.toContain("Bellecour");
    expectProblem(await call("DELETE", `/api/identity/me/addresses/${id}`, { token: bob.token, from: FROM }), 404);
    const bobs = await call("GET", "/api/identity/me/addresses", { token: bob.token, from: FROM });
    expect(bobs.status).toBe(200);
    expect(bobs.text).not.toContain(id);

    const hers = await call("GET", "/api/identity/me/addresses", { token: alice.token, from: FROM });
    expect(hers.body.data).toEqual([expect.objectContaining({ id, line1: "3 place Bellecour" })]);
  });

  it("payments, refunds and other people's profiles are not a customer's to read or change (403)", async () => {
    const bobs = { token: bob.token, from: FROM };
    const attempts = [
      await call("GET", `/api/payments/payments/${aliceOrder.paymentId}`, bobs),
      await call("GET", `/api/payments/payments?orderId=${aliceOrder.id}`, bobs),
      await call("GET", `/api/payments/payments/${aliceOrder.paymentId}/refunds`, bobs),
      await call("POST", `/api/payments/payments/${aliceOrder.paymentId}/refunds`, {
        ...bobs,
        headers: { "idempotency-key": randomUUID() },
        body: { amount: aliceOrder.total, reason: "mine now" },
      }),
      await call("GET", `/api/identity/users/${alice.userId}`, bobs),
      await call("PATCH", `/api/identity/users/${alice.userId}`, { ...bobs, body: { name: "Pwned" } }),
      // Not even Alice reads her payment record: the order shows what she may see of it.
      await call("GET", `/api/payments/payments/${aliceOrder.paymentId}`, { token: alice.token, from: FROM }),
    ];
    for (const attempt of attempts) {
      expectProblem(attempt, 403);
      revealsNothing(attempt.text);
    }
    const order = await call("GET", `/api/orders/${aliceOrder.id}`, { token: alice.token, from: FROM });
    expect(order.body).toMatchObject({ status: "paid", refundedAmount: 0 });
  });

  it("a clerk reads and moves only their own store's stock (403 location_forbidden elsewhere)", async () => {
    const clerk = await token("clerk", FROM);
    const where = await locations(FROM);
    const [, otherStore] = where.stores;
    const before = await levelOf(FROM, variantId, otherStore!);
    for (const locationId of [otherStore!, where.central, where.online]) {
      expectProblem(
        await call("GET", `/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`, {
          token: clerk,
          from: FROM,
        }),
        403,
        "location_forbidden",
      );
    }
    expectProblem(
      await call("POST", "/api/supply/requests", {
        token: clerk,
        body: { locationId: otherStore, items: [{ variantId, quantity: 1 }], note: "for another store" },
        from: FROM,
      }),
      403,
      "location_forbidden",
    );
    expect(await levelOf(FROM, variantId, otherStore!)).toEqual(before);
  });
});

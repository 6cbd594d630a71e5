import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  add,
  type CartInstance,
  type CartWorld,
  expectProblem,
  guestCart,
  sleep,
  STORES,
  startCartWorld,
} from "./support/harness";

let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("associate");
});
afterAll(async () => w?.close());

const lines = (cart: any) => cart.items.map((l: any) => [l.variantId, l.quantity]);

describe.each(STORES)("at login, the guest cart goes to the customer (%s)", (store) => {
  let cart: CartInstance;
  beforeAll(async () => {
    cart = store === "postgresql" ? w.cart : await w.instance({ store });
  });

  it("merges into the customer's cart, quantities added; the guest cart and its token are gone", async () => {
    const a = await w.product();
    const b = await w.product();
    const { id: customerId, api: customer } = await cart.customer();
    const mine = (await customer.post("/api/cart/carts")).body.id;
    await add(customer, mine, a.variantId, 1);
    const guest = await guestCart(cart);
    await add(guest.api, guest.id, a.variantId, 2);
    await add(guest.api, guest.id, b.variantId, 1);

    const res = await customer.post(`/api/cart/carts/${guest.id}/associate`, undefined, {
      "x-cart-token": guest.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: mine, customerId, itemCount: 4 });
    expect(lines(res.body)).toEqual([
      [a.variantId, 3],
      [b.variantId, 1],
    ]);
    expect(lines((await customer.get("/api/cart/me")).body)).toEqual(lines(res.body));

    expectProblem(await guest.api.get(`/api/cart/carts/${guest.id}`), 404, "cart_not_found");
    expectProblem(
      await customer.post(`/api/cart/carts/${guest.id}/associate`, undefined, { "x-cart-token": guest.token }),
      404,
      "cart_not_found",
    );
  });

  it("makes the guest cart the customer's when they have none; its token no longer opens it", async () => {
    const a = await w.product();
    const { id: customerId, api: customer } = await cart.customer();
    const guest = await guestCart(cart);
    await add(guest.api, guest.id, a.variantId, 2);

    const res = await customer.post(`/api/cart/carts/${guest.id}/associate`, undefined, {
      "x-cart-token": guest.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: guest.id, customerId });
    expect(lines(res.body)).toEqual([[a.variantId, 2]]);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now() + 89 * 24 * 3600_000);
    expect((await customer.get("/api/cart/me")).body.id).toBe(guest.id);
    expect((await customer.get(`/api/cart/carts/${guest.id}`)).status).toBe(200);
    expectProblem(await guest.api.get(`/api/cart/carts/${guest.id}`), 404, "cart_not_found");
    expectProblem(
      await guest.api.post(`/api/cart/carts/${guest.id}/items`, { variantId: a.variantId, quantity: 1 }),
      404,
      "cart_not_found",
    );
    // Creating "a cart" now gives this one back.
    expect((await customer.post("/api/cart/carts")).body.id).toBe(guest.id);
  });

  it("an unknown guest cart, a wrong or missing token, or another customer's cart: 404, the customer's cart unchanged", async () => {
    const a = await w.product();
    const { api: customer } = await cart.customer();
    const mine = (await customer.post("/api/cart/carts")).body.id;
    await add(customer, mine, a.variantId, 1);
    const guest = await guestCart(cart);
    await add(guest.api, guest.id, a.variantId, 5);
    const { api: other } = await cart.customer();
    const theirs = (await other.post("/api/cart/carts")).body.id;

    const attempts = [
      customer.post(`/api/cart/carts/0192f5a0-0000-7000-8000-0000000000ff/associate`, undefined, {
        "x-cart-token": guest.token,
      }),
      customer.post(`/api/cart/carts/${guest.id}/associate`, undefined, { "x-cart-token": "wrong" }),
      customer.post(`/api/cart/carts/${guest.id}/associate`),
      customer.post(`/api/cart/carts/${theirs}/associate`, undefined, { "x-cart-token": guest.token }),
      customer.post(`/api/cart/carts/${mine}/associate`, undefined, { "x-cart-token": guest.token }),
    ];
    for (const res of await Promise.all(attempts)) expectProblem(res, 404, "cart_not_found");
    expect(lines((await customer.get("/api/cart/me")).body)).toEqual([[a.variantId, 1]]);
    expect(lines((await guest.api.get(`/api/cart/carts/${guest.id}`)).body)).toEqual([[a.variantId, 5]]);
    // A guest (no user token) or a service cannot associate.
    expectProblem(await guest.api.post(`/api/cart/carts/${guest.id}/associate`), 401, "unauthorized");
    expectProblem(
      await cart.orders.post(`/api/cart/carts/${guest.id}/associate`, undefined, { "x-cart-token": guest.token }),
      403,
      "forbidden",
    );
  });

  it("an expired guest cart: 404 with a clear detail, the customer's cart unchanged", async () => {
    const a = await w.product();
    const shortLived = await w.instance({ store, ttl: { guestSeconds: 1 } });
    try {
      const { api: customer } = await shortLived.customer();
      const mine = (await customer.post("/api/cart/carts")).body.id;
      await add(customer, mine, a.variantId, 1);
      const guest = await guestCart(shortLived);
      await add(guest.api, guest.id, a.variantId, 2);
      await sleep(1100);
      const res = await customer.post(`/api/cart/carts/${guest.id}/associate`, undefined, {
        "x-cart-token": guest.token,
      });
      expectProblem(res, 404, "cart_not_found");
      expect(res.body.detail).toMatch(/expired.*unchanged/);
      expect(lines((await customer.get("/api/cart/me")).body)).toEqual([[a.variantId, 1]]);
    } finally {
      await shortLived.close();
    }
  });

  it("two guest carts associated at once by a customer without a cart end up in one cart", async () => {
    const a = await w.product();
    const b = await w.product();
    const { api: customer } = await cart.customer();
    const g1 = await guestCart(cart);
    const g2 = await guestCart(cart);
    await add(g1.api, g1.id, a.variantId, 1);
    await add(g2.api, g2.id, a.variantId, 2);
    await add(g2.api, g2.id, b.variantId, 1);
    const results = await Promise.all(
      [g1, g2].map((g) => customer.post(`/api/cart/carts/${g.id}/associate`, undefined, { "x-cart-token": g.token })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const me = (await customer.get("/api/cart/me")).body;
    expect(Object.fromEntries(lines(me))).toEqual({ [a.variantId]: 3, [b.variantId]: 1 });
    expect([g1.id, g2.id]).toContain(me.id);
  });
});

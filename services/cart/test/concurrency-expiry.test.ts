import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { add, type CartWorld, expectProblem, guestCart, sleep, STORES, startCartWorld } from "./support/harness";

let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("concurrency");
});
afterAll(async () => w?.close());

describe.each(STORES)("carts under load and over time (%s)", (store) => {
  it("20 adds of 1 to the same line at once make a quantity of 20: no update is lost", async () => {
    const cart = store === "postgresql" ? w.cart : await w.instance({ store });
    const p = await w.product({ stock: 100 });
    const guest = await guestCart(cart);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        guest.api.post(`/api/cart/carts/${guest.id}/items`, { variantId: p.variantId, quantity: 1 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const read = await guest.api.get(`/api/cart/carts/${guest.id}`);
    expect(read.body.items).toHaveLength(1);
    expect(read.body.items[0].quantity).toBe(20);
  });

  it("a cart is gone once its lifetime has passed since its last change", async () => {
    const p = await w.product();
    const shortLived = await w.instance({ store, ttl: { guestSeconds: 2, customerSeconds: 2 } });
    try {
      const guest = await guestCart(shortLived);
      await add(guest.api, guest.id, p.variantId, 1);
      const { api: customer } = await shortLived.customer();
      const mine = (await customer.post("/api/cart/carts")).body.id;
      await sleep(1200);
      // A write pushes the expiry back.
      await add(guest.api, guest.id, p.variantId, 1);
      await sleep(1200);
      expect((await guest.api.get(`/api/cart/carts/${guest.id}`)).status).toBe(200);
      expectProblem(await customer.get("/api/cart/me"), 404, "cart_not_found");
      await sleep(1000);
      expectProblem(await guest.api.get(`/api/cart/carts/${guest.id}`), 404, "cart_not_found");
      expectProblem(
        await guest.api.post(`/api/cart/carts/${guest.id}/items`, { variantId: p.variantId, quantity: 1 }),
        404,
        "cart_not_found",
      );
      // The customer starts over with a new cart.
      const again = await customer.post("/api/cart/carts");
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(mine);
      if (store === "postgresql") expect(await shortLived.store.sweep()).toBeGreaterThanOrEqual(1);
    } finally {
      await shortLived.close();
    }
  });
});

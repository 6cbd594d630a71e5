import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { add, type CartWorld, expectProblem, guestCart, ONLINE, startCartWorld } from "./support/harness";

let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("carts");
});
afterAll(async () => w?.close());

const UNKNOWN = "0192f5a0-0000-7000-8000-0000000000ff";

describe("a guest cart", () => {
  it("is created with a secret token given once; its lines are added, merged, changed and removed", async () => {
    const shirt = await w.product({ price: 1990 });
    const socks = await w.product({ price: 500 });
    const created = await w.cart.anonymous.post("/api/cart/carts");
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { id, token } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(created.body).toMatchObject({ customerId: null, items: [], itemCount: 0, subtotal: 0, currency: null });
    const stored = await w.testbed.database.db.query("SELECT token_hash FROM carts WHERE id = $1", [id]);
    expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0].token_hash).not.toContain(token);

    const api = w.cart.guest(token);
    await add(api, id, shirt.variantId, 1);
    await add(api, id, socks.variantId, 3);
    const merged = await add(api, id, shirt.variantId, 2);
    expect(merged.items.map((l: any) => [l.variantId, l.quantity])).toEqual([
      [shirt.variantId, 3],
      [socks.variantId, 3],
    ]);
    expect(merged.items[0]).toEqual({
      variantId: shirt.variantId,
      productId: shirt.id,
      sku: shirt.variants[0]!.sku,
      name: shirt.name,
      thumbnailUrl: null,
      quantity: 3,
      unitPrice: 1990,
      currency: "EUR",
      lineTotal: 5970,
      priceAtAdd: 1990,
      priceChanged: false,
      available: 50,
      insufficientStock: false,
      unavailable: false,
    });
    expect(merged).toMatchObject({ itemCount: 6, subtotal: 5970 + 1500, currency: "EUR", warnings: [] });
    expect(merged.token).toBeUndefined();

    const changed = await api.patch(`/api/cart/carts/${id}/items/${socks.variantId}`, { quantity: 1 });
    expect(changed.status).toBe(200);
    expect(changed.body.items[1].quantity).toBe(1);
    const removed = await api.delete(`/api/cart/carts/${id}/items/${shirt.variantId}`);
    expect(removed.status).toBe(200);
    expect(removed.body.items.map((l: any) => l.variantId)).toEqual([socks.variantId]);
    expectProblem(await api.delete(`/api/cart/carts/${id}/items/${shirt.variantId}`), 404, "line_not_found");
    expectProblem(
      await api.patch(`/api/cart/carts/${id}/items/${shirt.variantId}`, { quantity: 2 }),
      404,
      "line_not_found",
    );

    const read = await api.get(`/api/cart/carts/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, itemCount: 1, subtotal: 500 });
  });

  it("each write pushes its expiry back", async () => {
    const p = await w.product();
    const { id, api } = await guestCart(w.cart);
    const before = Date.parse((await api.get(`/api/cart/carts/${id}`)).body.expiresAt);
    expect(before).toBeGreaterThan(Date.now() + 7 * 24 * 3600_000 - 60_000);
    await new Promise((r) => setTimeout(r, 20));
    const after = Date.parse((await add(api, id, p.variantId, 1)).expiresAt);
    expect(after).toBeGreaterThan(before);
  });

  it("without its token, with a wrong one, or someone else's: 404 (the cart's existence is not revealed)", async () => {
    const p = await w.product();
    const { id, token, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 1);
    const other = await guestCart(w.cart);
    const { api: customer } = await w.cart.customer();
    for (const caller of [w.cart.anonymous, w.cart.guest("not-the-token"), other.api, customer]) {
      expectProblem(await caller.get(`/api/cart/carts/${id}`), 404, "cart_not_found");
      expectProblem(
        await caller.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity: 1 }),
        404,
        "cart_not_found",
      );
      expectProblem(
        await caller.patch(`/api/cart/carts/${id}/items/${p.variantId}`, { quantity: 2 }),
        404,
        "cart_not_found",
      );
      expectProblem(await caller.delete(`/api/cart/carts/${id}/items/${p.variantId}`), 404, "cart_not_found");
    }
    expectProblem(await api.get(`/api/cart/carts/${UNKNOWN}`), 404, "cart_not_found");
    expect((await api.get(`/api/cart/carts/${id}`)).body.items[0].quantity).toBe(1);
    // The orders service reads any cart, but a guest token it passes along must still be the right one.
    const authorization = `Bearer ${await w.inventory.issuer.token({ service: "orders" })}`;
    const orders = (cartToken: string) => w.cart.guest(cartToken, { authorization });
    expect((await w.cart.orders.get(`/api/cart/carts/${id}`)).status).toBe(200);
    expect((await orders(token).get(`/api/cart/carts/${id}`)).status).toBe(200);
    expectProblem(await orders(other.token).get(`/api/cart/carts/${id}`), 404, "cart_not_found");
  });

  it("refuses quantities outside 1..999 per line", async () => {
    const p = await w.product({ stock: 2000 });
    const { id, api } = await guestCart(w.cart);
    for (const quantity of [0, -1, 1000, 1.5]) {
      expectProblem(
        await api.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity }),
        400,
        "validation_failed",
      );
    }
    await add(api, id, p.variantId, 999);
    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity: 1 }),
      409,
      "line_quantity_limit",
    );
    expectProblem(
      await api.patch(`/api/cart/carts/${id}/items/${p.variantId}`, { quantity: 1000 }),
      400,
      "validation_failed",
    );
  });
});

describe("adding what cannot be sold", () => {
  it("an unknown variant is 404, a product not active 409, more than available 409 with what is", async () => {
    const draft = await w.product({ status: "draft" });
    const archived = await w.product();
    expect((await w.catalog.admin.post(`/api/catalog/products/${archived.id}/archive`)).status).toBe(200);
    const scarce = await w.product({ stock: 3 });
    const { id, api } = await guestCart(w.cart);

    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: UNKNOWN, quantity: 1 }),
      404,
      "variant_not_found",
    );
    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: draft.variantId, quantity: 1 }),
      409,
      "variant_not_available",
    );
    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: archived.variantId, quantity: 1 }),
      409,
      "variant_not_available",
    );
    const tooMany = await api.post(`/api/cart/carts/${id}/items`, { variantId: scarce.variantId, quantity: 4 });
    expectProblem(tooMany, 409, "insufficient_stock");
    expect(tooMany.body).toMatchObject({ variantId: scarce.variantId, requested: 4, available: 3 });

    await add(api, id, scarce.variantId, 2);
    // The merged quantity counts: 2 in the cart + 2 more > 3.
    const merged = await api.post(`/api/cart/carts/${id}/items`, { variantId: scarce.variantId, quantity: 2 });
    expectProblem(merged, 409, "insufficient_stock");
    expect(merged.body.available).toBe(3);
    expectProblem(
      await api.patch(`/api/cart/carts/${id}/items/${scarce.variantId}`, { quantity: 4 }),
      409,
      "insufficient_stock",
    );
    // Lowering is never refused.
    expect((await api.patch(`/api/cart/carts/${id}/items/${scarce.variantId}`, { quantity: 1 })).status).toBe(200);
    expect((await api.get(`/api/cart/carts/${id}`)).body.items).toHaveLength(1);
  });
});

describe("reading a cart re-prices it and checks stock, flagging without altering", () => {
  it("a price changed in catalog shows the new price, flagged, with the price at add kept", async () => {
    const p = await w.product({ price: 1000 });
    const { id, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 2);
    const price = await w.catalog.admin.put(`/api/catalog/variants/${p.variantId}/price`, { price: 1200 });
    expect(price.status, JSON.stringify(price.body)).toBe(200);

    const cart = (await api.get(`/api/cart/carts/${id}`)).body;
    expect(cart.items[0]).toMatchObject({
      unitPrice: 1200,
      priceAtAdd: 1000,
      priceChanged: true,
      lineTotal: 2400,
      quantity: 2,
    });
    expect(cart.subtotal).toBe(2400);
    expect(cart.warnings).toEqual([
      { variantId: p.variantId, code: "price_changed", detail: expect.stringContaining("10.00 EUR to 12.00 EUR") },
    ]);
    // Adding again takes today's price: the flag goes.
    const again = await add(api, id, p.variantId, 1);
    expect(again.items[0]).toMatchObject({ unitPrice: 1200, priceAtAdd: 1200, priceChanged: false, quantity: 3 });
  });

  it("a line with more than is left is flagged; its quantity stays", async () => {
    const p = await w.product({ stock: 5 });
    const { id, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 4);
    const sale = await w.inventory.admin.post("/api/inventory/stock/adjust", {
      variantId: p.variantId,
      locationId: ONLINE,
      changeQuantity: -3,
      type: "sale",
      reason: "sold in store",
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const cart = (await api.get(`/api/cart/carts/${id}`)).body;
    expect(cart.items[0]).toMatchObject({ quantity: 4, available: 2, insufficientStock: true });
    expect(cart.warnings).toEqual([{ variantId: p.variantId, code: "insufficient_stock", detail: expect.any(String) }]);
  });

  it("a product archived after it was added is flagged unavailable and left out of the subtotal", async () => {
    const kept = await w.product({ price: 700 });
    const gone = await w.product({ price: 900 });
    const { id, api } = await guestCart(w.cart);
    await add(api, id, kept.variantId, 1);
    await add(api, id, gone.variantId, 1);
    expect((await w.catalog.admin.post(`/api/catalog/products/${gone.id}/archive`)).status).toBe(200);
    const cart = (await api.get(`/api/cart/carts/${id}`)).body;
    expect(cart.items[1]).toMatchObject({ variantId: gone.variantId, unavailable: true, quantity: 1 });
    expect(cart.subtotal).toBe(700);
    expect(cart.warnings.map((x: any) => x.code)).toEqual(["variant_unavailable"]);
  });

  it("with catalog down, the cart is still shown with its stored prices and a warning; adding is a 503", async () => {
    const p = await w.product({ price: 1500 });
    const { id, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 2);
    w.catalogDoor.mode = "down";
    try {
      const res = await api.get(`/api/cart/carts/${id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items[0]).toMatchObject({
        sku: p.variants[0]!.sku,
        name: p.name,
        unitPrice: 1500,
        priceAtAdd: 1500,
        priceChanged: false,
        unavailable: false,
        available: 50,
        lineTotal: 3000,
      });
      expect(res.body.subtotal).toBe(3000);
      expect(res.body.warnings).toEqual([{ variantId: null, code: "pricing_unavailable", detail: expect.any(String) }]);
      const adding = await api.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity: 1 });
      expectProblem(adding, 503, "service_unavailable");
      // Quantities can still be changed.
      expect((await api.patch(`/api/cart/carts/${id}/items/${p.variantId}`, { quantity: 1 })).status).toBe(200);
    } finally {
      w.catalogDoor.mode = "up";
    }
  });

  it("with inventory down, the cart is shown without availability and a warning; adds go through unchecked", async () => {
    const p = await w.product();
    const { id, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 1);
    w.inventoryDoor.mode = "down";
    try {
      const cart = await add(api, id, p.variantId, 1);
      expect(cart.items[0]).toMatchObject({ quantity: 2, available: null, insufficientStock: false });
      expect(cart.warnings).toEqual([
        { variantId: null, code: "availability_unavailable", detail: expect.any(String) },
      ]);
    } finally {
      w.inventoryDoor.mode = "up";
    }
  });
});

describe("a customer's cart", () => {
  it("is created once per customer, opened with their token only, and found at /me", async () => {
    const p = await w.product();
    const { id: customerId, api } = await w.cart.customer();
    expectProblem(await api.get("/api/cart/me"), 404, "cart_not_found");

    const created = await api.post("/api/cart/carts");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerId, items: [] });
    expect(created.body.token).toBeUndefined();
    expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now() + 89 * 24 * 3600_000);
    const again = await api.post("/api/cart/carts");
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);

    await add(api, created.body.id, p.variantId, 2);
    const me = await api.get("/api/cart/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: created.body.id, customerId, itemCount: 2 });

    const { api: stranger } = await w.cart.customer();
    expectProblem(await stranger.get(`/api/cart/carts/${created.body.id}`), 404, "cart_not_found");
    expectProblem(await w.cart.anonymous.get(`/api/cart/carts/${created.body.id}`), 404, "cart_not_found");
    // The orders service (carts:manage) reads any cart, but does not shop.
    expect((await w.cart.orders.get(`/api/cart/carts/${created.body.id}`)).body.itemCount).toBe(2);
    expectProblem(
      await w.cart.orders.post(`/api/cart/carts/${created.body.id}/items`, { variantId: p.variantId, quantity: 1 }),
      404,
      "cart_not_found",
    );
    expectProblem(await w.cart.orders.post("/api/cart/carts"), 403, "forbidden");
    expectProblem(await w.cart.orders.get("/api/cart/me"), 403, "forbidden");
    expectProblem(await w.cart.anonymous.get("/api/cart/me"), 401, "unauthorized");
  });

  it("two creations at once still give one cart", async () => {
    const { api } = await w.cart.customer();
    const results = await Promise.all([
      api.post("/api/cart/carts"),
      api.post("/api/cart/carts"),
      api.post("/api/cart/carts"),
    ]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
  });
});

describe("the cart as stored (refresh=false, for orders)", () => {
  it("answers without asking catalog or inventory: prices at add, availability unknown, no warnings", async () => {
    const p = await w.product({ price: 1500 });
    const { id, api } = await guestCart(w.cart);
    await add(api, id, p.variantId, 2);
    w.catalogDoor.mode = "down";
    w.inventoryDoor.mode = "down";
    try {
      const res = await api.get(`/api/cart/carts/${id}?refresh=false`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items[0]).toMatchObject({
        variantId: p.variantId,
        quantity: 2,
        unitPrice: 1500,
        available: null,
      });
      expect(res.body.warnings).toEqual([]);
      // Access rules are the same: another token opens nothing.
      expectProblem(
        await w.cart.guest("not-the-token").get(`/api/cart/carts/${id}?refresh=false`),
        404,
        "cart_not_found",
      );
    } finally {
      w.catalogDoor.mode = "up";
      w.inventoryDoor.mode = "up";
    }
  });
});

describe("an order taken out of the cart (POST …/ordered)", () => {
  it("removes the ordered quantities once per orderId; later lines stay; carts:manage only", async () => {
    const a = await w.product();
    const b = await w.product();
    const c = await w.product();
    const { id: customerId, api } = await w.cart.customer();
    const cartId = (await api.post("/api/cart/carts")).body.id;
    await add(api, cartId, a.variantId, 3);
    await add(api, cartId, b.variantId, 1);
    // Added after checkout began: not in the order.
    await add(api, cartId, c.variantId, 1);
    const body = {
      orderId: "0192f5a0-0000-7000-8000-0000000000aa",
      items: [
        { variantId: a.variantId, quantity: 2 },
        { variantId: b.variantId, quantity: 1 },
      ],
    };
    expectProblem(await api.post(`/api/cart/carts/${cartId}/ordered`, body), 403, "forbidden");
    expectProblem(await w.cart.anonymous.post(`/api/cart/carts/${cartId}/ordered`, body), 401, "unauthorized");

    const first = await w.cart.orders.post(`/api/cart/carts/${cartId}/ordered`, body);
    expect(first.status, JSON.stringify(first.body)).toBe(204);
    const lines = (cart: any) => cart.items.map((l: any) => [l.variantId, l.quantity]);
    const after = (await api.get("/api/cart/me")).body;
    expect(after.customerId).toBe(customerId);
    expect(lines(after)).toEqual([
      [a.variantId, 1],
      [c.variantId, 1],
    ]);
    const repeat = await w.cart.orders.post(`/api/cart/carts/${cartId}/ordered`, body);
    expect(repeat.status).toBe(204);
    const again = (await api.get("/api/cart/me")).body;
    expect(lines(again)).toEqual(lines(after));
    expect(again.updatedAt).toBe(after.updatedAt);
    expectProblem(await w.cart.orders.post(`/api/cart/carts/${UNKNOWN}/ordered`, body), 404, "cart_not_found");
  });
});

describe("bounds on quantities", () => {
  it("a quantity out of 1–999 is a 400 problem, never a 500: adding, changing, taking an order out", async () => {
    const shirt = await w.product();
    const { api } = await w.cart.customer();
    const cartId = (await api.post("/api/cart/carts")).body.id;
    await add(api, cartId, shirt.variantId, 2);
    for (const quantity of [1e17, -1, 0, 1.5, "abc", 1000]) {
      const item = { variantId: shirt.variantId, quantity };
      expectProblem(await api.post(`/api/cart/carts/${cartId}/items`, item), 400, "validation_failed");
      expectProblem(
        await api.patch(`/api/cart/carts/${cartId}/items/${shirt.variantId}`, { quantity }),
        400,
        "validation_failed",
      );
      expectProblem(
        await w.cart.orders.post(`/api/cart/carts/${cartId}/ordered`, { orderId: `bounds-${quantity}`, items: [item] }),
        400,
        "validation_failed",
      );
    }
    const cart = (await api.get("/api/cart/me")).body;
    expect(cart.items.map((l: any) => l.quantity)).toEqual([2]);
  });
});

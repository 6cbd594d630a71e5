import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  add,
  type CartInstance,
  type CartWorld,
  expectProblem,
  guestCart,
  STORES,
  startCartWorld,
} from "./support/harness";

let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("idempotency");
});
afterAll(async () => w?.close());

const lines = (cart: any) => cart.items.map((l: any) => [l.variantId, l.quantity]);
const keyed = (key: string) => ({ "idempotency-key": key });
const replayed = (res: { headers: Headers }) => res.headers.get("idempotent-replayed");

describe.each(STORES)("a write sent again under its Idempotency-Key is applied once (%s)", (store) => {
  // Two instances on one store: the gateway sends a retry to another instance than the first.
  let first: CartInstance;
  let second: CartInstance;
  beforeAll(async () => {
    first = store === "postgresql" ? w.cart : await w.instance({ store });
    second = await w.instance({ store, sharesStoreWith: first });
  });

  it("adding units twice under one key adds them once; the second answer is the cart, replayed", async () => {
    const a = await w.product();
    const guest = await guestCart(first);
    const key = randomUUID();
    const path = `/api/cart/carts/${guest.id}/items`;

    const once = await guest.api.post(path, { variantId: a.variantId, quantity: 2 }, keyed(key));
    expect(once.status, JSON.stringify(once.body)).toBe(200);
    expect(replayed(once)).toBeNull();
    const again = await second.guest(guest.token).post(path, { variantId: a.variantId, quantity: 2 }, keyed(key));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(replayed(again)).toBe("true");
    expect(lines(again.body)).toEqual([[a.variantId, 2]]);
    expect(again.body).toMatchObject({ id: guest.id, itemCount: 2 });

    // Without a key, an add is an add.
    expect(lines(await add(guest.api, guest.id, a.variantId, 1))).toEqual([[a.variantId, 3]]);
  });

  it("the key with another body is a 422 idempotency_key_reused, and nothing changes", async () => {
    const a = await w.product();
    const b = await w.product();
    const guest = await guestCart(first);
    const key = randomUUID();
    const path = `/api/cart/carts/${guest.id}/items`;
    expect((await guest.api.post(path, { variantId: a.variantId, quantity: 1 }, keyed(key))).status).toBe(200);

    expectProblem(
      await guest.api.post(path, { variantId: a.variantId, quantity: 5 }, keyed(key)),
      422,
      "idempotency_key_reused",
    );
    expectProblem(
      await guest.api.post(path, { variantId: b.variantId, quantity: 1 }, keyed(key)),
      422,
      "idempotency_key_reused",
    );
    // The same key on another operation is another request too.
    expectProblem(
      await guest.api.patch(`${path}/${a.variantId}`, { quantity: 4 }, keyed(key)),
      422,
      "idempotency_key_reused",
    );
    expect(lines((await guest.api.get(`/api/cart/carts/${guest.id}`)).body)).toEqual([[a.variantId, 1]]);
  });

  it("10 adds at once under one key, on two instances, add the units once", async () => {
    const a = await w.product();
    const guest = await guestCart(first);
    const key = randomUUID();
    const apis = [guest.api, second.guest(guest.token)];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        apis[i % 2]!.post(`/api/cart/carts/${guest.id}/items`, { variantId: a.variantId, quantity: 3 }, keyed(key)),
      ),
    );
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(lines(res.body)).toEqual([[a.variantId, 3]]);
    }
    expect(answers.filter((res) => replayed(res) === null)).toHaveLength(1);
    expect(lines((await guest.api.get(`/api/cart/carts/${guest.id}`)).body)).toEqual([[a.variantId, 3]]);
  });

  it("setting a quantity and removing a line: replayed, not 422 nor 404; another quantity under the key is a 422", async () => {
    const a = await w.product();
    const b = await w.product();
    const guest = await guestCart(first);
    await add(guest.api, guest.id, a.variantId, 1);
    await add(guest.api, guest.id, b.variantId, 1);
    const line = (variantId: string) => `/api/cart/carts/${guest.id}/items/${variantId}`;

    const setKey = randomUUID();
    expect((await guest.api.patch(line(a.variantId), { quantity: 4 }, keyed(setKey))).status).toBe(200);
    const setAgain = await second.guest(guest.token).patch(line(a.variantId), { quantity: 4 }, keyed(setKey));
    expect(setAgain.status).toBe(200);
    expect(replayed(setAgain)).toBe("true");
    expectProblem(
      await guest.api.patch(line(a.variantId), { quantity: 2 }, keyed(setKey)),
      422,
      "idempotency_key_reused",
    );

    const removeKey = randomUUID();
    const removed = await guest.api.delete(line(b.variantId), keyed(removeKey));
    expect(removed.status).toBe(200);
    expect(replayed(removed)).toBeNull();
    const removedAgain = await second.guest(guest.token).delete(line(b.variantId), keyed(removeKey));
    expect(removedAgain.status, JSON.stringify(removedAgain.body)).toBe(200);
    expect(replayed(removedAgain)).toBe("true");
    expect(lines(removedAgain.body)).toEqual([[a.variantId, 4]]);
    // Under a new key (or none) the line is gone: 404.
    expectProblem(await guest.api.delete(line(b.variantId), keyed(randomUUID())), 404, "line_not_found");
    expectProblem(await guest.api.delete(line(b.variantId)), 404, "line_not_found");
  });

  it("a guest cart created twice under one key is one cart, with the same token, which opens it", async () => {
    const a = await w.product();
    const key = randomUUID();
    const created = await first.anonymous.post("/api/cart/carts", undefined, keyed(key));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(replayed(created)).toBeNull();
    const { id, token } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]/);

    // The same answer as the first time: 201, the same cart and token.
    const again = await second.anonymous.post("/api/cart/carts", undefined, keyed(key));
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(replayed(again)).toBe("true");
    expect(again.body).toMatchObject({ id, token, customerId: null });

    // The token works; the replayed create answers the cart with its lines.
    await add(first.guest(token), id, a.variantId, 2);
    const later = await first.anonymous.post("/api/cart/carts", undefined, keyed(key));
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ id, token, itemCount: 2 });
    expect(lines(later.body)).toEqual([[a.variantId, 2]]);

    // Another key, another cart.
    const other = await first.anonymous.post("/api/cart/carts", undefined, keyed(randomUUID()));
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(id);
    expect(other.body.token).not.toBe(token);
  });

  it("guest creates at once under one key make one cart", async () => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? second : first).anonymous.post("/api/cart/carts", undefined, keyed(key)),
      ),
    );
    for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(new Set(answers.map((res) => res.body.token)).size).toBe(1);
    expect(answers.filter((res) => replayed(res) === "true").length).toBe(9);
    const { id, token } = answers[0]!.body;
    expect((await first.guest(token).get(`/api/cart/carts/${id}`)).status).toBe(200);
  });

  it("a guest cart's key must be at least 32 characters; a malformed key is a 400", async () => {
    expectProblem(
      await first.anonymous.post("/api/cart/carts", undefined, keyed("short-key")),
      400,
      "idempotency_key_too_short",
    );
    expect((await first.anonymous.post("/api/cart/carts", undefined, keyed("has spaces in it"))).status).toBe(400);
    // A user's create is get-or-create anyway: any valid key is accepted.
    const { api: customer } = await first.customer();
    const mine = await customer.post("/api/cart/carts", undefined, keyed("short-key"));
    expect(mine.status).toBe(201);
    const again = await customer.post("/api/cart/carts", undefined, keyed("short-key"));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(mine.body.id);
  });

  it("an association sent again once the guest cart is gone answers the customer's cart, replayed", async () => {
    const a = await w.product();
    const b = await w.product();
    const { api: customer } = await first.customer();
    const mine = (await customer.post("/api/cart/carts")).body.id;
    await add(customer, mine, a.variantId, 1);
    const guest = await guestCart(first);
    await add(guest.api, guest.id, b.variantId, 2);
    const key = randomUUID();
    const path = `/api/cart/carts/${guest.id}/associate`;
    const headers = { "x-cart-token": guest.token, ...keyed(key) };

    const merged = await customer.post(path, undefined, headers);
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(replayed(merged)).toBeNull();
    const secondCustomer = await second.as({ role: "customer", sub: merged.body.customerId });
    const again = await secondCustomer.post(path, undefined, headers);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(replayed(again)).toBe("true");
    expect(again.body.id).toBe(mine);
    expect(lines(again.body)).toEqual([
      [a.variantId, 1],
      [b.variantId, 2],
    ]);
    // Without the key, or under another one, the guest cart is simply gone.
    expectProblem(await customer.post(path, undefined, { "x-cart-token": guest.token }), 404, "cart_not_found");
    expectProblem(
      await customer.post(path, undefined, { "x-cart-token": guest.token, ...keyed(randomUUID()) }),
      404,
      "cart_not_found",
    );
  });

  it("an adopting association sent again answers the adopted cart, replayed", async () => {
    const a = await w.product();
    const { id: customerId, api: customer } = await first.customer();
    const guest = await guestCart(first);
    await add(guest.api, guest.id, a.variantId, 2);
    const headers = { "x-cart-token": guest.token, ...keyed(randomUUID()) };
    const path = `/api/cart/carts/${guest.id}/associate`;

    const adopted = await customer.post(path, undefined, headers);
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body).toMatchObject({ id: guest.id, customerId });
    const again = await customer.post(path, undefined, headers);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(replayed(again)).toBe("true");
    expect(again.body).toMatchObject({ id: guest.id, customerId, itemCount: 2 });
  });

  it("a guest cart created under a key and adopted since: the key cannot give it back (422)", async () => {
    const key = randomUUID();
    const created = await first.anonymous.post("/api/cart/carts", undefined, keyed(key));
    expect(created.status).toBe(201);
    const { api: customer } = await first.customer();
    const adopted = await customer.post(`/api/cart/carts/${created.body.id}/associate`, undefined, {
      "x-cart-token": created.body.token,
    });
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expectProblem(await second.anonymous.post("/api/cart/carts", undefined, keyed(key)), 422, "idempotency_key_reused");
  });

  it("a cart remembers its last 50 keys", async () => {
    const a = await w.product({ stock: 100 });
    const guest = await guestCart(first);
    const path = `/api/cart/carts/${guest.id}/items`;
    const keys = Array.from({ length: 51 }, () => randomUUID());
    for (const key of keys) {
      expect((await guest.api.post(path, { variantId: a.variantId, quantity: 1 }, keyed(key))).status).toBe(200);
    }
    // The newest is remembered, the oldest forgotten.
    const newest = await guest.api.post(path, { variantId: a.variantId, quantity: 1 }, keyed(keys[50]!));
    expect(replayed(newest)).toBe("true");
    expect(lines(newest.body)).toEqual([[a.variantId, 51]]);
    const oldest = await guest.api.post(path, { variantId: a.variantId, quantity: 1 }, keyed(keys[0]!));
    expect(replayed(oldest)).toBeNull();
    expect(lines(oldest.body)).toEqual([[a.variantId, 52]]);
  });
});

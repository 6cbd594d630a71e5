import { randomUUID } from "node:crypto";
import type { Db } from "@comptoir/platform";
import { newId } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addLine, newCart } from "../src/model/cart";
import { createRedisCartStore } from "../src/redis/redis-cart.store";
import {
  add,
  type CartInstance,
  type CartWorld,
  expectProblem,
  guestCart,
  redisUrl,
  sleep,
  STORES,
  startCartWorld,
} from "./support/harness";

/**
 * Cart's events (the conversion funnel's first steps): `cart.cart.created` once per cart,
 * `cart.cart.filled` the first time a cart holds an item, on each store.
 */
let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("events");
}, 120_000);
afterAll(async () => {
  await w?.close();
});

/** The cart's events of a type in cart's outbox (their data), oldest first. */
async function published(type: "cart.cart.created" | "cart.cart.filled", cartId: string) {
  const { rows } = await w.testbed.database.db.query(
    "SELECT envelope FROM outbox WHERE type = $1 AND subject = $2 ORDER BY position",
    [type, cartId],
  );
  return rows.map((r) => r.envelope.data);
}

describe.each(STORES)("on the %s store", (kind) => {
  let cart: CartInstance;
  beforeAll(async () => {
    cart = kind === "postgresql" ? w.cart : await w.instance({ store: kind });
  });
  afterAll(async () => {
    if (cart !== w.cart) await cart?.close();
  });

  it("a guest cart: created once; filled once, at its first item, with what it then holds", async () => {
    const [p, q] = [await w.product({ stock: 50 }), await w.product({ stock: 50 })];
    const { id, api } = await guestCart(cart);
    const { body: created } = await api.get(`/api/cart/carts/${id}`);
    expect(await published("cart.cart.created", id)).toEqual([
      { cartId: id, customerId: null, createdAt: created.createdAt },
    ]);
    expect(await published("cart.cart.filled", id)).toEqual([]);

    const first = await add(api, id, p.variantId, 2);
    expect(await published("cart.cart.filled", id)).toEqual([
      { cartId: id, customerId: null, filledAt: first.updatedAt, itemCount: 2, lineCount: 1 },
    ]);
    // More lines, emptied, filled again: still the one event; still created once.
    await add(api, id, q.variantId, 1);
    await add(api, id, p.variantId, 1);
    for (const v of [p.variantId, q.variantId]) {
      expect((await api.delete(`/api/cart/carts/${id}/items/${v}`)).status).toBe(200);
    }
    await add(api, id, q.variantId, 3);
    expect(await published("cart.cart.filled", id)).toHaveLength(1);
    expect(await published("cart.cart.created", id)).toHaveLength(1);
  });

  it("an add refused (unknown variant, more than in stock) fills nothing", async () => {
    const p = await w.product({ stock: 2 });
    const { id, api } = await guestCart(cart);
    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: randomUUID(), quantity: 1 }),
      404,
      "variant_not_found",
    );
    expectProblem(
      await api.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity: 3 }),
      409,
      "insufficient_stock",
    );
    expect(await published("cart.cart.filled", id)).toEqual([]);
    expect(await published("cart.cart.created", id)).toHaveLength(1);
  });

  it("twenty first adds at once to an empty cart fill it once", async () => {
    const p = await w.product({ stock: 100 });
    const { id, api } = await guestCart(cart);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post(`/api/cart/carts/${id}/items`, { variantId: p.variantId, quantity: 1 }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const filled = await published("cart.cart.filled", id);
    expect(filled).toHaveLength(1);
    expect(filled[0]).toMatchObject({ cartId: id, itemCount: 1, lineCount: 1 });
  });

  it("a customer's cart: created once however often it is asked for, with its owner", async () => {
    const { id: customerId, api } = await cart.customer();
    const answers = await Promise.all([api.post("/api/cart/carts"), api.post("/api/cart/carts")]);
    const again = await api.post("/api/cart/carts");
    const cartId = answers[0]!.body.id as string;
    expect(again.status).toBe(200);
    expect(await published("cart.cart.created", cartId)).toEqual([
      { cartId, customerId, createdAt: again.body.createdAt },
    ]);
  });

  it("at login: a guest's lines merged into an empty customer cart fill it; a guest cart adopted publishes nothing new", async () => {
    const p = await w.product({ stock: 50 });
    // Merged: the customer's empty cart gets its first items from the guest's.
    const { id: customerId, api } = await cart.customer();
    const mine = (await api.post("/api/cart/carts")).body.id as string;
    const guest = await guestCart(cart);
    await add(guest.api, guest.id, p.variantId, 3);
    const merged = await api.post(`/api/cart/carts/${guest.id}/associate`, undefined, {
      "x-cart-token": guest.token,
    });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.id).toBe(mine);
    expect(await published("cart.cart.filled", mine)).toEqual([
      { cartId: mine, customerId, filledAt: merged.body.updatedAt, itemCount: 3, lineCount: 1 },
    ]);
    expect(await published("cart.cart.filled", guest.id)).toHaveLength(1);

    // Adopted: a customer without a cart takes the guest's, same id; it was created and filled already.
    const other = await cart.customer();
    const adopted = await guestCart(cart);
    await add(adopted.api, adopted.id, p.variantId, 1);
    const res = await other.api.post(`/api/cart/carts/${adopted.id}/associate`, undefined, {
      "x-cart-token": adopted.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: adopted.id, customerId: other.id });
    expect(await published("cart.cart.created", adopted.id)).toEqual([
      expect.objectContaining({ cartId: adopted.id, customerId: null }),
    ]);
    expect(await published("cart.cart.filled", adopted.id)).toHaveLength(1);
  });
});

describe("the sweep (PostgreSQL)", () => {
  it("forgets the milestones of the carts it deletes, and only theirs", async () => {
    const short = await w.instance({ ttl: { guestSeconds: 1, customerSeconds: 1 } });
    try {
      const p = await w.product({ stock: 10 });
      const gone = await guestCart(short);
      await add(gone.api, gone.id, p.variantId, 1);
      const kept = await guestCart(w.cart);
      await add(kept.api, kept.id, p.variantId, 1);
      const milestones = async (cartId: string) =>
        (await w.testbed.database.db.query("SELECT type FROM cart_events WHERE cart_id = $1 ORDER BY type", [cartId]))
          .rows;
      expect(await milestones(gone.id)).toEqual([{ type: "cart.cart.created" }, { type: "cart.cart.filled" }]);
      await sleep(1_100);
      expect(await short.store.sweep()).toBeGreaterThanOrEqual(1);
      expect(await milestones(gone.id)).toEqual([]);
      expect(await milestones(kept.id)).toHaveLength(2);
      // The events themselves were published, once each.
      expect(await published("cart.cart.filled", gone.id)).toHaveLength(1);
    } finally {
      await short.close();
    }
  });
});

describe.runIf(redisUrl)("on Redis, when the process dies between the cart's write and its events' relay", () => {
  it("the events wait in Redis, next to the cart, and the next relay (any instance) publishes them once", async () => {
    const keyPrefix = `comptoir-test:${randomUUID()}:`;
    const db = w.testbed.database.db;
    const outbox = w.testbed.bus.outbox;
    // PostgreSQL out of reach when the cart is written: as if the process died right after Redis's commit.
    const unreachable = {
      connect: async () => {
        throw new Error("connection refused");
      },
      query: async () => {
        throw new Error("connection refused");
      },
    } as unknown as Db;
    const dying = createRedisCartStore({ url: redisUrl!, keyPrefix, db: unreachable, outbox });
    const survivor = createRedisCartStore({ url: redisUrl!, keyPrefix, db, outbox });
    try {
      const now = new Date();
      const ttl = { guestSeconds: 3600, customerSeconds: 3600 };
      const empty = newCart({ id: newId(), tokenHash: "ab".repeat(32) }, now, ttl);
      expect((await dying.create(empty)).created).toBe(true);
      const line = {
        variantId: randomUUID(),
        priceAtAdd: 1000,
        currency: "EUR",
        productId: randomUUID(),
        sku: "SKU-1",
        name: "Pull",
        thumbnailUrl: null,
      };
      const full = await dying.update(empty.id, (c) => addLine(c, line, 2, now));
      expect(full?.items).toHaveLength(1);
      expect(await published("cart.cart.created", empty.id)).toEqual([]);
      expect(await published("cart.cart.filled", empty.id)).toEqual([]);

      expect(await survivor.relayEvents()).toBe(2);
      expect(await published("cart.cart.created", empty.id)).toEqual([
        { cartId: empty.id, customerId: null, createdAt: empty.createdAt },
      ]);
      expect(await published("cart.cart.filled", empty.id)).toEqual([
        { cartId: empty.id, customerId: null, filledAt: full!.updatedAt, itemCount: 2, lineCount: 1 },
      ]);
      // Nothing left; relayed again (two instances at once), nothing published twice.
      expect(await survivor.relayEvents()).toBe(0);
      expect(await published("cart.cart.created", empty.id)).toHaveLength(1);
    } finally {
      await dying.close();
      await survivor.close();
    }
  });
});

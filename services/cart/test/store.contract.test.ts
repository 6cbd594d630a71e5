import { randomUUID } from "node:crypto";
import { migrationsDirOf, newId } from "@comptoir/platform";
import { createServiceTestbed, type ServiceTestbed } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addLine, associate, type Cart, type LineData, newCart, touch } from "../src/model/cart";
import type { CartStore } from "../src/model/cart.store";
import { STORES, sleep, testStore } from "./support/harness";

/**
 * What every CartStore promises (src/model/cart.store.ts), run against PostgreSQL and, when
 * TEST_REDIS_URL is set, Redis.
 */
let testbed: ServiceTestbed;
beforeAll(async () => {
  testbed = await createServiceTestbed({
    service: "cart",
    name: "store",
    migrationsDir: migrationsDirOf(import.meta.url),
  });
});
afterAll(async () => testbed?.close());

const TTL = { guestSeconds: 3600, customerSeconds: 7200 };
const SHORT = { guestSeconds: 1, customerSeconds: 1 };
const now = () => new Date();
const guest = (ttl = TTL) => newCart({ id: newId(), tokenHash: "ab".repeat(32) }, now(), ttl);
const customerCart = (customerId: string, ttl = TTL) => newCart({ id: newId(), customerId }, now(), ttl);
const line = (variantId = randomUUID()): LineData => ({
  variantId,
  priceAtAdd: 1000,
  currency: "EUR",
  productId: randomUUID(),
  sku: `SKU-${variantId.slice(0, 8)}`,
  name: "Pull",
  thumbnailUrl: null,
});
const quantities = (cart: Cart | undefined) =>
  Object.fromEntries((cart?.items ?? []).map((l) => [l.variantId, l.quantity]));

describe.each(STORES)("the %s cart store", (kind) => {
  let store: CartStore;
  beforeAll(() => {
    store = testStore(kind, testbed.database.db, testbed.bus.outbox);
  });
  afterAll(async () => store?.close());

  it("keeps a cart as it was given, and knows nothing of an unknown id", async () => {
    const cart = addLine(guest(), line(), 2, now());
    expect(await store.create(cart)).toEqual({ cart, created: true });
    expect(await store.get(cart.id)).toEqual(cart);
    expect(await store.get(randomUUID())).toBeUndefined();
  });

  it("keeps one cart per customer: a second creation gives the first back", async () => {
    const customerId = randomUUID();
    const first = customerCart(customerId);
    expect((await store.create(first)).created).toBe(true);
    const second = await store.create(customerCart(customerId));
    expect(second).toEqual({ cart: first, created: false });
    expect(await store.findByCustomer(customerId)).toEqual(first);
    expect(await store.findByCustomer(randomUUID())).toBeUndefined();
    const racing = await Promise.all(Array.from({ length: 5 }, () => store.create(customerCart(randomUUID()))));
    expect(racing.every((r) => r.created)).toBe(true);
    const sameCustomer = randomUUID();
    const raced = await Promise.all(Array.from({ length: 5 }, () => store.create(customerCart(sameCustomer))));
    expect(raced.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(raced.map((r) => r.cart.id)).size).toBe(1);
  });

  it("keeps a guest cart's id: a second creation with the id gives the first back, at once too", async () => {
    const first = guest();
    const racing = await Promise.all(Array.from({ length: 5 }, () => store.create({ ...first })));
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    for (const r of racing) expect(r.cart).toEqual(first);
    expect(await store.create(guest())).toMatchObject({ created: true });
    const again = await store.create({ ...guest(), id: first.id });
    expect(again).toEqual({ cart: first, created: false });
  });

  it("keeps a cart's recent Idempotency-Keys", async () => {
    const cart = guest();
    await store.create(cart);
    const recentKeys = [{ key: randomUUID(), fingerprint: "f".repeat(64) }];
    await store.update(cart.id, (c) => ({ ...c, recentKeys }));
    expect((await store.get(cart.id))?.recentKeys).toEqual(recentKeys);
  });

  it("updates atomically; a change that throws saves nothing; returning the cart itself writes nothing", async () => {
    const cart = guest();
    await store.create(cart);
    const variant = randomUUID();
    const updated = await store.update(cart.id, (c) => touch(addLine(c, line(variant), 1, now()), now(), TTL));
    expect(quantities(updated)).toEqual({ [variant]: 1 });
    expect(await store.get(cart.id)).toEqual(updated);
    await expect(
      store.update(cart.id, () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(await store.get(cart.id)).toEqual(updated);
    expect(await store.update(cart.id, (c) => c)).toEqual(updated);
    expect(await store.update(randomUUID(), (c) => c)).toBeUndefined();
  });

  it("loses no update when 20 writers change one cart at once", async () => {
    const cart = guest();
    await store.create(cart);
    const data = line();
    await Promise.all(
      Array.from({ length: 20 }, () => store.update(cart.id, (c) => touch(addLine(c, data, 1, now()), now(), TTL))),
    );
    expect(quantities(await store.get(cart.id))).toEqual({ [data.variantId]: 20 });
  });

  it("forgets a cart once it expires: no read, update or association sees it; its customer may start again", async () => {
    const short = guest(SHORT);
    const customerId = randomUUID();
    const mine = customerCart(customerId, SHORT);
    await store.create(short);
    await store.create(mine);
    expect(await store.get(short.id)).toBeDefined();
    await sleep(1100);
    expect(await store.get(short.id)).toBeUndefined();
    expect(await store.findByCustomer(customerId)).toBeUndefined();
    expect(await store.update(short.id, (c) => ({ ...c, items: [] }))).toBeUndefined();
    expect(await store.associate(short.id, randomUUID(), (g) => g)).toBeUndefined();
    const fresh = customerCart(customerId);
    expect((await store.create(fresh)).created).toBe(true);
    expect((await store.findByCustomer(customerId))?.id).toBe(fresh.id);
    if (kind === "postgresql") expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    else expect(await store.sweep()).toBe(0);
  });

  it("associates: merges into the customer's cart and deletes the guest cart, or adopts it", async () => {
    const customerId = randomUUID();
    const shared = line();
    const mine = addLine(customerCart(customerId), shared, 1, now());
    await store.create(mine);
    const g = addLine(addLine(guest(), shared, 2, now()), line(), 1, now());
    await store.create(g);
    const merged = await store.associate(g.id, customerId, (gc, current) => {
      expect(current?.id).toBe(mine.id);
      return associate(gc, current, customerId).cart;
    });
    expect(merged?.id).toBe(mine.id);
    expect(quantities(merged)[shared.variantId]).toBe(3);
    expect(await store.get(g.id)).toBeUndefined();
    expect(await store.findByCustomer(customerId)).toEqual(merged);

    const newcomer = randomUUID();
    const adoptee = addLine(guest(), line(), 1, now());
    await store.create(adoptee);
    const adopted = await store.associate(adoptee.id, newcomer, (gc, current) => {
      expect(current).toBeUndefined();
      return touch(associate(gc, current, newcomer).cart, now(), TTL);
    });
    expect(adopted).toMatchObject({ id: adoptee.id, customerId: newcomer, tokenHash: null });
    expect(await store.findByCustomer(newcomer)).toEqual(adopted);
    expect(await store.get(adoptee.id)).toEqual(adopted);

    await expect(
      store.associate(adoptee.id, newcomer, () => {
        throw new Error("not a guest cart");
      }),
    ).rejects.toThrow("not a guest cart");
    expect(await store.get(adoptee.id)).toEqual(adopted);
  });

  it("two guest carts associated at once to a customer without a cart end up merged in one", async () => {
    const customerId = randomUUID();
    const a = line();
    const g1 = addLine(guest(), a, 1, now());
    const g2 = addLine(guest(), a, 2, now());
    await store.create(g1);
    await store.create(g2);
    const merge = (gc: Cart, current: Cart | undefined) => touch(associate(gc, current, customerId).cart, now(), TTL);
    await Promise.all([store.associate(g1.id, customerId, merge), store.associate(g2.id, customerId, merge)]);
    const final = await store.findByCustomer(customerId);
    expect(quantities(final)).toEqual({ [a.variantId]: 3 });
    const left = [await store.get(g1.id), await store.get(g2.id)].filter((c) => c !== undefined);
    expect(left).toHaveLength(1);
    expect(left[0]!.customerId).toBe(customerId);
  });
});

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp as buildCatalog } from "@comptoir/catalog";
import type { Outbox } from "@comptoir/events";
import { buildApp as buildInventory } from "@comptoir/inventory";
import { type App, createServiceClient, migrationsDirOf, type ServiceTokens } from "@comptoir/platform";
import {
  type Door,
  http,
  migrationsDirOfPackage,
  openDoor,
  type ServiceParts,
  type ServiceTestbed,
  startService,
  type StartedService,
  type TestApi,
  type TestTokenOptions,
  waitFor,
} from "@comptoir/testing";
import { Redis } from "ioredis";
import { expect } from "vitest";
import { buildApp } from "../../src/app";
import { createCatalogClient } from "../../src/clients/catalog.client";
import { createInventoryClient } from "../../src/clients/inventory.client";
import { cartServiceClient } from "../../src/clients/service-client";
import type { CartTtl } from "../../src/model/cart";
import type { CartStore } from "../../src/model/cart.store";
import { createPostgresCartStore } from "../../src/db/postgres-cart.store";
import { createRedisCartStore } from "../../src/redis/redis-cart.store";

export { expectProblem, sleep } from "@comptoir/testing";
/** Inventory's online location (seeded by its first migration). */
export const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";

export type Api = TestApi;
export type StoreKind = "postgresql" | "redis";

export const redisUrl = process.env.TEST_REDIS_URL;
const requireRealInfra = process.env.COMPTOIR_REQUIRE_REAL_INFRA === "1";
if (requireRealInfra && !redisUrl) {
  throw new Error(
    "COMPTOIR_REQUIRE_REAL_INFRA=1 needs TEST_REDIS_URL (redis://host:6379): the Redis cart store tests must run",
  );
}
/** The stores to run against: PostgreSQL always, Redis when TEST_REDIS_URL is set. */
export const STORES: StoreKind[] = redisUrl ? ["postgresql", "redis"] : ["postgresql"];
if (!redisUrl) console.warn("cart tests: TEST_REDIS_URL is not set; the Redis cart store is not tested");

/** The key prefix of each Redis test store. */
const redisPrefixes = new WeakMap<CartStore, string>();

/**
 * A store for tests: PostgreSQL on the given database, or Redis under a prefix of its own (deleted by
 * `close`), or under `keyPrefix` when given (another instance's carts); either way its events go to
 * `outbox` (the bus's) in that database.
 */
export function testStore(kind: StoreKind, db: ServiceParts["db"], outbox: Outbox, keyPrefix?: string): CartStore {
  if (kind === "postgresql") return createPostgresCartStore(db, { outbox });
  keyPrefix ??= `comptoir-test:${randomUUID()}:`;
  const store = createRedisCartStore({ url: redisUrl!, keyPrefix, db, outbox });
  const prefix = keyPrefix;
  const wrapped: CartStore = {
    ...store,
    async close() {
      await store.close();
      await deleteKeys(prefix);
    },
  };
  redisPrefixes.set(wrapped, prefix);
  return wrapped;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl!);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export interface CartInstance {
  app: App;
  base: string;
  store: CartStore;
  /** No token at all. */
  anonymous: Api;
  /** A guest cart's caller: its X-Cart-Token (and a bearer token too, when given). */
  guest(cartToken: string, headers?: Record<string, string>): Api;
  as(options: TestTokenOptions): Promise<Api>;
  /** A new customer: their id and their API (customer token). */
  customer(): Promise<{ id: string; api: Api }>;
  /** The orders service's token (carts:manage). */
  orders: Api;
  close(): Promise<void>;
}

export interface CartWorld {
  /** The real catalog and inventory services, from their packages' buildApp, their buses started. */
  catalog: StartedService;
  inventory: StartedService;
  catalogDoor: Door;
  inventoryDoor: Door;
  testbed: ServiceTestbed;
  /** A cart instance on PostgreSQL (the default store). */
  cart: CartInstance;
  /**
   * Another cart instance on the same database (and Redis, if asked), e.g. with short lifetimes; with
   * `catalogUrls`, calling those catalog instances with cart's own client settings (as in production).
   */
  instance(options?: InstanceOptions): Promise<CartInstance>;
  /** An active product in catalog (known to inventory, with stock at the online location). */
  product(options?: {
    price?: number;
    stock?: number;
    status?: "active" | "draft";
    variants?: number;
  }): Promise<Product>;
  close(): Promise<void>;
}

export interface InstanceOptions {
  store?: StoreKind;
  /** The carts of this instance (its Redis key prefix; PostgreSQL's are shared anyway): two instances of one store. */
  sharesStoreWith?: CartInstance;
  ttl?: Partial<CartTtl>;
  catalogUrls?: string[];
}

export interface Product {
  id: string;
  name: string;
  variants: { id: string; sku: string; price: number }[];
  /** The first variant's id. */
  variantId: string;
}

/**
 * Cart on its own test database, calling the real catalog and inventory services (each on its own
 * database, through a door that can be taken down). The three trust one token issuer; catalog and
 * inventory share an event log, so inventory learns catalog's products from its events.
 */
export async function startCartWorld(name: string): Promise<CartWorld> {
  const imagesDir = await mkdtemp(join(tmpdir(), `comptoir-cart-catalog-${name}-`));
  const catalog = await startService({
    service: "catalog",
    name: `cart_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/catalog"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    build: (parts) => buildCatalog({ ...parts, imagesDir, sharedCacheSeconds: 2 }),
  });
  catalog.onClose("its images folder", () => rm(imagesDir, { recursive: true, force: true }));
  const inventory = await startService({
    service: "inventory",
    name: `cart_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/inventory"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    eventLog: catalog.testbed.eventLog,
    issuer: catalog.issuer,
    build: (parts) => buildInventory({ ...parts, reservationSweepMs: 0 }),
  });
  const [catalogDoor, inventoryDoor] = await Promise.all([openDoor(catalog.base), openDoor(inventory.base)]);
  const issuer = catalog.issuer;
  const stores = new Map<App, CartStore>();

  const buildCart =
    (options: InstanceOptions = {}) =>
    async (parts: ServiceParts) => {
      const shared = options.sharesStoreWith && redisPrefixes.get(options.sharesStoreWith.store);
      const store = testStore(options.store ?? "postgresql", parts.db, parts.bus.outbox, shared);
      const client = (target: string, url: string, auth?: ServiceTokens) =>
        createServiceClient({
          target,
          baseUrls: [url],
          timeoutMs: 1000,
          maxRetries: 0,
          breaker: { halfOpenAfterMs: 100 },
          auth,
        });
      const app = await buildApp({
        ...parts,
        store,
        catalog: createCatalogClient(
          options.catalogUrls ? cartServiceClient("catalog", options.catalogUrls) : client("catalog", catalogDoor.url),
        ),
        inventory: createInventoryClient(client("inventory", inventoryDoor.url, inventory.serviceTokens("cart"))),
        ttl: options.ttl,
        sweepMs: 0,
      });
      stores.set(app, store);
      return app;
    };
  const cartService = await startService({
    service: "cart",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    issuer,
    build: buildCart(),
  });
  // Each store closes once, after its instance (by the test, or by the cart service's close).
  const closeStore = (store: CartStore) => {
    let closing: Promise<void> | undefined;
    return () => (closing ??= store.close());
  };

  let instances = 0;
  async function instance(options: InstanceOptions = {}, started?: Awaited<ReturnType<typeof cartService.instance>>) {
    started ??= await cartService.instance(`cart-test-${++instances}`, buildCart(options));
    const { app, base, as } = started;
    const store = stores.get(app)!;
    const closeIt = closeStore(store);
    cartService.onClose(`the store of ${started.name}`, closeIt);
    return {
      app,
      base,
      store,
      anonymous: http(base),
      guest: (cartToken: string, headers: Record<string, string> = {}) =>
        http(base, { "x-cart-token": cartToken, ...headers }),
      as,
      async customer() {
        const id = randomUUID();
        return { id, api: await as({ role: "customer", sub: id }) };
      },
      orders: await as({ service: "orders" }),
      async close() {
        await app.close();
        await closeIt();
      },
    } satisfies CartInstance;
  }

  let category: string | undefined;
  let skus = 0;
  async function product(options: Parameters<CartWorld["product"]>[0] = {}): Promise<Product> {
    if (!category) {
      const res = await catalog.admin.post("/api/catalog/categories", { name: `Vêtements ${name}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      category = res.body.id as string;
    }
    const productName = `Pull ${++skus}`;
    const res = await catalog.admin.post("/api/catalog/products", {
      categoryId: category,
      name: productName,
      status: options.status ?? "active",
      variants: Array.from({ length: options.variants ?? 1 }, (_, i) => ({
        sku: `CART-${name}-${skus}-${i}`,
        options: { taille: ["S", "M", "L", "XL"][i % 4]! },
        price: options.price ?? 2990,
      })),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const variants = res.body.variants as { id: string; sku: string; price: number }[];
    for (const v of variants) {
      // Inventory learns the variant from catalog's events.
      const stock = `/api/inventory/stock?variantId=${v.id}&locationId=${ONLINE}`;
      await waitFor(
        async () => (await inventory.admin.get(stock)).status,
        (status) => status === 200,
        `inventory to learn variant ${v.sku}`,
      );
      const received = await inventory.admin.post("/api/inventory/stock/adjust", {
        variantId: v.id,
        locationId: ONLINE,
        changeQuantity: options.stock ?? 50,
        type: "receipt",
        reason: "test stock",
      });
      expect(received.status, JSON.stringify(received.body)).toBe(201);
    }
    return { id: res.body.id, name: productName, variants, variantId: variants[0]!.id };
  }

  const cart = await instance({}, cartService);
  return {
    catalog,
    inventory,
    catalogDoor,
    inventoryDoor,
    testbed: cartService.testbed,
    cart,
    instance,
    product,
    async close() {
      // Each part's close is bounded (startService): seen once in CI, failover.test.ts, whose tests had
      // passed, timed out its 60 s afterAll.
      await cartService.close();
      await Promise.all([catalogDoor.close(), inventoryDoor.close()]);
      await catalog.close();
      await inventory.close();
    },
  };
}

/** Creates a guest cart; returns its id, its token and an API carrying the token. */
export async function guestCart(cart: CartInstance): Promise<{ id: string; token: string; api: Api }> {
  const res = await cart.anonymous.post("/api/cart/carts");
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, token: res.body.token, api: cart.guest(res.body.token) };
}

/** Adds to a cart and expects 200; returns the cart. */
export async function add(api: Api, cartId: string, variantId: string, quantity: number): Promise<any> {
  const res = await api.post(`/api/cart/carts/${cartId}/items`, { variantId, quantity });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

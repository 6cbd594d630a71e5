import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp as buildCart, cartDependencies } from "@comptoir/cart";
import { buildApp as buildCatalog } from "@comptoir/catalog";
import { buildApp as buildInventory } from "@comptoir/inventory";
import { buildApp as buildPayments } from "@comptoir/payments";
import { createTestProvider, TEST_CARDS } from "@comptoir/payments";
import { type App, createPool, createServiceClient, migrationsDirOf, type ServiceTokens } from "@comptoir/platform";
import {
  http,
  migrationsDirOfPackage,
  type ServiceInstance,
  type ServiceParts,
  type ServiceTestbed,
  startService,
  type StartedService,
  type TestApi,
  waitFor,
} from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp, type OrdersAppDeps } from "../../src/app";
import { createCartClient } from "../../src/clients/cart.client";
import { createCatalogClient } from "../../src/clients/catalog.client";
import { createIdentityClient } from "../../src/clients/identity.client";
import { createInventoryClient } from "../../src/clients/inventory.client";
import { createPaymentsClient } from "../../src/clients/payments.client";

export { expectProblem, sleep } from "@comptoir/testing";
export { TEST_CARDS };
/** Inventory's central warehouse and online location (seeded by its first migration). */
export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";
export type Api = TestApi;

export interface OrdersInstance {
  app: App;
  base: string;
  anonymous: Api;
  /** A guest's calls: the cart's X-Cart-Token. */
  guest(cartToken: string): Api;
  /** Staff (orders:manage), with a token the orders service trusts. */
  manager: Api;
  close(): Promise<void>;
}

export type InstanceOptions = Partial<
  Pick<OrdersAppDeps, "saga" | "sagaWorkerMs" | "afterSagaStep" | "checkoutWaitMs" | "shipping">
> & {
  /** Call inventory, or payments, there (e.g. through a door: openDoor) instead of directly. */
  urls?: { inventory?: string; payments?: string };
};

/** The services a checkout calls, each from its package's buildApp on a database of its own. */
export interface World {
  catalog: StartedService;
  inventory: StartedService;
  cart: StartedService & { customer(): Promise<{ id: string; api: Api }> };
  /** An active product in catalog (known to inventory, with `stock` at the online location). */
  product(options?: { price?: number; stock?: number; variants?: number; vatRate?: number }): Promise<Product>;
}

export interface Product {
  id: string;
  name: string;
  variants: { id: string; sku: string; price: number }[];
  /** The first variant's id. */
  variantId: string;
}

export interface Shop {
  world: World;
  /** Payments with its built-in test provider; `orders` calls it with orders' service token. */
  payments: StartedService & { orders: Api };
  testbed: ServiceTestbed;
  orders: OrdersInstance;
  /** Every log line written by every orders instance, as written (JSON), at level debug. */
  logs: string[];
  /** Another orders instance on the same database (a restart, or a second instance). */
  instance(name: string, options?: InstanceOptions): Promise<OrdersInstance>;
  close(): Promise<void>;
}

/**
 * Orders on its own test database, calling the real cart, catalog, inventory and payments services
 * (each on its own database, all trusting one token issuer; inventory learns catalog's products from
 * its events). Identity is not started: these tests check out as guests (customers' checkouts, which
 * ask identity who they are, are covered end to end through the gateway).
 */
export async function startShop(name: string): Promise<Shop> {
  const world = await startWorld(`orders_${name}`);
  const issuer = world.catalog.issuer;
  let providerDb: ReturnType<typeof createPool> | undefined;
  const payments = await startService({
    service: "payments",
    name: `orders_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/payments"),
    issuer,
    build: async ({ databaseUrl, ...parts }) => {
      // The provider's own connections, as in payments' main.ts.
      providerDb ??= createPool(databaseUrl, { max: 10 });
      const provider = createTestProvider({ db: providerDb, slowMs: 3_000 });
      return buildPayments({ ...parts, provider, providerTimeoutMs: 1_000 });
    },
  });
  payments.onClose("the provider's pool", async () => providerDb?.end());
  const client = (target: string, url: string, auth?: ServiceTokens) =>
    createServiceClient({ target, baseUrls: [url], timeoutMs: 5_000, auth });
  const tokens = world.inventory.serviceTokens("orders");
  const build =
    ({ urls, ...appOptions }: InstanceOptions = {}) =>
    (parts: ServiceParts) =>
      buildApp({
        ...parts,
        cart: createCartClient(client("cart", world.cart.base, tokens), client("cart", world.cart.base)),
        catalog: createCatalogClient(client("catalog", world.catalog.base)),
        identity: createIdentityClient(client("identity", "http://127.0.0.1:9")),
        inventory: createInventoryClient(client("inventory", urls?.inventory ?? world.inventory.base, tokens)),
        payments: createPaymentsClient(client("payments", urls?.payments ?? payments.base, tokens)),
        sagaWorkerMs: 0,
        ...appOptions,
        saga: { leaseMs: 1_000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200, ...appOptions.saga },
      });
  const orders = await startService({
    service: "orders",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    sagas: true,
    issuer,
    keepLogs: true,
    build: build(),
  });
  const manager = await issuer.token({ role: "manager" });
  const ordersInstance = (i: Pick<ServiceInstance, "app" | "base" | "close">): OrdersInstance => ({
    app: i.app,
    base: i.base,
    anonymous: http(i.base),
    guest: (cartToken) => http(i.base, { "x-cart-token": cartToken }),
    manager: http(i.base, { authorization: `Bearer ${manager}` }),
    close: () => i.close().catch(() => {}),
  });
  return {
    world,
    payments: Object.assign(payments, { orders: await payments.as({ service: "orders" }) }),
    testbed: orders.testbed,
    orders: ordersInstance({ app: orders.app, base: orders.base, close: () => orders.app.close() }),
    logs: orders.logs,
    instance: async (instanceName, options) => ordersInstance(await orders.instance(instanceName, build(options))),
    async close() {
      await orders.close();
      await payments.close();
      await world.cart.close();
      await world.catalog.close();
      await world.inventory.close();
    },
  };
}

async function startWorld(name: string): Promise<World> {
  const imagesDir = await mkdtemp(join(tmpdir(), `comptoir-orders-catalog-${name}-`));
  const catalog = await startService({
    service: "catalog",
    name,
    migrationsDir: migrationsDirOfPackage("@comptoir/catalog"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    build: (parts) => buildCatalog({ ...parts, imagesDir, sharedCacheSeconds: 2 }),
  });
  catalog.onClose("its images folder", () => rm(imagesDir, { recursive: true, force: true }));
  const inventory = await startService({
    service: "inventory",
    name,
    migrationsDir: migrationsDirOfPackage("@comptoir/inventory"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    eventLog: catalog.testbed.eventLog,
    issuer: catalog.issuer,
    build: (parts) => buildInventory({ ...parts, reservationSweepMs: 0 }),
  });
  const client = (target: string, url: string, auth?: ServiceTokens) =>
    createServiceClient({ target, baseUrls: [url], timeoutMs: 1000, maxRetries: 0, auth });
  const cart = await startService({
    service: "cart",
    name,
    migrationsDir: migrationsDirOfPackage("@comptoir/cart"),
    issuer: catalog.issuer,
    build: (parts) =>
      buildCart({
        ...parts,
        ...cartDependencies({
          db: parts.db,
          outbox: parts.bus.outbox,
          catalog: client("catalog", catalog.base),
          inventory: client("inventory", inventory.base, inventory.serviceTokens("cart")),
        }),
        sweepMs: 0,
      }),
  });

  let category: string | undefined;
  let skus = 0;
  async function product(options: Parameters<World["product"]>[0] = {}): Promise<Product> {
    if (!category) {
      const res = await catalog.admin.post("/api/catalog/categories", { name: `Vêtements ${name}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      category = res.body.id as string;
    }
    const productName = `Pull ${++skus}`;
    const res = await catalog.admin.post("/api/catalog/products", {
      categoryId: category,
      name: productName,
      status: "active",
      ...(options.vatRate === undefined ? {} : { vatRate: options.vatRate }),
      variants: Array.from({ length: options.variants ?? 1 }, (_, i) => ({
        sku: `ORDERS-${name}-${skus}-${i}`,
        options: { taille: ["S", "M", "L", "XL"][i % 4]! },
        price: options.price ?? 2990,
      })),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const variants = res.body.variants as { id: string; sku: string; price: number }[];
    for (const v of variants) {
      // Inventory learns the variant from catalog's events.
      await waitFor(
        async () => (await inventory.admin.get(`/api/inventory/stock?variantId=${v.id}&locationId=${ONLINE}`)).status,
        (status) => status === 200,
        `inventory to learn variant ${v.sku}`,
      );
      await receive(inventory, v.id, ONLINE, options.stock ?? 50);
    }
    return { id: res.body.id, name: productName, variants, variantId: variants[0]!.id };
  }

  return {
    catalog,
    inventory,
    cart: Object.assign(cart, {
      async customer() {
        const id = randomUUID();
        return { id, api: await cart.as({ role: "customer", sub: id }) };
      },
    }),
    product,
  };
}

async function receive(inventory: StartedService, variantId: string, locationId: string, quantity: number) {
  const res = await inventory.admin.post("/api/inventory/stock/adjust", {
    variantId,
    locationId,
    changeQuantity: quantity,
    type: "receipt",
    reason: "test stock",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Creates a guest cart at cart; returns its id, its token and an API carrying the token. */
async function guestCart(shop: Shop): Promise<{ id: string; token: string; api: Api }> {
  const res = await shop.world.cart.anonymous.post("/api/cart/carts");
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    id: res.body.id,
    token: res.body.token,
    api: http(shop.world.cart.base, { "x-cart-token": res.body.token }),
  };
}

export const card = (number: string = TEST_CARDS.succeeds) => ({
  number,
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 2,
  cvc: "123",
});

export const address = {
  name: "Camille Martin",
  line1: "12 rue des Lilas",
  city: "Lyon",
  postalCode: "69003",
  country: "FR",
};

/** A guest cart holding `quantity` of the variant: its id, token and the guest's orders API. */
export function guestWith(shop: Shop, variantId: string, quantity: number, orders = shop.orders) {
  return guestWithItems(shop, [{ variantId, quantity }], orders);
}

/** A guest cart holding each of `items`, added in order: its id, token and the guest's orders API. */
export async function guestWithItems(
  shop: Shop,
  items: { variantId: string; quantity: number }[],
  orders = shop.orders,
) {
  const cart = await guestCart(shop);
  for (const { variantId, quantity } of items) {
    const res = await cart.api.post(`/api/cart/carts/${cart.id}/items`, { variantId, quantity });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { ...cart, orders: orders.guest(cart.token) };
}

/** POST /api/orders/checkout as that guest, with a new Idempotency-Key unless given. */
export function checkout(
  guest: { id: string; orders: Api },
  options: { number?: string; key?: string; body?: Record<string, unknown> } = {},
) {
  return guest.orders.post(
    "/api/orders/checkout",
    {
      cartId: guest.id,
      email: "camille@example.com",
      shippingAddress: address,
      payment: { method: "card", card: card(options.number) },
      ...options.body,
    },
    { "idempotency-key": options.key ?? randomUUID() },
  );
}

let stores = 0;
/** A new store's stock location at inventory (kind `store`), holding `stock` of each variant given. */
export async function storeLocation(shop: Shop, stock: { variantId: string; quantity: number }[] = []) {
  const inventory = shop.world.inventory.admin;
  const res = await inventory.post("/api/inventory/locations", {
    code: `STORE-T${++stores}`,
    name: `Magasin de test ${stores}`,
    kind: "store",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  for (const { variantId, quantity } of stock) await receive(shop.world.inventory, variantId, res.body.id, quantity);
  return res.body.id as string;
}

/** On hand and reserved of a variant at a location, through inventory's API. */
export async function level(shop: Shop, variantId: string, locationId = ONLINE) {
  const res = await shop.world.inventory.admin.get(
    `/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { onHand: res.body.onHand as number, reserved: res.body.reserved as number };
}

/** Polls until `done` (waitFor). */
export const until = waitFor;

/** Payments at the payments service, through its API (orders' account), oldest first: for an order, or all. */
export async function payments(shop: Shop, query: { orderId?: string; status?: string } = {}) {
  const res = await shop.payments.orders.get(
    `/api/payments/payments?${new URLSearchParams({ ...query, limit: "200" })}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.pagination.total).toBeLessThanOrEqual(200);
  return (res.body.data as { id: string; orderId: string; status: string }[]).reverse();
}

/** How many payments the payments service has made, through its API. */
export async function paymentCount(shop: Shop): Promise<number> {
  const res = await shop.payments.orders.get("/api/payments/payments?limit=1");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.pagination.total;
}

/**
 * Where a checkout ended (crash and kill tests): its row's status and problem, the order (if any),
 * the payments made for it and the status of its reservation at inventory.
 */
export async function checkoutState(shop: Shop, checkoutId: string) {
  const checkout = (
    await shop.testbed.database.db.query('SELECT status, order_id AS "orderId", problem FROM checkouts WHERE id = $1', [
      checkoutId,
    ])
  ).rows[0];
  const order = (await shop.testbed.database.db.query("SELECT status FROM orders WHERE id = $1", [checkout.orderId]))
    .rows[0];
  const paid = (await payments(shop, { orderId: checkout.orderId })).map((p) => p.status);
  const reservations = (
    await shop.world.inventory.db.query("SELECT status FROM reservations WHERE reference = $1", [
      `order-${checkout.orderId}`,
    ])
  ).rows.map((r) => r.status as string);
  return {
    checkout: checkout.status as string,
    problem: checkout.problem?.code as string | undefined,
    order: order?.status as string | undefined,
    payments: paid,
    reservations,
  };
}

/** How many events of each type the checkout's order has in orders' outbox. */
export async function orderEvents(shop: Shop, checkoutId: string) {
  const { rows } = await shop.testbed.database.db.query(
    "SELECT type, count(*)::int AS n FROM outbox WHERE subject = (SELECT order_id::text FROM checkouts WHERE id = $1) GROUP BY type ORDER BY type",
    [checkoutId],
  );
  return rows as { type: string; n: number }[];
}

/**
 * After a crash at `step` (crash and kill tests), waits for another instance to end the checkout and
 * checks how it ended. Before the card was used, the rescuer cannot pay (the card lived only in the
 * dead process's memory): it compensates. From the authorization on, it finds the payment and
 * completes the order. The variant had 5 in stock; the checkout bought 1.
 */
export async function expectTakenOver(shop: Shop, checkoutId: string, step: string, variantId: string) {
  const end = await until(
    () => checkoutState(shop, checkoutId),
    (s) => s.checkout !== "running",
    "the end of the checkout",
  );
  if (step === "started" || step === "reserve") {
    expect(end).toMatchObject({ checkout: "failed", problem: "checkout_interrupted", order: undefined, payments: [] });
    expect(end.reservations).toEqual(["released"]);
    expect(await level(shop, variantId)).toEqual({ onHand: 5, reserved: 0 });
  } else {
    expect(end).toMatchObject({ checkout: "completed", order: "paid", payments: ["captured"] });
    expect(end.reservations).toEqual(["committed"]);
    expect(await level(shop, variantId)).toEqual({ onHand: 4, reserved: 0 });
  }
  return end;
}

/** The events of a checkout that made no order (in orders' outbox, on the order id it would have had). */
export const STARTED_ONLY_EVENTS = [{ type: "orders.checkout.started", n: 1 }];

/** The events of a checkout that ended in a paid order (in orders' outbox): started, placed and paid once each. */
export const PAID_ORDER_EVENTS = [
  { type: "orders.checkout.started", n: 1 },
  { type: "orders.order.paid", n: 1 },
  { type: "orders.order.placed", n: 1 },
];

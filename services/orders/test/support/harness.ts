import { randomUUID } from "node:crypto";
import { type App, createLogger, createServiceClient, migrationsDirOf, type ServiceTokens } from "@comptoir/platform";
import { createServiceTestbed, http, listen, type ServiceTestbed } from "@comptoir/platform/testing";
import { expect } from "vitest";
import { buildApp, type OrdersAppDeps } from "../../src/app";
import { createCartClient } from "../../src/clients/cart.client";
import { createCatalogClient } from "../../src/clients/catalog.client";
import { createIdentityClient } from "../../src/clients/identity.client";
import { createInventoryClient } from "../../src/clients/inventory.client";
import { createPaymentsClient } from "../../src/clients/payments.client";
// The real cart (with the real catalog and inventory behind it) and the real payments service.
import { add, type CartWorld, guestCart, ONLINE, startCartWorld } from "../../../cart/test/support/harness";
import { type Payments, startPayments, TEST_CARDS } from "../../../payments/test/support/harness";

export { ONLINE, TEST_CARDS };
/** Inventory's central warehouse (a location of kind `central`, seeded by its first migration). */
export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export type Api = ReturnType<typeof http>;

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

export interface Shop {
  world: CartWorld;
  payments: Payments;
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
 * (each on its own database). Identity is not started: these tests check out as guests (customers'
 * checkouts, which ask identity who they are, are covered end to end through the gateway).
 */
export async function startShop(name: string): Promise<Shop> {
  const [world, payments, testbed] = await Promise.all([
    startCartWorld(`orders_${name}`),
    startPayments(`orders_${name}`, { providerTimeoutMs: 1_000, slowMs: 3_000 }),
    createServiceTestbed({ service: "orders", name, migrationsDir: migrationsDirOf(import.meta.url), sagas: true }),
  ]);
  // Inventory and cart trust one issuer, payments its own: orders' token for each comes from the right one.
  const token = (issuer: { token: (o: { service: "orders" }) => Promise<string> }): ServiceTokens => ({
    token: () => issuer.token({ service: "orders" }),
    invalidate() {},
  });
  const client = (target: string, url: string, auth?: ServiceTokens) =>
    createServiceClient({ target, baseUrls: [url], timeoutMs: 5_000, auth });
  const issuer = world.inventory.issuer;
  const apps: App[] = [];
  const logs: string[] = [];

  async function instance(instanceName: string, options: InstanceOptions = {}): Promise<OrdersInstance> {
    const { urls, ...appOptions } = options;
    const app = await buildApp({
      db: testbed.database.db,
      bus: testbed.bus,
      logger: createLogger({
        service: "orders",
        instance: instanceName,
        level: "debug",
        destination: { write: (line: string) => void logs.push(line) },
      }),
      instance: instanceName,
      auth: issuer.verifier,
      cart: createCartClient(client("cart", world.cart.base, token(issuer)), client("cart", world.cart.base)),
      catalog: createCatalogClient(client("catalog", world.catalog.base)),
      identity: createIdentityClient(client("identity", "http://127.0.0.1:9")),
      inventory: createInventoryClient(client("inventory", urls?.inventory ?? world.inventory.base, token(issuer))),
      payments: createPaymentsClient(client("payments", urls?.payments ?? payments.base, token(payments.issuer))),
      sagaWorkerMs: 0,
      ...appOptions,
      saga: { leaseMs: 1_000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200, ...options.saga },
    });
    apps.push(app);
    const base = await listen(app);
    return {
      app,
      base,
      anonymous: http(base),
      guest: (cartToken) => http(base, { "x-cart-token": cartToken }),
      manager: http(base, { authorization: `Bearer ${await issuer.token({ role: "manager" })}` }),
      async close() {
        await app.close().catch(() => {});
      },
    };
  }

  const orders = await instance("orders-1");
  return {
    world,
    payments,
    testbed,
    orders,
    logs,
    instance,
    async close() {
      for (const app of apps) await app.close().catch(() => {});
      await testbed.close();
      await Promise.all([world.close(), payments.close()]);
    },
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
  const cart = await guestCart(shop.world.cart);
  for (const { variantId, quantity } of items) await add(cart.api, cart.id, variantId, quantity);
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
  for (const { variantId, quantity } of stock) {
    const received = await inventory.post("/api/inventory/stock/adjust", {
      variantId,
      locationId: res.body.id,
      changeQuantity: quantity,
      type: "receipt",
      reason: "test stock",
    });
    expect(received.status, JSON.stringify(received.body)).toBe(201);
  }
  return res.body.id as string;
}

/** On hand and reserved of a variant at a location. */
export async function level(shop: Shop, variantId: string, locationId = ONLINE) {
  const { rows } = await shop.world.inventory.database.db.query(
    'SELECT on_hand AS "onHand", reserved FROM stock_levels WHERE variant_id = $1 AND location_id = $2',
    [variantId, locationId],
  );
  return rows[0] as { onHand: number; reserved: number } | undefined;
}

export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body.code).toBe(code);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 15_000) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(50);
  }
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
  const payments = (
    await shop.payments.database.db.query("SELECT status FROM payments WHERE order_id = $1 ORDER BY created_at", [
      checkout.orderId,
    ])
  ).rows.map((r) => r.status as string);
  const reservations = (
    await shop.world.inventory.database.db.query("SELECT status FROM reservations WHERE reference = $1", [
      `order-${checkout.orderId}`,
    ])
  ).rows.map((r) => r.status as string);
  return {
    checkout: checkout.status as string,
    problem: checkout.problem?.code as string | undefined,
    order: order?.status as string | undefined,
    payments,
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

/** The events an order ended with (in orders' outbox): placed and paid once each, or none. */
export const PAID_ORDER_EVENTS = [
  { type: "orders.order.paid", n: 1 },
  { type: "orders.order.placed", n: 1 },
];

// Issue 18's concurrency proof: a store's last 20 units, wanted at once by its 10 tills and by 50 online
// shoppers who check out for click-and-collect at that store. Inventory is the one judge: exactly 20
// are sold in total (till sales completed + orders paid), every other attempt is refused cleanly (409
// insufficient_stock, nothing charged, nothing held), and its ledger agrees with its levels.
// Orders and cart are the real services, started from their packages as orders' own harness does.
import { randomUUID } from "node:crypto";
import { buildApp as buildCart, cartDependencies } from "@comptoir/cart";
import { buildApp as buildOrders, ordersDependencies } from "@comptoir/orders";
import { createServiceClient, type ServiceTokens } from "@comptoir/platform";
import { http, migrationsDirOfPackage, startService, type StartedService } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { card, level, type RetailWorld, startRetail, type TestRegister, type TestStore } from "./support/harness";

/** Inventory's online location (seeded by its first migration): where a shopper's cart checks availability. */
const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";
const UNITS = 20;
const TILLS = 10;
/** Each till rings up this many one-unit sales, one after the other. */
const SALES_PER_TILL = 3;
const SHOPPERS = 50;
const PRICE = 1490;

let world: RetailWorld;
let cart: StartedService;
let orders: StartedService;

beforeAll(async () => {
  // Sales and checkouts wait for their outcome as long as the rush lasts: the answer is the outcome,
  // never 409 sale_in_progress on a busy two-core machine.
  world = await startRetail("concurrency", { settings: { saleWaitMs: 60_000 } });
  const { catalog, inventory, payments, issuer } = world;
  const client = (target: string, url: string, auth?: ServiceTokens) =>
    createServiceClient({ target, baseUrls: [url], timeoutMs: 30_000, auth });
  cart = await startService({
    service: "cart",
    name: "retail_concurrency",
    migrationsDir: migrationsDirOfPackage("@comptoir/cart"),
    issuer,
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
  const tokens = inventory.serviceTokens("orders");
  orders = await startService({
    service: "orders",
    name: "retail_concurrency",
    migrationsDir: migrationsDirOfPackage("@comptoir/orders"),
    sagas: true,
    issuer,
    build: (parts) =>
      buildOrders({
        ...parts,
        ...ordersDependencies({
          cart: client("cart", cart.base, tokens),
          cartAnonymous: client("cart", cart.base),
          catalog: client("catalog", catalog.base),
          // Guests check out: identity is never asked.
          identity: client("identity", "http://127.0.0.1:9"),
          inventory: client("inventory", inventory.base, tokens),
          payments: client("payments", payments.base, tokens),
        }),
        sagaWorkerMs: 0,
        checkoutWaitMs: 60_000,
        saga: { leaseMs: 30_000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200 },
      }),
  });
}, 120_000);

afterAll(async () => {
  await orders?.close();
  await cart?.close();
  await world?.close();
});

/** A guest cart holding one unit of the variant: its id and the guest's orders API. */
async function guestWith(variantId: string) {
  const created = await cart.anonymous.post("/api/cart/carts");
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const api = http(cart.base, { "x-cart-token": created.body.token });
  const added = await api.post(`/api/cart/carts/${created.body.id}/items`, { variantId, quantity: 1 });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  return { id: created.body.id as string, orders: http(orders.base, { "x-cart-token": created.body.token }) };
}

/** One till's sales, one after the other: each answer's status and problem code. */
async function ringUp(store: TestStore, register: TestRegister, variantId: string) {
  const answers: { status: number; code?: string; detail?: string }[] = [];
  for (let i = 0; i < SALES_PER_TILL; i++) {
    const res = await store.clerk.api.post(
      "/api/retail/sales",
      {
        registerId: register.id,
        lines: [{ variantId, quantity: 1 }],
        tenders: [{ method: "cash", amount: 2000 }],
      },
      { "idempotency-key": randomUUID() },
    );
    answers.push({ status: res.status, code: res.body?.code, detail: res.body?.detail });
  }
  return answers;
}

describe("a store's last 20 units, wanted by 10 tills and 50 click-and-collect shoppers at once", () => {
  it("exactly 20 are sold in all, every other attempt is refused with 409 insufficient_stock, and the ledger equals the level", async () => {
    const store = await world.store();
    const registers: TestRegister[] = [];
    for (let i = 0; i < TILLS; i++) {
      const register = await world.register(store.id);
      await world.open(register, store.clerk.api);
      registers.push(register);
    }
    const product = await world.product({ price: PRICE, stock: UNITS, locationId: store.locationId });
    // One unit online, so that the shoppers' carts take the item (a cart checks what an online order
    // could draw on); a click-and-collect order reserves at the store's location only.
    await world.receive(product.variantId, ONLINE, 1);
    const shoppers = [];
    for (let i = 0; i < SHOPPERS; i++) shoppers.push(await guestWith(product.variantId));

    const [tills, checkouts] = await Promise.all([
      Promise.all(registers.map((register) => ringUp(store, register, product.variantId))),
      Promise.all(
        shoppers.map(async (guest) => {
          const res = await guest.orders.post(
            "/api/orders/checkout",
            {
              cartId: guest.id,
              email: "camille@example.com",
              pickupLocationId: store.locationId,
              payment: { method: "card", card: card() },
            },
            { "idempotency-key": randomUUID() },
          );
          return {
            status: res.status,
            code: res.body?.code as string | undefined,
            detail: res.body?.detail as string | undefined,
            order: res.body,
          };
        }),
      ),
    ]);

    const tillAnswers = tills.flat();
    const sold = tillAnswers.filter((a) => a.status === 201).length;
    const paid = checkouts.filter((c) => c.status === 201);
    expect(sold + paid.length).toBe(UNITS);
    // Both channels got some, or the test proved nothing about their race.
    expect(sold).toBeGreaterThan(0);
    expect(paid.length).toBeGreaterThan(0);
    for (const c of paid) expect(c.order).toMatchObject({ status: "paid", pickupLocationId: store.locationId });
    // Everyone else was told why, and nothing else went wrong.
    const refusals = [
      ...tillAnswers.filter((a) => a.status !== 201).map((a) => ({ at: "till", ...a })),
      ...checkouts
        .filter((c) => c.status !== 201)
        .map(({ status, code, detail }) => ({ at: "online", status, code, detail })),
    ];
    expect(refusals).toHaveLength(TILLS * SALES_PER_TILL + SHOPPERS - UNITS);
    expect(refusals.filter((r) => r.status !== 409 || r.code !== "insufficient_stock")).toEqual([]);

    // The store's shelf is empty, nothing is held, and the online unit is still there.
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 0, reserved: 0 });
    expect(await level(world, product.variantId, ONLINE)).toEqual({ onHand: 1, reserved: 0 });
    const movements = await world.inventory.admin.get(
      `/api/inventory/movements?variantId=${product.variantId}&locationId=${store.locationId}&limit=100`,
    );
    expect(movements.status, JSON.stringify(movements.body)).toBe(200);
    const ledger = (movements.body.data as { quantity: number }[]).reduce((sum, m) => sum + m.quantity, 0);
    expect(ledger).toBe(0);
    const verified = await world.inventory.admin.get("/api/inventory/admin/verify");
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.drifted).toEqual([]);

    // Retail recorded exactly the till sales it answered 201; payments took exactly the paid orders.
    const recorded = await store.manager.api.get(`/api/retail/sales?storeId=${store.id}&limit=100`);
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    expect(recorded.body.pagination.total).toBe(sold);
    const captured = await world.payments.admin.get("/api/payments/payments?status=captured&limit=100");
    expect(captured.status, JSON.stringify(captured.body)).toBe(200);
    expect(captured.body.pagination.total).toBe(paid.length);
  }, 180_000);
});

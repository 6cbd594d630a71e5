/**
 * Retail's shared test harness (H3; other helpers import it, e.g. test/support/sales.ts): retail from
 * its buildApp on a database of its own, calling the real catalog, inventory and payments services
 * (each from its package's buildApp on its own database, all trusting one test token issuer;
 * inventory learns catalog's products from its events). Identity is not started: staff tokens come
 * from the issuer, with the role and store a test asks for.
 *
 * Stable exports: startRetail, RetailWorld, TestStore, Staff, Product, Api, card, TEST_CARDS,
 * expectProblem, sleep, until, level, DENOMINATIONS_OF, PARIS_HOURS, storeBody.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "@comptoir/contracts";
import { buildApp as buildCatalog } from "@comptoir/catalog";
import { buildApp as buildInventory } from "@comptoir/inventory";
import { buildApp as buildPayments, createTestProvider, TEST_CARDS } from "@comptoir/payments";
import { createPool, createServiceClient, migrationsDirOf, type ServiceTokens } from "@comptoir/platform";
import {
  migrationsDirOfPackage,
  type ServiceParts,
  startService,
  type StartedService,
  type TestApi,
  type TestIssuer,
  waitFor,
} from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp, type RetailDeps } from "../../src/app";
import { createCatalogClient } from "../../src/clients/catalog.client";
import { createInventoryClient } from "../../src/clients/inventory.client";
import { createPaymentsClient } from "../../src/clients/payments.client";
import { createJournal } from "../../src/domain/journal.use-cases";

export { expectProblem, sleep } from "@comptoir/testing";
export { TEST_CARDS };
export type Api = TestApi;

/** Polls until `done` (waitFor). */
export const until = waitFor;

/** A card of the payments test provider (TEST_CARDS.succeeds unless given). */
export const card = (number: string = TEST_CARDS.succeeds) => ({
  number,
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 2,
  cvc: "123",
});

/** A staff member: their user id and their API (a bearer token of the role, attached to a store). */
export interface Staff {
  id: string;
  api: Api;
}

/** A store created through retail's POST /api/retail/stores (its stock location created at inventory). */
export interface TestStore {
  id: string;
  code: string;
  name: string;
  timezone: string;
  locationId: string;
  /** The store as retail answered it. */
  body: Record<string, any>;
  /** A manager and a clerk attached to this store. */
  manager: Staff;
  clerk: Staff;
}

export interface TestRegister {
  id: string;
  storeId: string;
  code: string;
  name: string;
}

export interface Product {
  id: string;
  name: string;
  variants: { id: string; sku: string; price: number; barcode: string | null }[];
  /** The first variant's id, SKU and price. */
  variantId: string;
  sku: string;
  price: number;
}

export type RetailInstanceOptions = Partial<
  Pick<RetailDeps, "settings" | "saga" | "sagaWorkerMs" | "afterSagaStep">
> & {
  /** The secret the journal's signing key is encrypted with (default: the one every test instance shares). */
  journalSecret?: string;
  /** Call inventory, or payments, there (e.g. through a door: openDoor) instead of directly. */
  urls?: { inventory?: string; payments?: string; catalog?: string };
};

export interface RetailWorld {
  /** Retail (its first instance): `retail.db` for white-box checks, `retail.published(type)` for its outbox. */
  retail: StartedService;
  catalog: StartedService;
  inventory: StartedService;
  /** Payments with its built-in test provider; `retailApi` calls it with retail's service token. */
  payments: StartedService & { retailApi: Api };
  issuer: TestIssuer;
  /** An admin of every store (stores:manage). */
  admin: Api;
  /** Retail's clock (RetailDeps.now): real time until `set`; `reset` goes back to real time. */
  clock: { set(at: Date | string): void; advance(ms: number): void; reset(): void; now(): Date };
  /** A user of this role attached to `storeId` (null: unattached), with a token retail trusts. */
  staff(role: Role, storeId: string | null, options?: { sub?: string }): Promise<Staff>;
  /** A new store (admin, through retail; code STORE-<name>-<n> unless given) with a manager and a clerk of it. */
  store(overrides?: Record<string, unknown>): Promise<TestStore>;
  /** A new register of the store (as admin). */
  register(storeId: string, overrides?: { code?: string; name?: string }): Promise<TestRegister>;
  /** Opens the register with `openingFloat` (default 10000) as `by` (the store's clerk): the session's body. */
  open(register: TestRegister, by: Api, openingFloat?: number): Promise<Record<string, any>>;
  /** A new store with one register and its session opened by the store's clerk. */
  till(options?: {
    openingFloat?: number;
  }): Promise<{ store: TestStore; register: TestRegister; session: Record<string, any> }>;
  /**
   * An active product in catalog, known to inventory, with `stock` (default 20) of each variant at
   * `locationId` (a store's location) when given. `vatRate` in basis points (catalog's default 2000).
   */
  product(options?: {
    price?: number;
    stock?: number;
    locationId?: string;
    variants?: number;
    vatRate?: number;
    barcodes?: boolean;
  }): Promise<Product>;
  /** Receives `quantity` of the variant at the location (inventory's stock/adjust, type receipt). */
  receive(variantId: string, locationId: string, quantity: number): Promise<void>;
  /** Another retail instance on the same database (a restart, or a second instance). */
  instance(name: string, options?: RetailInstanceOptions): Promise<{ base: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Monday to Saturday 09:00–19:00, closed on Sunday. */
export const PARIS_HOURS = {
  mon: [{ open: "09:00", close: "19:00" }],
  tue: [{ open: "09:00", close: "19:00" }],
  wed: [{ open: "09:00", close: "19:00" }],
  thu: [{ open: "09:00", close: "19:00" }],
  fri: [{ open: "09:00", close: "19:00" }],
  sat: [{ open: "09:00", close: "19:00" }],
  sun: [],
};

/** A valid POST /stores body with this code. */
export const storeBody = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  name: `Magasin ${code}`,
  address: { line1: "12 rue de la République", postalCode: "69002", city: "Lyon", country: "FR" },
  phone: "+33 4 78 00 00 00",
  email: `${code.toLowerCase()}@comptoir.example`,
  openingHours: PARIS_HOURS,
  timezone: "Europe/Paris",
  ...overrides,
});

/** A close's count of `amount` cents in notes and coins (largest first). */
export function DENOMINATIONS_OF(amount: number): Record<string, number> {
  const counted: Record<string, number> = {};
  let left = amount;
  for (const d of [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]) {
    const n = Math.floor(left / d);
    if (n > 0) counted[String(d)] = n;
    left -= n * d;
  }
  return counted;
}

/** On hand and reserved of a variant at a location, through inventory's API. */
export async function level(world: RetailWorld, variantId: string, locationId: string) {
  const res = await world.inventory.admin.get(`/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { onHand: res.body.onHand as number, reserved: res.body.reserved as number };
}

/** Retail and the services it calls, on test databases named after `name` (one per test file). */
export async function startRetail(name: string, options: RetailInstanceOptions = {}): Promise<RetailWorld> {
  const imagesDir = await mkdtemp(join(tmpdir(), `comptoir-retail-catalog-${name}-`));
  const catalog = await startService({
    service: "catalog",
    name: `retail_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/catalog"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    build: (parts) => buildCatalog({ ...parts, imagesDir, sharedCacheSeconds: 0 }),
  });
  catalog.onClose("its images folder", () => rm(imagesDir, { recursive: true, force: true }));
  const issuer = catalog.issuer;
  const inventory = await startService({
    service: "inventory",
    name: `retail_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/inventory"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    eventLog: catalog.testbed.eventLog,
    issuer,
    build: (parts) => buildInventory({ ...parts, reservationSweepMs: 0 }),
  });
  let providerDb: ReturnType<typeof createPool> | undefined;
  const payments = await startService({
    service: "payments",
    name: `retail_${name}`,
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

  let current: Date | null = null;
  const clock: RetailWorld["clock"] = {
    set: (at) => void (current = new Date(at)),
    advance: (ms) => void (current = new Date((current ?? new Date()).getTime() + ms)),
    reset: () => void (current = null),
    now: () => current ?? new Date(),
  };

  const client = (target: string, url: string, auth?: ServiceTokens) =>
    createServiceClient({ target, baseUrls: [url], timeoutMs: 5_000, auth });
  const tokens = inventory.serviceTokens("retail");
  const build =
    ({ urls, journalSecret = "retail-test-journal-secret", ...appOptions }: RetailInstanceOptions = {}) =>
    async (parts: ServiceParts) =>
      buildApp({
        ...parts,
        catalog: createCatalogClient(client("catalog", urls?.catalog ?? catalog.base)),
        inventory: createInventoryClient(client("inventory", urls?.inventory ?? inventory.base, tokens)),
        payments: createPaymentsClient(client("payments", urls?.payments ?? payments.base, tokens)),
        journal: await createJournal({ db: parts.db, logger: parts.logger, secret: journalSecret }),
        sagaWorkerMs: 0,
        now: clock.now,
        ...appOptions,
        saga: { leaseMs: 1_000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200, ...appOptions.saga },
      });
  const retail = await startService({
    service: "retail",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    sagas: true,
    idempotency: true,
    issuer,
    build: build(options),
  });

  const staff: RetailWorld["staff"] = async (role, storeId, o = {}) => {
    const id = o.sub ?? randomUUID();
    return { id, api: await retail.as({ role, storeId, sub: id }) };
  };

  let stores = 0;
  let skus = 0;
  let category: string | undefined;
  const world: RetailWorld = {
    retail,
    catalog,
    inventory,
    payments: Object.assign(payments, { retailApi: await payments.as({ service: "retail" }) }),
    issuer,
    admin: retail.admin,
    clock,
    staff,
    async store(overrides = {}) {
      const code = `S-${name}-${++stores}`.slice(0, 40);
      const res = await retail.admin.post("/api/retail/stores", storeBody(code, overrides));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const body = res.body;
      return {
        id: body.id,
        code: body.code,
        name: body.name,
        timezone: body.timezone,
        locationId: body.locationId,
        body,
        manager: await staff("manager", body.id),
        clerk: await staff("clerk", body.id),
      };
    },
    async register(storeId, overrides = {}) {
      const res = await retail.admin.post(`/api/retail/stores/${storeId}/registers`, {
        code: overrides.code ?? `R${randomUUID().slice(0, 8)}`,
        name: overrides.name ?? "Caisse",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { id: res.body.id, storeId: res.body.storeId, code: res.body.code, name: res.body.name };
    },
    async open(register, by, openingFloat = 10_000) {
      const res = await by.post(`/api/retail/registers/${register.id}/open`, { openingFloat });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
    async till(o = {}) {
      const store = await world.store();
      const register = await world.register(store.id);
      const session = await world.open(register, store.clerk.api, o.openingFloat);
      return { store, register, session };
    },
    async product(o = {}) {
      if (!category) {
        const res = await catalog.admin.post("/api/catalog/categories", { name: `Vêtements ${name}` });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        category = res.body.id as string;
      }
      const n = ++skus;
      const productName = `Pull ${n}`;
      const res = await catalog.admin.post("/api/catalog/products", {
        categoryId: category,
        name: productName,
        status: "active",
        ...(o.vatRate === undefined ? {} : { vatRate: o.vatRate }),
        variants: Array.from({ length: o.variants ?? 1 }, (_, i) => ({
          sku: `RETAIL-${name}-${n}-${i}`,
          options: { taille: ["S", "M", "L", "XL"][i % 4]! },
          price: o.price ?? 2990,
          ...(o.barcodes ? { barcode: ean13(n * 10 + i) } : {}),
        })),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const variants = (res.body.variants as Product["variants"]).map((v) => ({
        id: v.id,
        sku: v.sku,
        price: v.price,
        barcode: v.barcode ?? null,
      }));
      for (const v of variants) {
        // Inventory learns the variant from catalog's events.
        await waitFor(
          async () =>
            (await inventory.admin.get(`/api/inventory/availability?variantIds=${v.id}`)).body?.data?.[0]?.known,
          (known) => known === true,
          `inventory to learn variant ${v.sku}`,
        );
        if (o.locationId) await world.receive(v.id, o.locationId, o.stock ?? 20);
      }
      const first = variants[0]!;
      return { id: res.body.id, name: productName, variants, variantId: first.id, sku: first.sku, price: first.price };
    },
    async receive(variantId, locationId, quantity) {
      const res = await inventory.admin.post("/api/inventory/stock/adjust", {
        variantId,
        locationId,
        changeQuantity: quantity,
        type: "receipt",
        reason: "test stock",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    },
    async instance(instanceName, instanceOptions) {
      const i = await retail.instance(instanceName, build({ ...options, ...instanceOptions }));
      return { base: i.base, close: () => i.close().catch(() => {}) };
    },
    async close() {
      await retail.close();
      await payments.close();
      await inventory.close();
      await catalog.close();
    },
  };
  return world;
}

/** A valid EAN-13 from a number (12 digits, then the GS1 check digit). */
export function ean13(n: number): string {
  const body = String(200_000_000_000 + n)
    .padStart(12, "0")
    .slice(-12);
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return body + String((10 - (sum % 10)) % 10);
}

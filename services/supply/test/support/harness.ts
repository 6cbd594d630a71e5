import { buildApp as buildInventory } from "@comptoir/inventory";
import { createServiceClient, migrationsDirOf, newId } from "@comptoir/platform";
import {
  createEventPublisher,
  type Door,
  type EventPublisher,
  migrationsDirOfPackage,
  openDoor,
  type ServiceInstance,
  type ServiceParts,
  startService,
  type StartedService,
  type TestApi,
  waitFor,
} from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp, type SupplyAppDeps } from "../../src/app";
import { createInventoryClient } from "../../src/clients/inventory.client";

/** Inventory's central warehouse (seeded by its first migration). */
export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export const STORE_1_ID = "0192f5a0-0000-7000-8000-000000000001";
export const STORE_2_ID = "0192f5a0-0000-7000-8000-000000000002";

export interface Supply extends Omit<StartedService, "instance"> {
  /** The real inventory service (from its package's buildApp), its bus started: it learns variants from events. */
  inventory: StartedService;
  /** The stock locations of store 1 and store 2, created at inventory through its API. */
  store1: string;
  store2: string;
  /** A switchable door in front of inventory (see Door in the platform's testing helpers). */
  door: Door;
  /** Publishes events on the log inventory reads, as catalog would. */
  events: EventPublisher;
  /** Starts another supply instance on the same database (a restart, or a second instance). */
  instance(name: string, options?: InstanceOptions): Promise<SupplyInstance>;
}

export interface SupplyInstance extends ServiceInstance {
  manager: TestApi;
  /** A clerk of store 1. */
  clerk: TestApi;
}

export type InstanceOptions = Partial<Pick<SupplyAppDeps, "saga" | "sagaWorkerMs" | "afterSagaStep">>;

/**
 * Supply calling the real inventory service through a door, with its service token from the issuer
 * both trust. Supply's bus is not started: its outbox keeps exactly what the use cases wrote.
 */
export async function startSupply(name: string): Promise<Supply> {
  const inventory = await startService({
    service: "inventory",
    name: `supply_${name}`,
    migrationsDir: migrationsDirOfPackage("@comptoir/inventory"),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    build: (parts) => buildInventory({ ...parts, reservationSweepMs: 0 }),
  });
  const location = async (n: number, storeId: string) => {
    const res = await inventory.admin.post("/api/inventory/locations", {
      code: `STORE-${n}`,
      name: `Magasin ${n}`,
      kind: "store",
      storeId,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const [store1, store2] = [await location(1, STORE_1_ID), await location(2, STORE_2_ID)];
  const door = await openDoor(inventory.base);
  const events = await createEventPublisher(inventory.testbed.eventLog);

  const build = (options: InstanceOptions) => (parts: ServiceParts) =>
    buildApp({
      ...parts,
      inventory: createInventoryClient(
        createServiceClient({
          target: "inventory",
          baseUrls: [door.url],
          timeoutMs: 1000,
          breaker: { halfOpenAfterMs: 500 },
          auth: inventory.serviceTokens("supply"),
        }),
      ),
      sagaWorkerMs: 0,
      saga: { leaseMs: 2000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200 },
      ...options,
    });
  const supply = await startService({
    service: "supply",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    sagas: true,
    idempotency: true,
    issuer: inventory.issuer,
    build: build({}),
  });
  supply.onClose("the door", () => door.close());
  supply.onClose("the event publisher", () => events.close());
  supply.onClose("inventory", () => inventory.close());
  const instance = supply.instance;
  return Object.assign(supply, {
    inventory,
    store1,
    store2,
    door,
    events,
    async instance(instanceName: string, options: InstanceOptions = {}): Promise<SupplyInstance> {
      const started = await instance(instanceName, build(options));
      return {
        ...started,
        manager: await started.as({ role: "manager" }),
        clerk: await started.as({ role: "clerk", storeId: STORE_1_ID }),
      };
    },
  });
}

let skus = 0;
/** A variant inventory knows: announced by catalog's event (published here), once inventory has read it. */
export async function knownVariant(supply: Supply, name = "T-shirt"): Promise<string> {
  const id = newId();
  const productId = newId();
  await supply.events.publish(
    "catalog.variant.created",
    {
      id,
      sku: `SKU-${process.pid}-${++skus}-${id.slice(-6)}`,
      options: {},
      price: 1000,
      compareAtPrice: null,
      currency: "EUR",
      barcode: null,
      productId,
      productName: name,
      productStatus: "active",
    },
    productId,
  );
  await waitFor(
    async () => (await supply.inventory.admin.get(`/api/inventory/stock?variantId=${id}&locationId=${CENTRAL}`)).status,
    (status) => status === 200,
    `inventory to know variant ${id}`,
  );
  return id;
}

/** Receives `quantity` units at inventory through its API (a receipt). */
export async function receive(supply: Supply, variantId: string, locationId: string, quantity: number) {
  const res = await supply.inventory.admin.post("/api/inventory/stock/adjust", {
    variantId,
    locationId,
    changeQuantity: quantity,
    type: "receipt",
    reason: "test stock",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A level at inventory, through its API. */
export async function level(supply: Supply, variantId: string, locationId: string) {
  const res = await supply.inventory.admin.get(`/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { onHand: number; reserved: number; available: number; lowStockThreshold: number | null };
}

/** The sum of inventory's ledger for a variant at a location, through its movements API. */
export async function ledgerSum(supply: Supply, variantId: string, locationId: string): Promise<number> {
  const res = await supply.inventory.admin.get(
    `/api/inventory/movements?variantId=${variantId}&locationId=${locationId}&limit=200`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.pagination.total).toBeLessThanOrEqual(200);
  return (res.body.data as { quantity: number }[]).reduce((sum, m) => sum + m.quantity, 0);
}

/**
 * The reservation a request's saga made at inventory, as inventory shows it: by the id in supply's own
 * saga row, or, when supply never heard the answer, by asking inventory again for the same reference
 * and items (idempotent: the same reference gives the same reservation).
 */
export async function reservationOf(supply: Supply, requestId: string) {
  const { rows } = await supply.db.query(
    "SELECT input, outputs->'reserve'->>'reservationId' AS id FROM sagas WHERE input->>'requestId' = $1",
    [requestId],
  );
  expect(rows, `the saga of request ${requestId}`).toHaveLength(1);
  const { input, id } = rows[0];
  const res = id
    ? await supply.inventory.admin.get(`/api/inventory/reservations/${id}`)
    : await supply.inventory.admin.post("/api/inventory/reservations", {
        reference: `supply-${requestId}`,
        locationId: input.fromLocationId,
        items: input.items,
      });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; status: string };
}

/** Outbox events of a type (their data), oldest first. */
export const published = (supply: Supply, type: string) => supply.published(type);

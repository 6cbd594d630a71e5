import { type App, createServiceClient, type EventBus, migrationsDirOf, type ServiceTokens } from "@comptoir/platform";
import {
  createServiceTestbed,
  type Door,
  http,
  listen,
  openDoor,
  type TestDatabase,
  testLogger,
} from "@comptoir/platform/testing";
import { buildApp, type SupplyAppDeps } from "../../src/app";
import { createInventoryClient } from "../../src/clients/inventory.client";
// The real inventory service (its own component-test harness): supply is tested against it, not a fake.
import { type Inventory, startInventory } from "../../../inventory/test/support/harness";

export { CENTRAL, knownVariant, level, receive, ledgerSum } from "../../../inventory/test/support/harness";
export const STORE_1 = "0192f5a0-0000-7000-8000-00000000c101";
export const STORE_1_ID = "0192f5a0-0000-7000-8000-000000000001";
export const STORE_2 = "0192f5a0-0000-7000-8000-00000000c102";
export const STORE_2_ID = "0192f5a0-0000-7000-8000-000000000002";

export type Api = ReturnType<typeof http>;

export interface Supply {
  database: TestDatabase;
  eventLog: TestDatabase;
  bus: EventBus;
  inventory: Inventory;
  /** A switchable door in front of inventory (see Door in the platform's testing helpers). */
  door: Door;
  /** Starts another supply instance on the same database (a restart, or a second instance). */
  instance(name: string, options?: InstanceOptions): Promise<SupplyInstance>;
  close(): Promise<void>;
}

export interface SupplyInstance {
  app: App;
  base: string;
  as(options: Parameters<Inventory["as"]>[0]): Promise<Api>;
  manager: Api;
  clerk: Api;
  close(): Promise<void>;
}

export type InstanceOptions = Partial<Pick<SupplyAppDeps, "saga" | "sagaWorkerMs" | "afterSagaStep">>;

/**
 * Supply on its own test database, calling the real inventory service (demo stores created) through
 * a door, with a service token from the same test issuer inventory trusts. Buses are not started:
 * the outbox keeps exactly what the use cases wrote.
 */
export async function startSupply(name: string): Promise<Supply> {
  const inventory = await startInventory(`supply_${name}`, { demo: true });
  // The demo stores' locations (demo mode creates them at start-up in main.ts; here by hand).
  const { seedDemoStock } = await import("../../../inventory/src/domain/demo");
  await seedDemoStock(inventory.deps, testLogger("inventory"));
  const door = await openDoor(inventory.base);
  const testbed = await createServiceTestbed({
    service: "supply",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    sagas: true,
  });
  const { database, eventLog, bus, logger } = testbed;
  const tokens: ServiceTokens = { token: () => inventory.issuer.token({ service: "supply" }), invalidate() {} };
  const instances: SupplyInstance[] = [];

  async function instance(instanceName: string, options: InstanceOptions = {}): Promise<SupplyInstance> {
    const client = createServiceClient({
      target: "inventory",
      baseUrls: [door.url],
      timeoutMs: 1000,
      breaker: { halfOpenAfterMs: 500 },
      auth: tokens,
    });
    const app = await buildApp({
      db: database.db,
      bus,
      logger,
      instance: instanceName,
      auth: inventory.issuer.verifier,
      inventory: createInventoryClient(client),
      sagaWorkerMs: 0,
      saga: { leaseMs: 2000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200 },
      ...options,
    });
    const base = await listen(app);
    const as = async (o: Parameters<Inventory["as"]>[0]) =>
      http(base, { authorization: `Bearer ${await inventory.issuer.token(o)}` });
    const started: SupplyInstance = {
      app,
      base,
      as,
      manager: await as({ role: "manager" }),
      clerk: await as({ role: "clerk", storeId: STORE_1_ID }),
      close: () => app.close(),
    };
    instances.push(started);
    return started;
  }

  return {
    database,
    eventLog,
    bus,
    inventory,
    door,
    instance,
    async close() {
      for (const i of instances) await i.close().catch(() => {});
      await door.close();
      await testbed.close();
      await inventory.close();
    },
  };
}

/** Outbox events of a type (their data), oldest first. */
export async function published(supply: Supply, type: string): Promise<any[]> {
  const { rows } = await supply.database.db.query("SELECT envelope FROM outbox WHERE type = $1 ORDER BY position", [
    type,
  ]);
  return rows.map((r) => r.envelope.data);
}

import { type App, type EventBus, migrationsDirOf, newId } from "@comptoir/platform";
import {
  createServiceTestbed,
  createTestIssuer,
  http,
  listen,
  type TestDatabase,
  type TestIssuer,
  type TestTokenOptions,
} from "@comptoir/platform/testing";
import { expect } from "vitest";
import { buildApp, type InventoryAppDeps } from "../../src/app";
import * as variants from "../../src/db/variants.repo";
import type { InventoryDeps } from "../../src/domain/ledger";

export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";

export type Api = ReturnType<typeof http>;

export interface Inventory {
  database: TestDatabase;
  eventLog: TestDatabase;
  bus: EventBus;
  app: App;
  base: string;
  issuer: TestIssuer;
  /** The use cases' dependencies, for tests that drive them without HTTP. */
  deps: InventoryDeps;
  /** An admin caller (every permission). */
  admin: Api;
  as(options: TestTokenOptions): Promise<Api>;
  close(): Promise<void>;
}

/**
 * The inventory service on its own test database, its bus never started (the outbox keeps exactly
 * what the use cases wrote), the expiry timer off (tests sweep by hand), a test token issuer.
 */
export async function startInventory(
  name: string,
  options: Partial<Pick<InventoryAppDeps, "demo" | "reservationSweepMs" | "allocationPriority">> = {},
): Promise<Inventory> {
  const testbed = await createServiceTestbed({
    service: "inventory",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    bus: { rebalanceMs: 200, waitMs: 200 },
  });
  const { database, eventLog, bus, logger } = testbed;
  const issuer = await createTestIssuer();
  const app = await buildApp({
    db: database.db,
    bus,
    logger,
    instance: "inventory-test",
    auth: issuer.verifier,
    reservationSweepMs: 0,
    ...options,
  });
  const base = await listen(app);
  const as = async (o: TestTokenOptions) => http(base, { authorization: `Bearer ${await issuer.token(o)}` });
  return {
    database,
    eventLog,
    bus,
    app,
    base,
    issuer,
    deps: { db: database.db, outbox: bus.outbox },
    admin: await as({ role: "admin" }),
    as,
    async close() {
      await app.close();
      await testbed.close();
    },
  };
}

let skus = 0;
/** A variant inventory knows (as if catalog had announced it); returns its id. */
export async function knownVariant(inv: Inventory, name = "T-shirt"): Promise<string> {
  const id = newId();
  await variants.upsertVariants(inv.database.db, [
    { id, productId: newId(), sku: `SKU-${process.pid}-${++skus}-${id.slice(-6)}`, name, status: "active" },
  ]);
  return id;
}

/** Receives `quantity` units through the API (a receipt). */
export async function receive(inv: Inventory, variantId: string, locationId: string, quantity: number) {
  const res = await inv.admin.post("/api/inventory/stock/adjust", {
    variantId,
    locationId,
    changeQuantity: quantity,
    type: "receipt",
    reason: "test stock",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function level(inv: Inventory, variantId: string, locationId: string) {
  const res = await inv.admin.get(`/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { onHand: number; reserved: number; available: number; lowStockThreshold: number | null };
}

/** Outbox events of a type, oldest first (their data), optionally for one subject. */
export async function published(inv: Inventory, type: string, subject?: string): Promise<any[]> {
  const { rows } = await inv.database.db.query(
    `SELECT envelope FROM outbox WHERE type = $1 AND ($2::text IS NULL OR subject = $2) ORDER BY position`,
    [type, subject ?? null],
  );
  return rows.map((r) => r.envelope.data);
}

export async function ledgerSum(inv: Inventory, variantId: string, locationId: string): Promise<number> {
  const { rows } = await inv.database.db.query(
    "SELECT coalesce(sum(quantity), 0)::int AS n FROM stock_movements WHERE variant_id = $1 AND location_id = $2",
    [variantId, locationId],
  );
  return rows[0].n;
}

export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

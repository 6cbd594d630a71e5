import { migrationsDirOf, newId } from "@comptoir/platform";
import { startService, type StartedService } from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp, type InventoryAppDeps } from "../../src/app";
import * as variants from "../../src/db/variants.repo";
import type { InventoryDeps } from "../../src/domain/ledger";

export { expectProblem } from "@comptoir/testing";
export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";

export interface Inventory extends StartedService {
  /** The use cases' dependencies, for tests that drive them without HTTP. */
  deps: InventoryDeps;
}

/**
 * The inventory service (startService): its bus never started unless the test starts it (the outbox
 * keeps exactly what the use cases wrote), the expiry timer off (tests sweep by hand).
 */
export async function startInventory(
  name: string,
  options: Partial<Pick<InventoryAppDeps, "demo" | "reservationSweepMs" | "allocationPriority">> = {},
): Promise<Inventory> {
  const inventory = await startService({
    service: "inventory",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    idempotency: true,
    bus: { rebalanceMs: 200, waitMs: 200 },
    build: (parts) => buildApp({ ...parts, reservationSweepMs: 0, ...options }),
  });
  return Object.assign(inventory, { deps: { db: inventory.db, outbox: inventory.bus.outbox } });
}

let skus = 0;
/** A variant inventory knows (as if catalog had announced it); returns its id. */
export async function knownVariant(inv: Inventory, name = "T-shirt"): Promise<string> {
  const id = newId();
  await variants.upsertVariants(inv.db, [
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
export const published = (inv: Inventory, type: string, subject?: string) => inv.published(type, subject);

export async function ledgerSum(inv: Inventory, variantId: string, locationId: string): Promise<number> {
  const { rows } = await inv.db.query(
    "SELECT coalesce(sum(quantity), 0)::int AS n FROM stock_movements WHERE variant_id = $1 AND location_id = $2",
    [variantId, locationId],
  );
  return rows[0].n;
}

import { createHash } from "node:crypto";
import { type Logger, type Outbox, type Tx, withTx } from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as stock from "../db/stock.repo";
import * as variantsRepo from "../db/variants.repo";
import type { KnownVariant } from "../db/variants.repo";
import { evaluateAlert, type InventoryDeps, recordMovement } from "./ledger";
import { DEMO_STORES, type Location } from "./locations";

/** The demo's low-stock threshold at stores: stores get 5 to 30 units, so some start under it. */
export const DEMO_STORE_THRESHOLD = 10;

/** Units a demo variant receives at a location: central 100, online 40, a store 5–30 (stable per variant and store). */
export function demoQuantity(variantId: string, location: Pick<Location, "kind" | "code">): number {
  if (location.kind === "central") return 100;
  if (location.kind === "online") return 40;
  const hash = createHash("sha256").update(`${variantId}/${location.code}`).digest();
  return 5 + (hash.readUInt32BE(0) % 26);
}

/** The demo stores' locations (idempotent). */
export async function seedDemoLocations(deps: Pick<InventoryDeps, "db">): Promise<void> {
  for (const store of DEMO_STORES) {
    await locationsRepo.insertLocation(
      deps.db,
      { id: store.id, code: store.code, name: store.name, kind: "store", storeId: store.storeId },
      { ignoreExisting: true },
    );
  }
}

/**
 * Gives a variant its demo stock at every location (receipt movements) and a threshold of 10 at
 * stores, within the caller's transaction: from the catalog.variant.created handler, that is once.
 */
export async function giveDemoStock(tx: Tx, outbox: Outbox, variant: KnownVariant): Promise<void> {
  const locations = await locationsRepo.listLocations(tx);
  for (const location of locations) {
    await recordMovement(
      tx,
      outbox,
      { variant, location },
      {
        type: "receipt",
        quantity: demoQuantity(variant.id, location),
        reason: "demo stock",
        actorId: null,
        reference: "demo",
      },
    );
    if (location.kind === "store") {
      const level = await stock.setThreshold(
        tx,
        { variantId: variant.id, locationId: location.id },
        DEMO_STORE_THRESHOLD,
      );
      await evaluateAlert(tx, outbox, { variant, location }, level);
    }
  }
}

/**
 * At start in demo mode (COMPTOIR_DEMO): the demo stores' locations, and stock for any known
 * variant that has none yet (variants learnt before the stores existed). Safe to run at every start.
 */
export async function seedDemoStock(deps: InventoryDeps, logger?: Logger): Promise<number> {
  await seedDemoLocations(deps);
  const variants = await variantsRepo.listVariantsWithoutStock(deps.db);
  let seeded = 0;
  for (const variant of variants) {
    const done = await withTx(deps.db, async (tx) => {
      // Another instance may have seeded it meanwhile: the lock on the variant row decides.
      await tx.query("SELECT 1 FROM known_variants WHERE id = $1 FOR UPDATE", [variant.id]);
      if (await variantsRepo.hasStockLevels(tx, variant.id)) return false;
      await giveDemoStock(tx, deps.outbox, variant);
      return true;
    });
    if (done) seeded++;
  }
  if (seeded > 0) logger?.info({ variants: seeded }, "demo stock seeded");
  return seeded;
}

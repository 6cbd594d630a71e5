import { createHash } from "node:crypto";
import type { Outbox } from "@comptoir/events";
import type { Tx } from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as stock from "../db/stock.repo";
import type { Location } from "../model/location";
import type { KnownVariant } from "../model/variant";
import { evaluateAlert, recordMovement } from "./ledger";

/*
 * Demo mode (COMPTOIR_DEMO): each of the demo catalog's variants receives demo stock. A use case
 * rather than a seeder, since catalog's events trigger it (events/catalog.handlers.ts); the seeder
 * at start (seed/demo-stock.ts) gives it to the variants learnt before the demo stores existed.
 */

/** The demo's low-stock threshold at stores: stores get 5 to 30 units, so some start under it. */
export const DEMO_STORE_THRESHOLD = 10;

/** Units a demo variant receives at a location: central 100, online 40, a store 5–30 (stable per variant and store). */
export function demoQuantity(variantId: string, location: Pick<Location, "kind" | "code">): number {
  if (location.kind === "central") return 100;
  if (location.kind === "online") return 40;
  const hash = createHash("sha256").update(`${variantId}/${location.code}`).digest();
  return 5 + (hash.readUInt32BE(0) % 26);
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

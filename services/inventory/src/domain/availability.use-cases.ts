import { inventoryHttp } from "@comptoir/contracts/http";
import type { Db } from "@comptoir/platform";
import * as repo from "../db/availability.repo";
import { type Actor, canAccess, locationForbidden, SYSTEM } from "../model/actor";
import { byPriority, DEFAULT_ALLOCATION_PRIORITY, locationNotFound } from "../model/location";

export interface AvailabilityDeps {
  db: Db;
  /** The order reservations without a location allocate in (RESERVATION_LOCATION_PRIORITY). */
  allocationPriority?: readonly string[];
}

export interface VariantAvailability {
  variantId: string;
  /** Units that can still be reserved: summed over the online allocation's locations, or at one location. */
  available: number;
  /** False when inventory has never heard of the variant (available is then 0). */
  known: boolean;
}

/**
 * What a shopper may still buy of each variant (a cart's check, not a promise: nothing is held).
 * Without a location, the sum over the locations a reservation made without a location allocates
 * from — the same candidates `reserve` uses (the locations the caller may use, ordered by the
 * allocation priority); with one (click-and-collect), that location only. Unknown variants are
 * reported with `known: false`, not refused: a cart must still render. Order of `variantIds` kept.
 */
export async function availability(
  deps: AvailabilityDeps,
  actor: Actor,
  input: { variantIds: readonly string[]; locationId?: string },
): Promise<VariantAvailability[]> {
  const variantIds = [...new Set(input.variantIds.map((id) => id.toLowerCase()))];
  const rows = await repo.availabilityAt(deps.db, variantIds, input.locationId);
  let locations = [...new Map(rows.map((r) => [r.location.id, r.location])).values()];
  if (input.locationId !== undefined) {
    const location = locations[0];
    if (!location) throw locationNotFound(input.locationId);
    if (!canAccess(actor.scope, location)) throw locationForbidden();
  } else {
    locations = byPriority(
      locations.filter((l) => canAccess(actor.scope, l)),
      deps.allocationPriority ?? DEFAULT_ALLOCATION_PRIORITY,
    );
  }
  const candidates = new Set(locations.map((l) => l.id));
  const result = new Map<string, VariantAvailability>(
    variantIds.map((variantId) => [variantId, { variantId, available: 0, known: false }]),
  );
  for (const row of rows) {
    const entry = result.get(row.variantId)!;
    entry.known = row.known;
    if (candidates.has(row.location.id)) entry.available += Math.max(0, row.available);
  }
  return [...result.values()];
}

const { PUBLIC_AVAILABILITY_CAP, DEFAULT_PUBLIC_LOW_STOCK } = inventoryHttp;

/**
 * A variant's stock as the public sees it: `out` at 0, `low` at or under the threshold (the level's
 * own, as its low-stock alert uses it, or DEFAULT_PUBLIC_LOW_STOCK), else `in_stock`; the count capped
 * at PUBLIC_AVAILABILITY_CAP, so that no one reads a shop's exact stock.
 */
export function publicStock(
  variantId: string,
  available: number,
  known: boolean,
  threshold: number | null = null,
): inventoryHttp.PublicVariantStock {
  const left = known ? Math.max(0, available) : 0;
  const status = left === 0 ? "out" : left <= (threshold ?? DEFAULT_PUBLIC_LOW_STOCK) ? "low" : "in_stock";
  return { variantId, status, available: Math.min(left, PUBLIC_AVAILABILITY_CAP), known };
}

/**
 * Anyone's view of the stock of some variants: online (what an order without a pickup location may
 * reserve, summed as `availability` does for a caller who may use every location) and at each store's
 * location (click-and-collect). Order of `variantIds` kept, duplicates once.
 */
export async function storeAvailability(
  deps: AvailabilityDeps,
  input: { variantIds: readonly string[] },
): Promise<{ online: inventoryHttp.PublicVariantStock[]; stores: inventoryHttp.StoreAvailability[] }> {
  const variantIds = [...new Set(input.variantIds.map((id) => id.toLowerCase()))];
  const [online, rows] = await Promise.all([
    availability(deps, SYSTEM, { variantIds }),
    repo.storeLevels(deps.db, variantIds),
  ]);
  const stores = new Map<string, inventoryHttp.StoreAvailability>();
  for (const row of rows) {
    let store = stores.get(row.location.id);
    if (!store) {
      store = { locationId: row.location.id, storeId: row.location.storeId, name: row.location.name, variants: [] };
      stores.set(row.location.id, store);
    }
    store.variants.push(publicStock(row.variantId, row.available, row.known, row.lowStockThreshold));
  }
  return {
    online: online.map((v) => publicStock(v.variantId, v.available, v.known)),
    stores: [...stores.values()],
  };
}

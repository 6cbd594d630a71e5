import type { Db } from "@comptoir/platform";
import * as repo from "../db/availability.repo";
import { type Actor, canAccess, locationForbidden } from "../model/actor";
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

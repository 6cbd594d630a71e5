import { inventoryHttp } from "@comptoir/contracts/http";
import { NotFoundError, type Static } from "@comptoir/platform";

/** Fixed ids of the locations every installation has (seeded by migration 001). */
export const CENTRAL_LOCATION_ID = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE_LOCATION_ID = "0192f5a0-0000-7000-8000-00000000c002";

export const LocationKind = inventoryHttp.LocationKind;
export type LocationKind = Static<typeof LocationKind>;

/** A stock location (inventory's HTTP contract). */
export const Location = inventoryHttp.Location;
export type Location = Static<typeof Location>;

export const locationNotFound = (id: string) =>
  new NotFoundError("location_not_found", `No stock location with id ${id}.`);

/** The contracts call the central warehouse `warehouse` (inventory.events.ts). */
export function eventKindOf(kind: LocationKind): "warehouse" | "store" | "online" {
  return kind === "central" ? "warehouse" : kind;
}

/** Default order in which locations serve a reservation without a location: online first, then central, then stores. */
export const DEFAULT_ALLOCATION_PRIORITY: readonly LocationKind[] = ["online", "central", "store"];

/** Parses `online,central,store` (kinds, or location codes for a finer order) from the environment. */
export function parsePriority(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Locations sorted for allocation: each entry of `priority` is a kind or a location code; a location
 * takes the rank of the first entry it matches (unmatched ones come last), ties by code.
 */
export function byPriority<L extends Pick<Location, "code" | "kind">>(
  locations: readonly L[],
  priority: readonly string[],
): L[] {
  const rank = (l: L) => {
    const i = priority.findIndex((p) => p === l.code || p === l.kind);
    return i === -1 ? priority.length : i;
  };
  return [...locations].sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
}

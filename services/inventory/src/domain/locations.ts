import type { Principal } from "@comptoir/platform";

/** Fixed ids of the locations every installation has (seeded by migration 001). */
export const CENTRAL_LOCATION_ID = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE_LOCATION_ID = "0192f5a0-0000-7000-8000-00000000c002";

/** The demo stores (COMPTOIR_DEMO): retail creates its stores with these ids; identity's demo clerk works in store 1. */
export const DEMO_STORES = [
  {
    id: "0192f5a0-0000-7000-8000-00000000c101",
    storeId: "0192f5a0-0000-7000-8000-000000000001",
    code: "STORE-1",
    name: "Magasin 1",
  },
  {
    id: "0192f5a0-0000-7000-8000-00000000c102",
    storeId: "0192f5a0-0000-7000-8000-000000000002",
    code: "STORE-2",
    name: "Magasin 2",
  },
  {
    id: "0192f5a0-0000-7000-8000-00000000c103",
    storeId: "0192f5a0-0000-7000-8000-000000000003",
    code: "STORE-3",
    name: "Magasin 3",
  },
] as const;

export const LOCATION_KINDS = ["central", "store", "online"] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export interface Location {
  id: string;
  code: string;
  name: string;
  kind: LocationKind;
  storeId: string | null;
  createdAt: string;
}

/** The contracts call the central warehouse `warehouse` (inventory.events.ts). */
export function eventKindOf(kind: LocationKind): "warehouse" | "store" | "online" {
  return kind === "central" ? "warehouse" : kind;
}

/**
 * What a caller may see and change: a clerk only the location of their store (none without a
 * store); managers, admins and service callers every location.
 */
export type Scope = { all: true } | { all: false; storeId: string | null };

export function scopeOf(principal: Pick<Principal, "role" | "storeId">): Scope {
  return principal.role === "clerk" ? { all: false, storeId: principal.storeId } : { all: true };
}

export const EVERYWHERE: Scope = { all: true };

export function canAccess(scope: Scope, location: Pick<Location, "storeId">): boolean {
  return scope.all || (scope.storeId !== null && location.storeId === scope.storeId);
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

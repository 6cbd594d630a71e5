import { ForbiddenError, type Principal } from "@comptoir/platform";
import type { Location } from "./location";

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

/** Who is acting: their user id for the ledger (null for a system process) and what they may touch. */
export interface Actor {
  userId: string | null;
  scope: Scope;
}

export const SYSTEM: Actor = { userId: null, scope: EVERYWHERE };

export const locationForbidden = () =>
  new ForbiddenError("You may only see and change the stock of your own store's location.", "location_forbidden");

/** The location itself, when the actor may use it (403 location_forbidden otherwise). */
export function assertCanAccess(actor: Pick<Actor, "scope">, location: Pick<Location, "storeId">): void {
  if (!canAccess(actor.scope, location)) throw locationForbidden();
}

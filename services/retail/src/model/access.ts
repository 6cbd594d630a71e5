import type { Permission, PrincipalRole } from "@comptoir/contracts";
import { type NotFoundError } from "@comptoir/platform";

/** Who acts at the till or in the back office, as retail needs to know them (from the access token). */
export interface Actor {
  userId: string;
  role: PrincipalRole;
  permissions: readonly Permission[];
  /** The store a clerk or manager is attached to; null for an admin (every store) or unattached staff. */
  storeId: string | null;
}

/** The stores an actor may see: every store for an admin, their own otherwise (none when unattached). */
export function storeScopeOf(actor: Actor): { all: true } | { all: false; storeId: string | null } {
  return actor.role === "admin" ? { all: true } : { all: false, storeId: actor.storeId };
}

export function canActInStore(actor: Actor, storeId: string): boolean {
  const scope = storeScopeOf(actor);
  return scope.all || scope.storeId === storeId;
}

/**
 * Staff act only in their own store: anything of another store is answered as if it did not exist
 * (404 with the resource's own code), so that a clerk learns nothing of other stores' ids.
 */
export function assertStoreAccess(actor: Actor, storeId: string, notFound: () => NotFoundError): void {
  if (!canActInStore(actor, storeId)) throw notFound();
}

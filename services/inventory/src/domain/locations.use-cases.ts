import { ConflictError, InvalidError, newId } from "@comptoir/platform";
import * as repo from "../db/locations.repo";
import { type Actor, canAccess } from "../model/actor";
import type { Location, LocationKind } from "../model/location";
import type { InventoryDeps } from "./ledger";

export async function listLocations(deps: Pick<InventoryDeps, "db">, actor: Actor): Promise<Location[]> {
  return (await repo.listLocations(deps.db)).filter((l) => canAccess(actor.scope, l));
}

export interface CreateLocationInput {
  /** The caller's id of the location (retail names its stores' locations); a new one without it. */
  id?: string;
  code: string;
  name: string;
  kind: LocationKind;
  storeId?: string | null;
}

/** What `createLocation` did: `created` false when the same location existed (an idempotent retry). */
export interface CreatedLocation {
  created: boolean;
  location: Location;
}

const sameFields = (l: Location, wanted: Omit<Location, "id" | "createdAt">) =>
  l.code === wanted.code && l.name === wanted.name && l.kind === wanted.kind && l.storeId === wanted.storeId;

const codeTaken = (code: string) =>
  new ConflictError("location_code_taken", `Another location already uses the code "${code}".`, {
    errors: [{ in: "body", field: "code", message: "is already used by another location" }],
  });

/**
 * A new stock location (a store opening, a second warehouse). Idempotent: the same id (or, without
 * one, the same code) with the same fields is the location as it is (`created: false`). 409
 * location_code_taken when another location has the code, location_store_taken when the store has
 * a location, location_id_taken when the id is another location's.
 */
export async function createLocation(
  deps: Pick<InventoryDeps, "db">,
  input: CreateLocationInput,
): Promise<CreatedLocation> {
  const storeId = input.storeId ?? null;
  if (storeId !== null && input.kind !== "store") {
    throw new InvalidError("location_store_not_a_store", "Only a location of kind store belongs to a store.", {
      errors: [{ in: "body", field: "storeId", message: "is only allowed with kind store" }],
    });
  }
  const wanted = { code: input.code, name: input.name.trim(), kind: input.kind, storeId };
  const inserted = await repo.insertLocation(deps.db, { id: input.id ?? newId(), ...wanted }, { ignoreExisting: true });
  if (inserted) return { created: true, location: inserted };
  // Something of it is taken (committed: the insert waited for any concurrent one): the same
  // location again, or another's id, code or store.
  if (input.id !== undefined) {
    const same = await repo.findLocation(deps.db, input.id);
    if (same && sameFields(same, wanted)) return { created: false, location: same };
    if (same) {
      throw new ConflictError("location_id_taken", `Location ${input.id} exists with other fields.`, {
        errors: [{ in: "body", field: "id", message: "is a location with another code, name, kind or store" }],
      });
    }
  }
  const byCode = await repo.findLocationByCode(deps.db, input.code);
  if (byCode) {
    if (input.id === undefined && sameFields(byCode, wanted)) return { created: false, location: byCode };
    throw codeTaken(input.code);
  }
  if (storeId !== null && (await repo.findLocationOfStore(deps.db, storeId))) {
    throw new ConflictError("location_store_taken", `Store ${storeId} already has a stock location.`, {
      errors: [{ in: "body", field: "storeId", message: "already has a location" }],
    });
  }
  // Not reachable: locations are never deleted, so what conflicted is still there.
  throw new Error(`location ${input.code} was neither inserted nor found`);
}

import { ConflictError, InvalidError, newId, PgCode, pgConstraint, pgErrorCode } from "@comptoir/platform";
import * as repo from "../db/locations.repo";
import { type Actor, canAccess } from "../model/actor";
import type { Location, LocationKind } from "../model/location";
import type { InventoryDeps } from "./ledger";

export async function listLocations(deps: Pick<InventoryDeps, "db">, actor: Actor): Promise<Location[]> {
  return (await repo.listLocations(deps.db)).filter((l) => canAccess(actor.scope, l));
}

export interface CreateLocationInput {
  code: string;
  name: string;
  kind: LocationKind;
  storeId?: string | null;
}

/** A new stock location (a store opening, a second warehouse); 409 when its code or store is taken. */
export async function createLocation(deps: Pick<InventoryDeps, "db">, input: CreateLocationInput): Promise<Location> {
  const storeId = input.storeId ?? null;
  if (storeId !== null && input.kind !== "store") {
    throw new InvalidError("location_store_not_a_store", "Only a location of kind store belongs to a store.", {
      errors: [{ in: "body", field: "storeId", message: "is only allowed with kind store" }],
    });
  }
  try {
    return (await repo.insertLocation(deps.db, {
      id: newId(),
      code: input.code,
      name: input.name.trim(),
      kind: input.kind,
      storeId,
    }))!;
  } catch (error) {
    if (pgErrorCode(error) === PgCode.uniqueViolation) {
      if (pgConstraint(error) === "locations_store_id_key") {
        throw new ConflictError("location_store_taken", `Store ${storeId} already has a stock location.`, {
          errors: [{ in: "body", field: "storeId", message: "already has a location" }],
        });
      }
      throw new ConflictError("location_code_taken", `Another location already uses the code "${input.code}".`, {
        errors: [{ in: "body", field: "code", message: "is already used by another location" }],
      });
    }
    throw error;
  }
}

import { MovementType } from "@comptoir/contracts";
import { inventoryHttp } from "@comptoir/contracts/http";
import { type Principal, Type, Id, Nullable, pageQuery, problemResponses, Pagination } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import { type Actor, scopeOf } from "../model/actor";
import { AlertView } from "../model/stock";

export { Id, Nullable, Pagination, problemResponses };

export const Params = Type.Object({ id: Id });

export const PageQuery = pageQuery();

// What other services read and send: inventory's HTTP contract.
export const { Location, LevelFields, Level, LevelView, Movement, Reservation, Item, Reference, Transfer } =
  inventoryHttp;
export const MovementTypeSchema = MovementType;

/** A low-stock alert, as the list shows it. */
export const Alert = AlertView;

/** The caller as the use cases see it: their id for the ledger, and the locations they may touch. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal as Principal;
  return { userId: principal.userId, scope: scopeOf(principal) };
}

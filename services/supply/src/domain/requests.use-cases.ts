import type { Outbox } from "@comptoir/events";
import {
  type Db,
  ForbiddenError,
  InvalidError,
  newId,
  NotFoundError,
  UnavailableError,
  withTx,
} from "@comptoir/platform";
import { sagaHistory, type SagaRunner } from "@comptoir/sagas";
import type { InventoryClient } from "../clients/inventory.client";
import * as repo from "../db/requests.repo";
import {
  assertTransition,
  type NewRequest,
  requestLinesOf,
  type RequestStatus,
  type RequestView,
  type SupplyRequest,
} from "../model/request";
import { REPLENISHMENT, type ReplenishmentInput } from "./replenishment.saga";
import { publishRequest } from "./requests.events";

export interface SupplyDeps {
  db: Db;
  outbox: Outbox;
  inventory: InventoryClient;
  sagas: SagaRunner;
}

/** The caller: who they are and, for a clerk, the one store they act for. */
export interface Actor {
  userId: string;
  /** null: every store (managers, admins); otherwise the clerk's store (null store: none). */
  storeOnly: { storeId: string | null } | null;
}

const notFound = (id: string) => new NotFoundError("request_not_found", `No supply request with id ${id}.`);

const visibleTo = (actor: Actor, r: { storeId: string | null }) =>
  actor.storeOnly === null || (actor.storeOnly.storeId !== null && actor.storeOnly.storeId === r.storeId);

/**
 * A store asks the central warehouse for stock. The location must be a store's (a clerk: their own
 * store's), every variant known to inventory; it is checked with inventory now, so that a request
 * that could never be carried out is refused at once rather than at approval.
 */
export async function createRequest(deps: SupplyDeps, actor: Actor, input: NewRequest): Promise<SupplyRequest> {
  const lines = requestLinesOf(input.items);
  const locations = await deps.inventory.locations();
  const location = locations.find((l) => l.id === input.locationId);
  if (!location) throw new NotFoundError("location_not_found", `No stock location with id ${input.locationId}.`);
  if (location.kind !== "store" || !location.storeId) {
    throw new InvalidError(
      "not_a_store_location",
      `Location ${location.code} is not a store's: stock is requested for a store.`,
      {
        errors: [{ in: "body", field: "locationId", message: `is the ${location.kind} location, not a store's` }],
      },
    );
  }
  if (!visibleTo(actor, location)) {
    throw new ForbiddenError(`You can request stock only for your own store's location.`, "location_forbidden");
  }
  const central = locations.find((l) => l.kind === "central");
  if (!central) throw new UnavailableError("Inventory has no central warehouse location to supply from.");
  const unknown = await deps.inventory.unknownVariants(lines.map((l) => l.variantId));
  if (unknown.length > 0) {
    throw new NotFoundError("variant_not_found", `Inventory knows no variant with id ${unknown.join(", ")}.`);
  }
  return withTx(deps.db, async (tx) => {
    const id = newId();
    await repo.insertRequest(tx, {
      id,
      storeId: location.storeId!,
      locationId: location.id,
      fromLocationId: central.id,
      note: input.note?.trim() || null,
      requestedBy: actor.userId,
      lines,
    });
    const created = (await repo.findRequest(tx, id))!;
    await publishRequest(tx, deps.outbox, created);
    return created;
  });
}

export async function getRequest(deps: SupplyDeps, actor: Actor, id: string): Promise<RequestView> {
  const request = await repo.findRequest(deps.db, id);
  // Another store's request does not exist for a clerk.
  if (!request || !visibleTo(actor, request)) throw notFound(id);
  return { ...request, history: await sagaHistory(deps.db, id) };
}

export async function listRequests(
  deps: SupplyDeps,
  actor: Actor,
  query: { status?: RequestStatus; locationId?: string; page: number; limit: number },
) {
  const empty = { data: [], pagination: { page: query.page, limit: query.limit, total: 0 } };
  if (actor.storeOnly && actor.storeOnly.storeId === null) return empty;
  const { data, total } = await repo.listRequests(deps.db, {
    status: query.status,
    locationId: query.locationId,
    storeId: actor.storeOnly?.storeId ?? undefined,
    limit: query.limit,
    offset: (query.page - 1) * query.limit,
  });
  return { data, pagination: { page: query.page, limit: query.limit, total } };
}

/**
 * Approves a pending request and carries out the transfer saga at once. Answers with the request
 * as it then is: completed, failed (with the reason), or still approved when inventory gave no
 * answer (the saga goes on in the background and the request ends completed or failed).
 */
export async function approveRequest(deps: SupplyDeps, actor: Actor, id: string): Promise<RequestView> {
  const saga = await withTx(deps.db, async (tx) => {
    const request = await repo.lockRequest(tx, id);
    if (!request) throw notFound(id);
    assertTransition(request, "approved");
    const approved = await repo.updateStatus(tx, id, { status: "approved", decidedBy: actor.userId });
    await publishRequest(tx, deps.outbox, approved);
    const input: ReplenishmentInput = {
      requestId: id,
      fromLocationId: request.fromLocationId,
      toLocationId: request.locationId,
      items: request.lines,
    };
    return deps.sagas.start(tx, REPLENISHMENT, id, input);
  });
  await deps.sagas.execute(saga);
  return getRequest(deps, actor, id);
}

/** Rejects a pending request; the reason is mandatory (the schema refuses a blank one). */
export async function rejectRequest(deps: SupplyDeps, actor: Actor, id: string, reason: string): Promise<RequestView> {
  await withTx(deps.db, async (tx) => {
    const request = await repo.lockRequest(tx, id);
    if (!request) throw notFound(id);
    assertTransition(request, "rejected");
    const rejected = await repo.updateStatus(tx, id, {
      status: "rejected",
      decidedBy: actor.userId,
      reason: reason.trim(),
    });
    await publishRequest(tx, deps.outbox, rejected);
  });
  return getRequest(deps, actor, id);
}

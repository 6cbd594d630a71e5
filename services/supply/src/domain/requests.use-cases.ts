import type { Outbox } from "@comptoir/events";
import {
  type Answer,
  type Db,
  ForbiddenError,
  type IdempotentRequest,
  InvalidError,
  newId,
  NotFoundError,
  once,
  type Tx,
  UnavailableError,
} from "@comptoir/platform";
import { sagaHistory, type SagaRunner, type StartedSaga } from "@comptoir/sagas";
import type { InventoryClient } from "../clients/inventory.client";
import * as repo from "../db/requests.repo";
import {
  assertTransition,
  type NewRequest,
  requestLinesOf,
  type RequestStatus,
  type RequestView,
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

/** The idempotency module's names for the three writes (a key is scoped to its caller and one of them). */
export const REQUEST_OPERATION = "supply.request";
export const APPROVE_OPERATION = "supply.approve";
export const REJECT_OPERATION = "supply.reject";

/**
 * What an approval answers: 200 once its transfer has ended (completed, or failed with the reason),
 * 202 while it is still approved (inventory gave no answer: the saga carries on in the background).
 */
export const approvalStatusOf = (view: RequestView): number => (view.status === "approved" ? 202 : 200);

/**
 * A store asks the central warehouse for stock, once per Idempotency-Key of `call` (the platform's
 * `once`: the same key and body again answer the first request without a second one). The location
 * must be a store's (a clerk: their own store's), every variant known to inventory; it is checked
 * with inventory now, so that a request that could never be carried out is refused at once rather
 * than at approval. The checks run in the key's transaction: a duplicate waits for the first
 * request's answer and never asks inventory again; a refusal writes nothing and leaves the key free.
 */
export async function createRequestOnce(
  deps: SupplyDeps,
  actor: Actor,
  input: NewRequest,
  call: IdempotentRequest,
): Promise<Answer> {
  const lines = requestLinesOf(input.items);
  return once(deps.db, call, input, async ({ tx }) => {
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
    const id = newId();
    await repo.insertRequest(tx, {
      id,
      storeId: location.storeId,
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
 * Approves a pending request, once per Idempotency-Key of `call`, and carries out the transfer saga
 * at once. The key, the approval, its event and the saga's start commit in one transaction; the
 * saga runs after that commit (its runner saves each step in transactions of its own). Answers
 * with the request as it then is (`approvalStatusOf`): completed, failed (with the reason), or
 * still approved when inventory gave no answer (the saga goes on in the background and the request
 * ends completed or failed).
 *
 * The key's stored answer is the approval as it committed (202, approved): it is all that is known
 * in that transaction. A replay of the key runs nothing and answers the request as it now is, with
 * that answer's status rule: once the transfer has ended, exactly the first call's answer; while it
 * still runs (the first call is still waiting on inventory, or its instance died and another takes
 * the saga over when its lease ends), 202 approved.
 */
export async function approveRequestOnce(
  deps: SupplyDeps,
  actor: Actor,
  id: string,
  call: IdempotentRequest,
): Promise<Answer> {
  let started: StartedSaga | undefined;
  const answer = await once(deps.db, call, { id }, async ({ tx }): Promise<RequestView> => {
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
    started = await deps.sagas.start(tx, REPLENISHMENT, id, input);
    return { ...approved, history: [] };
  });
  if (answer.status >= 400) return answer;
  if (!answer.replayed && started) await deps.sagas.execute(started);
  const view = await getRequest(deps, actor, id);
  return { status: approvalStatusOf(view), body: view, replayed: answer.replayed };
}

/**
 * Rejects a pending request, once per Idempotency-Key of `call`; the reason is mandatory (the schema
 * refuses a blank one). The rejection, its event and the key commit together.
 */
export async function rejectRequestOnce(
  deps: SupplyDeps,
  actor: Actor,
  id: string,
  reason: string,
  call: IdempotentRequest,
): Promise<Answer> {
  return once(deps.db, call, { id, reason }, ({ tx }) => rejectIn(tx, deps, actor, id, reason));
}

async function rejectIn(tx: Tx, deps: SupplyDeps, actor: Actor, id: string, reason: string): Promise<RequestView> {
  const request = await repo.lockRequest(tx, id);
  if (!request) throw notFound(id);
  assertTransition(request, "rejected");
  const rejected = await repo.updateStatus(tx, id, {
    status: "rejected",
    decidedBy: actor.userId,
    reason: reason.trim(),
  });
  await publishRequest(tx, deps.outbox, rejected);
  return { ...rejected, history: await sagaHistory(tx, id) };
}

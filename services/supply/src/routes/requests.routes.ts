import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotentRequest,
  type Principal,
  requirePermission,
  Type,
  Id,
  problemResponses,
  pageQuery,
  Page,
  sendAnswer,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as use from "../domain/requests.use-cases";
import { NewRequest, RequestStatus, RequestView, SupplyRequest } from "../model/request";

const Params = Type.Object({ id: Id });
const IdempotencyHeaders = Type.Object(IdempotencyKeyHeader);
const ONCE =
  " With an Idempotency-Key, a retry (here or at another instance) returns the first answer " +
  "(header Idempotent-Replayed: true) and does nothing twice; the same key with another request is a 422 " +
  "idempotency_key_reused, and 409 idempotency_key_in_progress (Retry-After) when the first is still running " +
  "after 30 s. A refusal leaves the key free for the corrected request.";

function actorOf(request: FastifyRequest): use.Actor {
  const p = request.principal as Principal;
  return { userId: p.userId, storeOnly: p.role === "clerk" ? { storeId: p.storeId } : null };
}

/** Replenishment requests (SPEC §3.5): clerks and managers ask, managers decide. */
export function requestsRoutes(app: App, deps: use.SupplyDeps): void {
  app.post(
    "/api/supply/requests",
    {
      onRequest: requirePermission("supply:request"),
      schema: {
        ...bearerAuth,
        tags: ["requests"],
        summary: "Ask the central warehouse for stock for a store (supply:request)",
        description:
          "A clerk asks for their own store only (403 location_forbidden otherwise). 404 location_not_found or " +
          "variant_not_found when inventory does not know them; 400 not_a_store_location for the central or online location." +
          ONCE,
        headers: IdempotencyHeaders,
        body: NewRequest,
        response: { 201: SupplyRequest, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // Keys are the caller's own: two users may pick the same one without meeting.
      const call = idempotentRequest(request, { actor: actor.userId, operation: use.REQUEST_OPERATION, status: 201 });
      return sendAnswer(reply, await use.createRequestOnce(deps, actor, request.body, call));
    },
  );

  app.get(
    "/api/supply/requests",
    {
      onRequest: requirePermission("supply:request"),
      schema: {
        ...bearerAuth,
        tags: ["requests"],
        summary: "Requests, newest first (a clerk sees their store's only)",
        querystring: Type.Object({
          status: Type.Optional(RequestStatus),
          locationId: Type.Optional(Id),
          ...pageQuery(),
        }),
        response: {
          200: Page(SupplyRequest),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => use.listRequests(deps, actorOf(request), request.query),
  );

  app.get(
    "/api/supply/requests/:id",
    {
      onRequest: requirePermission("supply:request"),
      schema: {
        ...bearerAuth,
        tags: ["requests"],
        summary: "A request and what its transfer did (another store's: 404 for a clerk)",
        params: Params,
        response: { 200: RequestView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.getRequest(deps, actorOf(request), request.params.id),
  );

  app.post(
    "/api/supply/requests/:id/approve",
    {
      onRequest: requirePermission("supply:approve"),
      schema: {
        ...bearerAuth,
        tags: ["requests"],
        summary: "Approve a pending request and transfer the stock (supply:approve)",
        description:
          "Runs the transfer saga (reserve at the central warehouse, transfer to the store) and answers 200 with " +
          "the request completed, or failed with the reason and the stock exactly as before. 202 with status " +
          "approved when inventory could not be reached: the saga carries on and the request ends completed or " +
          "failed. 409 request_already_decided when it is not pending." +
          ONCE +
          " A replay answers the request as it now is: the first answer once the transfer has ended, 202 approved " +
          "while it still runs.",
        headers: IdempotencyHeaders,
        params: Params,
        response: { 200: RequestView, 202: RequestView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // The key's stored answer is the approval as committed (202); the use case answers the outcome.
      const call = idempotentRequest(request, { actor: actor.userId, operation: use.APPROVE_OPERATION, status: 202 });
      return sendAnswer(reply, await use.approveRequestOnce(deps, actor, request.params.id, call));
    },
  );

  app.post(
    "/api/supply/requests/:id/reject",
    {
      onRequest: requirePermission("supply:approve"),
      schema: {
        ...bearerAuth,
        tags: ["requests"],
        summary: "Reject a pending request, with a reason (supply:approve)",
        description:
          "400 without a reason or with a blank one; 409 request_already_decided when it is not pending." + ONCE,
        headers: IdempotencyHeaders,
        params: Params,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: "\\S", description: "mandatory" }) },
          { additionalProperties: false },
        ),
        response: { 200: RequestView, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const call = idempotentRequest(request, { actor: actor.userId, operation: use.REJECT_OPERATION, status: 200 });
      return sendAnswer(reply, await use.rejectRequestOnce(deps, actor, request.params.id, request.body.reason, call));
    },
  );
}

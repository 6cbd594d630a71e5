import {
  type App,
  bearerAuth,
  type Principal,
  requirePermission,
  Type,
  Id,
  problemResponses,
  pageQuery,
  Page,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as use from "../domain/requests.use-cases";
import { NewRequest, RequestStatus, RequestView, SupplyRequest } from "../model/request";

const Params = Type.Object({ id: Id });

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
          "variant_not_found when inventory does not know them; 400 not_a_store_location for the central or online location.",
        body: NewRequest,
        response: { 201: SupplyRequest, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await use.createRequest(deps, actorOf(request), request.body)),
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
          "failed. 409 request_already_decided when it is not pending.",
        params: Params,
        response: { 200: RequestView, 202: RequestView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const view = await use.approveRequest(deps, actorOf(request), request.params.id);
      return reply.code(view.status === "approved" ? 202 : 200).send(view);
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
        params: Params,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: "\\S", description: "mandatory" }) },
          { additionalProperties: false },
        ),
        response: { 200: RequestView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => use.rejectRequest(deps, actorOf(request), request.params.id, request.body.reason),
  );
}

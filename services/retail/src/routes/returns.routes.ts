import { IdParams, retailHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotencyKeyOf,
  pageOf,
  type Principal,
  problemResponses,
  requirePermission,
  Type,
} from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import type { FastifyRequest } from "fastify";
import type { RetailContext } from "../domain/context";
import * as returns from "../domain/returns.use-cases";
import { fingerprintKeyOf } from "../domain/sales.use-cases";
import { sendReceipt, wantsHtml } from "./sales.routes";

const { Receipt, ReceiptQuery, Return, ReturnRequest, Sale, UnreceiptedReturnRequest, VoidRequest } = retailHttp;
const actorOf = (request: FastifyRequest) => request.principal as Principal;
const key = (request: FastifyRequest) => idempotencyKeyOf(request, { required: true })!;

export function returnsRoutes(app: App, ctx: RetailContext, extra: { sagas: SagaRunner }): void {
  const deps = { ctx, sagas: extra.sagas, fingerprintKey: fingerprintKeyOf(ctx) };

  app.post(
    "/api/retail/sales/:id/returns",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "Take back goods of a sale, with its receipt (Idempotency-Key required)",
        description:
          "Only what was sold and not yet returned (409 return_exceeds_sold with `remaining`); refunded by the sale's " +
          "own tenders (cards first, through payments; then store credit, then cash); the stock goes back to the store.",
        params: IdParams,
        headers: Type.Object(IdempotencyKeyHeader),
        body: ReturnRequest,
        response: { 201: Return, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await returns.returnWithReceipt(deps, actorOf(request), request.params.id, key(request), request.body)),
  );

  app.post(
    "/api/retail/returns",
    {
      onRequest: requirePermission("sales:create", "sales:return-unreceipted"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "Take back goods without a receipt (managers: sales:return-unreceipted; Idempotency-Key required)",
        description:
          "Priced at catalog's current price; refunded in cash or as a store credit (its code in `storeCredit`).",
        headers: Type.Object(IdempotencyKeyHeader),
        body: UnreceiptedReturnRequest,
        response: { 201: Return, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await returns.returnWithoutReceipt(deps, actorOf(request), key(request), request.body)),
  );

  app.post(
    "/api/retail/sales/:id/void",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "Cancel a sale in its still-open session (Idempotency-Key required)",
        description:
          "Every tender is given back and the stock returns to the store; 409 sale_not_voidable once its session is " +
          "closed, when some of it was returned, or when it is voided already.",
        params: IdParams,
        headers: Type.Object(IdempotencyKeyHeader),
        body: VoidRequest,
        response: { 200: Sale, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => returns.voidSale(deps, actorOf(request), request.params.id, key(request), request.body.reason),
  );

  app.get(
    "/api/retail/returns",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "Returns, newest first (staff see their own store's)",
        querystring: retailHttp.listReturns.query,
        response: { ...retailHttp.listReturns.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, limit, ...filter } = request.query;
      return returns.listReturns(ctx, actorOf(request), filter, pageOf({ page, limit }));
    },
  );

  app.get(
    "/api/retail/returns/:id",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "A return (another store's is a 404)",
        params: retailHttp.getReturn.params,
        response: { ...retailHttp.getReturn.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => returns.getReturn(ctx, actorOf(request), request.params.id),
  );

  app.get(
    "/api/retail/returns/:id/receipt",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["returns"],
        summary: "A duplicate of the return's receipt (JSON, or printable HTML)",
        params: IdParams,
        querystring: ReceiptQuery,
        response: { 200: Type.Union([Receipt, Type.String()]), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendReceipt(
        reply,
        await returns.reprintReturn(
          ctx,
          actorOf(request),
          request.params.id,
          wantsHtml(request.query.format, request.headers.accept) ? "html" : "json",
        ),
      ),
  );
}

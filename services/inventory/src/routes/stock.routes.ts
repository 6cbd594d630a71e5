import { inventoryHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  ForbiddenError,
  IdempotencyKeyHeader,
  idempotentRequest,
  principalOf,
  requirePermission,
  sendAnswer,
  Type,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { InventoryDeps } from "../domain/ledger";
import * as stock from "../domain/stock.use-cases";
import {
  actorOf,
  PageQuery,
  Pagination,
  Alert,
  Id,
  Level,
  Movement,
  MovementTypeSchema,
  problemResponses,
} from "./schemas";

/** Verification reads the whole ledger: events:admin, or an admin holding stock:adjust. */
async function requireVerifier(request: FastifyRequest): Promise<void> {
  const principal = principalOf(request);
  const allowed =
    principal.permissions.includes("events:admin") ||
    (principal.role === "admin" && principal.permissions.includes("stock:adjust"));
  if (!allowed) throw new ForbiddenError("This needs events:admin, or stock:adjust as an admin.");
}

export function stockRoutes(app: App, deps: InventoryDeps): void {
  const canRead = requirePermission("stock:read");
  const canAdjust = requirePermission("stock:adjust");

  app.post(
    "/api/inventory/stock/adjust",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["stock"],
        summary: "Record a receipt, sale, return or adjustment (stock:adjust)",
        description:
          "Seed 001's adjustment: receipt and return add (changeQuantity > 0), sale removes (< 0), adjustment " +
          "either way. 400 invalid_movement_type for any other type, 400 insufficient_stock (with `available`) " +
          "when the change would take more than is available, 404 for an unknown variant or location. " +
          "With an Idempotency-Key, a retry returns the first answer and moves no stock twice; the same key " +
          "with another body is a 422 idempotency_key_reused.",
        headers: Type.Object(IdempotencyKeyHeader),
        body: inventoryHttp.adjustStock.body,
        response: {
          ...inventoryHttp.adjustStock.responses,
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      // Keys are the caller's own: two users may pick the same one without meeting.
      const call = idempotentRequest(request, {
        actor: actor.userId ?? "system",
        operation: stock.ADJUST_OPERATION,
        status: 201,
      });
      return sendAnswer(reply, await stock.adjustStockOnce(deps, actor, request.body, call));
    },
  );

  app.get(
    "/api/inventory/stock",
    {
      onRequest: canRead,
      schema: {
        ...bearerAuth,
        tags: ["stock"],
        summary: "Stock levels (stock:read): one level with both ids, a list otherwise",
        querystring: inventoryHttp.getStock.query,
        response: {
          ...inventoryHttp.getStock.responses,
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => stock.getStock(deps, actorOf(request), request.query),
  );

  app.get(
    "/api/inventory/movements",
    {
      onRequest: canRead,
      schema: {
        ...bearerAuth,
        tags: ["stock"],
        summary: "The ledger, newest first (stock:read)",
        querystring: Type.Object({
          variantId: Type.Optional(Id),
          locationId: Type.Optional(Id),
          type: Type.Optional(MovementTypeSchema),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({ data: Type.Array(Movement), pagination: Pagination }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => stock.listMovements(deps, actorOf(request), request.query),
  );

  app.put(
    "/api/inventory/thresholds",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["alerts"],
        summary: "Set (or remove with null) the low-stock threshold of a variant at a location (stock:adjust)",
        body: Type.Object(
          {
            variantId: Id,
            locationId: Id,
            threshold: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()]),
          },
          { additionalProperties: false },
        ),
        response: { 200: Level, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => stock.setThreshold(deps, actorOf(request), request.body),
  );

  app.get(
    "/api/inventory/alerts",
    {
      onRequest: canRead,
      schema: {
        ...bearerAuth,
        tags: ["alerts"],
        summary: "Low-stock alerts, newest first (stock:read)",
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("resolved")])),
          locationId: Type.Optional(Id),
          variantId: Type.Optional(Id),
          ...PageQuery,
        }),
        response: {
          200: Type.Object({ data: Type.Array(Alert), pagination: Pagination }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => stock.listAlerts(deps, actorOf(request), request.query),
  );

  app.get(
    "/api/inventory/admin/verify",
    {
      onRequest: requireVerifier,
      schema: {
        ...bearerAuth,
        tags: ["admin"],
        summary: "Recompute every level from the ledger and the active reservations; list any drift",
        response: {
          200: Type.Object({
            checked: Type.Integer(),
            drifted: Type.Array(
              Type.Object({
                variantId: Id,
                locationId: Id,
                onHand: Type.Integer(),
                ledgerOnHand: Type.Integer(),
                reserved: Type.Integer(),
                activeReserved: Type.Integer(),
                problems: Type.Array(Type.String()),
              }),
            ),
          }),
          ...problemResponses(401, 403),
        },
      },
    },
    async () => stock.verifyLedger(deps),
  );
}

import {
  type App,
  bearerAuth,
  type Principal,
  requirePermission,
  requireUser,
  Type,
  Id,
  pageQuery,
  Page,
  problemResponses,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as use from "../domain/orders.use-cases";
import { OrderFilter, OrderView } from "../model/order";

const Params = Type.Object({ id: Id });

const principalOf = (request: FastifyRequest) => request.principal as Principal;

export function ordersRoutes(app: App, deps: use.OrdersDeps): void {
  app.get(
    "/api/orders",
    {
      onRequest: requireUser,
      schema: {
        ...bearerAuth,
        tags: ["orders"],
        summary: "Orders, newest first: a customer's own; every order for staff (orders:manage), with filters",
        querystring: Type.Object(
          {
            ...OrderFilter.properties,
            ...pageQuery({ max: 100, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(OrderView),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => use.listOrders(deps, principalOf(request), request.query),
  );

  app.get(
    "/api/orders/:id",
    {
      onRequest: requireUser,
      schema: {
        ...bearerAuth,
        tags: ["orders"],
        summary: "An order (its customer's, or any for staff; someone else's is a 404)",
        params: Params,
        response: { 200: OrderView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.getOrder(deps, principalOf(request), request.params.id),
  );

  app.post(
    "/api/orders/:id/cancel",
    {
      onRequest: requireUser,
      schema: {
        ...bearerAuth,
        tags: ["orders"],
        summary: "Cancel an order before it ships (its customer, or staff); a paid one is restocked and refunded",
        params: Params,
        body: Type.Optional(
          Type.Object(
            { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: OrderView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => use.cancelOrder(deps, principalOf(request), request.params.id, request.body?.reason ?? null),
  );

  app.post(
    "/api/orders/:id/ship",
    {
      onRequest: requirePermission("orders:manage"),
      schema: {
        ...bearerAuth,
        tags: ["orders"],
        summary: "Mark a paid order shipped (orders:manage)",
        params: Params,
        body: Type.Optional(
          Type.Object(
            {
              carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: OrderView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => use.advanceOrder(deps, request.params.id, "shipped", request.body ?? {}),
  );

  app.post(
    "/api/orders/:id/deliver",
    {
      onRequest: requirePermission("orders:manage"),
      schema: {
        ...bearerAuth,
        tags: ["orders"],
        summary: "Mark a shipped order delivered (orders:manage)",
        params: Params,
        response: { 200: OrderView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => use.advanceOrder(deps, request.params.id, "delivered"),
  );
}

import { type App, bearerAuth, ForbiddenError, principalOf, requirePermission, Type } from "@comptoir/platform";
import { inventoryHttp } from "@comptoir/contracts/http";
import type { FastifyRequest } from "fastify";
import type { InventoryDeps } from "../domain/ledger";
import * as locations from "../domain/locations.use-cases";
import { actorOf, Id, Location, problemResponses } from "./schemas";

/** stock:adjust is not enough to open a location: the caller must also be a manager or an admin. */
async function requireManager(request: FastifyRequest): Promise<void> {
  const { role } = principalOf(request);
  if (role !== "admin" && role !== "manager") throw new ForbiddenError("Only managers and admins create locations.");
}

export function locationsRoutes(app: App, deps: InventoryDeps): void {
  app.get(
    "/api/inventory/locations",
    {
      onRequest: requirePermission("stock:read"),
      schema: {
        ...bearerAuth,
        tags: ["locations"],
        summary: "Stock locations (stock:read); a clerk sees their store's only",
        response: { 200: inventoryHttp.listLocations.responses[200], ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ data: await locations.listLocations(deps, actorOf(request)) }),
  );

  app.post(
    "/api/inventory/locations",
    {
      onRequest: [requirePermission("stock:adjust"), requireManager],
      schema: {
        ...bearerAuth,
        tags: ["locations"],
        summary: "Create a stock location (stock:adjust, manager or admin)",
        body: Type.Object(
          {
            code: Type.String({
              pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
              maxLength: 40,
              description: "unique, e.g. STORE-4",
            }),
            name: Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" }),
            kind: Type.Union([Type.Literal("central"), Type.Literal("store"), Type.Literal("online")]),
            storeId: Type.Optional(Type.Union([Id, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Location, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await locations.createLocation(deps, request.body)),
  );
}

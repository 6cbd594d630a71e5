import { type App, bearerAuth, ForbiddenError, principalOf, requirePermission } from "@comptoir/platform";
import { inventoryHttp } from "@comptoir/contracts/http";
import type { FastifyRequest } from "fastify";
import type { InventoryDeps } from "../domain/ledger";
import * as locations from "../domain/locations.use-cases";
import { actorOf, problemResponses } from "./schemas";

/**
 * stock:adjust is not enough to open a location: the caller must also be a manager or an admin, or
 * the retail service (which opens its stores' locations).
 */
async function requireLocationOpener(request: FastifyRequest): Promise<void> {
  const { role, service } = principalOf(request);
  if (role === "admin" || role === "manager" || (role === "service" && service === "retail")) return;
  throw new ForbiddenError("Only managers, admins and the retail service create locations.");
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
      onRequest: [requirePermission("stock:adjust"), requireLocationOpener],
      schema: {
        ...bearerAuth,
        tags: ["locations"],
        summary: "Create a stock location (stock:adjust: a manager, an admin or the retail service)",
        description:
          "201 with the new location. Idempotent: the same id (or, without an id, the same code) with the same " +
          "code, name, kind and store answers 200 with the location as it is. 409 location_code_taken when another " +
          "location has the code, location_store_taken when the store has a location, location_id_taken when the " +
          "id is a location with other fields; 400 location_store_not_a_store for a storeId on a non-store.",
        body: inventoryHttp.createLocation.body,
        response: { ...inventoryHttp.createLocation.responses, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { created, location } = await locations.createLocation(deps, request.body);
      return reply.code(created ? 201 : 200).send(location);
    },
  );
}

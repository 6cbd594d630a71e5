import { inventoryHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, requirePermission } from "@comptoir/platform";
import { type AvailabilityDeps, availability } from "../domain/availability.use-cases";
import { actorOf, problemResponses } from "./schemas";

const MAX_VARIANTS = inventoryHttp.MAX_AVAILABILITY_VARIANTS;

export function availabilityRoutes(app: App, deps: AvailabilityDeps): void {
  app.get(
    "/api/inventory/availability",
    {
      onRequest: requirePermission("stock:read"),
      schema: {
        ...bearerAuth,
        tags: ["stock"],
        summary: `What can still be bought of up to ${MAX_VARIANTS} variants (stock:read)`,
        description:
          "For the cart. Without `locationId`: available summed over the locations an online reservation " +
          "(one made without a location) allocates from; with it (click-and-collect): at that location only " +
          "(404 location_not_found, 403 location_forbidden for a clerk and another store). Unknown variants " +
          "are answered with available 0 and `known: false`, not a 404. The order of `variantIds` is kept " +
          "(duplicates once). Nothing is held: a reservation may still find less.",
        querystring: inventoryHttp.availability.query,
        response: {
          200: inventoryHttp.availability.responses[200],
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      data: await availability(deps, actorOf(request), {
        variantIds: request.query.variantIds.split(","),
        locationId: request.query.locationId,
      }),
    }),
  );
}

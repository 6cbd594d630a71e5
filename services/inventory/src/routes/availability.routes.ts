import { inventoryHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, requirePermission } from "@comptoir/platform";
import { type AvailabilityDeps, availability, storeAvailability } from "../domain/availability.use-cases";
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

  app.get(
    "/api/inventory/store-availability",
    {
      schema: {
        tags: ["stock"],
        summary: `Anyone: up to ${MAX_VARIANTS} variants' stock online and in each store, as a status and a capped count`,
        description:
          "For the shop's product page and click-and-collect, anonymous. `online`: what an order without a pickup " +
          "location can reserve (summed as `/availability` does); `stores`: every store location (kind `store`), by " +
          "name, with each variant there. `status` is `out` at 0, `low` at or under the level's low-stock threshold " +
          `(${inventoryHttp.DEFAULT_PUBLIC_LOW_STOCK} where it has none, and online), else \`in_stock\`. \`available\` is onHand − ` +
          `reserved capped at ${inventoryHttp.PUBLIC_AVAILABILITY_CAP} (read "${inventoryHttp.PUBLIC_AVAILABILITY_CAP} or more"): ` +
          "a shop does not tell the public its exact stock. Unknown variants are `out` with `known: false`, not a 404. " +
          "The order of `variantIds` is kept (duplicates once). Nothing is held.",
        querystring: inventoryHttp.storeAvailability.query,
        response: {
          200: inventoryHttp.storeAvailability.responses[200],
          ...problemResponses(400),
        },
      },
    },
    async (request) => storeAvailability(deps, { variantIds: request.query.variantIds.split(",") }),
  );
}

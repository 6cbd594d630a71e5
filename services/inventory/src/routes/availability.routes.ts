import { type App, bearerAuth, requirePermission, Type } from "@comptoir/platform";
import { type AvailabilityDeps, availability } from "../domain/availability.use-cases";
import { actorOf, Id, problemResponses } from "./schemas";

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const MAX_VARIANTS = 200;

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
        querystring: Type.Object(
          {
            variantIds: Type.String({
              pattern: `^${UUID}(,${UUID}){0,${MAX_VARIANTS - 1}}$`,
              maxLength: MAX_VARIANTS * 37 - 1,
              description: `comma-separated variant ids, at most ${MAX_VARIANTS}`,
            }),
            locationId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                variantId: Id,
                available: Type.Integer({ minimum: 0 }),
                known: Type.Boolean({ description: "false: inventory does not know this variant" }),
              }),
            ),
          }),
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

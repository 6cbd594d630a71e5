import { inventoryHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, requirePermission } from "@comptoir/platform";
import * as reservations from "../domain/reservations.use-cases";
import { actorOf, Params, Reservation, problemResponses } from "./schemas";

/**
 * Reservations are made by other services (orders at checkout, supply for a replenishment, retail
 * for click-and-collect). They need stock:adjust: today a staff token; orders and supply will call
 * with a service token that holds it.
 */
export function reservationsRoutes(app: App, deps: reservations.ReservationsDeps): void {
  const canAdjust = requirePermission("stock:adjust");

  app.post(
    "/api/inventory/reservations",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["reservations"],
        summary: "Reserve every item or nothing (stock:adjust)",
        description:
          "201 with the reserved lines; 200 with the same reservation for a reference already used; 409 " +
          "insufficient_stock with `short: [{variantId, requested, available}]`. With locationId every item comes " +
          "from that location; otherwise from the locations in priority order (online, central, stores), " +
          "a line split over several when one is short (strategy split), or all from one (strategy single). With " +
          "commit: true it is committed as it is made (one call and one transaction for a sale with nothing to wait for).",
        body: inventoryHttp.reserve.body,
        response: { ...inventoryHttp.reserve.responses, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { reservation, created } = await reservations.reserve(deps, actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(reservation);
    },
  );

  app.get(
    "/api/inventory/reservations/:id",
    {
      onRequest: requirePermission("stock:read"),
      schema: {
        ...bearerAuth,
        tags: ["reservations"],
        summary: "A reservation and its lines (stock:read)",
        params: Params,
        response: { 200: Reservation, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => reservations.getReservation(deps, actorOf(request), request.params.id),
  );

  app.post(
    "/api/inventory/reservations/:id/commit",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["reservations"],
        summary: "Turn a reservation into sales (stock:adjust); idempotent",
        params: inventoryHttp.commitReservation.params,
        response: { ...inventoryHttp.commitReservation.responses, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => reservations.commitReservation(deps, actorOf(request), request.params.id),
  );

  app.post(
    "/api/inventory/reservations/:id/release",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["reservations"],
        summary: "Free a reservation's stock (stock:adjust); idempotent",
        params: inventoryHttp.releaseReservation.params,
        response: { ...inventoryHttp.releaseReservation.responses, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => reservations.releaseReservation(deps, actorOf(request), request.params.id),
  );
}

import { ordersHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, InvalidError, problemResponses, requirePermission } from "@comptoir/platform";
import { salesTotals, type SalesTotalsDeps } from "../domain/sales-totals.use-cases";
import { TotalsRequestError } from "../model/sales-totals";

/**
 * `GET /api/orders/admin/sales-totals`: orders paid and refunds per local day (events:admin — the
 * permission the gateway asks for every /admin/ path, checked here again; reports:read would open
 * every online figure to managers, which reporting refuses them).
 */
export function salesTotalsRoutes(app: App, deps: SalesTotalsDeps): void {
  const { salesTotals: endpoint } = ordersHttp;
  app.get(
    endpoint.path,
    {
      onRequest: requirePermission("events:admin"),
      schema: {
        ...bearerAuth,
        tags: ["orders (admin)"],
        summary: "Orders paid and refunds per local day, from orders' own table (events:admin)",
        description:
          "Per day of `timeZone` (default Europe/Paris, reporting's default online time zone), `from` to `to` " +
          "included (at most 1,098 days): orders paid that day (`paid_at`, whatever their status now) with the " +
          "sum of their totals, and refunds (`refunded_at`) with what they gave back; only the days with " +
          "something. What reporting's online channel should hold: `comptoir reporting reconcile` compares them. " +
          "400 invalid_period, invalid_time_zone.",
        querystring: endpoint.query,
        response: { ...endpoint.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      try {
        return await salesTotals(deps, request.query);
      } catch (error) {
        if (error instanceof TotalsRequestError) throw new InvalidError(error.code, error.message);
        throw error;
      }
    },
  );
}

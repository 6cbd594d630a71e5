import { retailHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, InvalidError, problemResponses, requirePermission } from "@comptoir/platform";
import type { RetailContext } from "../domain/context";
import { salesTotals } from "../domain/sales-totals.use-cases";
import { PeriodError } from "../model/sales-totals";

/**
 * `GET /api/retail/admin/sales-totals`: each store's sales, returns, voids and closings per local day
 * (events:admin — the permission the gateway asks for every /admin/ path, checked here again;
 * reports:read would open every store's figures to any manager, which reporting refuses them).
 */
export function salesTotalsRoutes(app: App, ctx: Pick<RetailContext, "db">): void {
  const { salesTotals: endpoint } = retailHttp;
  app.get(
    endpoint.path,
    {
      onRequest: requirePermission("events:admin"),
      schema: {
        ...bearerAuth,
        tags: ["sales totals (admin)"],
        summary: "Sales, returns, voids and closings per store and local day, from retail's own tables (events:admin)",
        description:
          "Per store (or `storeId`) and day of the store's own time zone, `from` to `to` included (at most 1,098 " +
          "days): sales completed that day and not voided (count, total, discounts), returns completed that day " +
          "(count, total), voided sales on the day of the sale (count, total), cash sessions closed that day " +
          "(count, Σ variance); only the days with something. What reporting's store channels should hold: " +
          "`comptoir reporting reconcile` compares them. 400 invalid_period.",
        querystring: endpoint.query,
        response: { ...endpoint.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      try {
        return await salesTotals(ctx, request.query);
      } catch (error) {
        if (error instanceof PeriodError) throw new InvalidError("invalid_period", error.message);
        throw error;
      }
    },
  );
}

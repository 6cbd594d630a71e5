import { reportingHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, problemResponses, requirePermission } from "@comptoir/platform";
import { topProductsReport } from "../domain/reports.use-cases";
import { topProductsCsv } from "../model/report-csv";
import { channelsFor, dataAgeOf, periodOf, type ReportRoutesDeps, sendReport } from "./report-reply";

/** `GET /api/reporting/top-products`: the best sellers of a period. */
export function topProductsRoutes(app: App, deps: ReportRoutesDeps): void {
  const dataAge = dataAgeOf(deps);
  app.get(
    reportingHttp.topProducts.path,
    {
      onRequest: requirePermission("reports:read"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "The products that sold most over a period, by revenue or units (reports:read)",
        description:
          "`by` revenue (default) or units; `limit` 1-100 (default 10). Units and revenue (line totals, VAT " +
          "included) are net of voided sales; till returns are their own columns. Same filters, scope and CSV as " +
          "/sales.",
        querystring: reportingHttp.topProducts.query,
        response: { ...reportingHttp.topProducts.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const period = periodOf(query);
      const channels = channelsFor(request, query);
      const input = { period, by: query.by ?? "revenue", limit: query.limit ?? 10, channels } as const;
      return sendReport(request, reply, {
        query,
        dataAge,
        report: () => topProductsReport(deps, input),
        csv: topProductsCsv,
        filename: () => `top-products-${period.from}-${period.to}.csv`,
        answers: deps.answers,
        cacheKey: JSON.stringify(["top-products", input]),
      });
    },
  );
}

import { reportingHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, NotFoundError, problemResponses, requirePermission } from "@comptoir/platform";
import { storeIndicators } from "../domain/reports.use-cases";
import { indicatorsCsv } from "../model/report-csv";
import { checkCaller, dataAgeOf, periodOf, type ReportRoutesDeps, sendReport } from "./report-reply";

/** `GET /api/reporting/stores/:id/indicators`: a store's indicators against the previous period. */
export function indicatorsRoutes(app: App, deps: ReportRoutesDeps): void {
  const dataAge = dataAgeOf(deps);
  app.get(
    reportingHttp.storeIndicators.path,
    {
      onRequest: requirePermission("reports:read"),
      schema: {
        ...bearerAuth,
        tags: ["stores"],
        summary: "A store's indicators over a period, and the previous period's (reports:read)",
        description:
          "Revenue, transactions, average basket, units per transaction, return rate (returns / revenue), " +
          "discount rate (discounts / (revenue + discounts)), cash variance and sales per local hour, with the " +
          "same figures for the period of equal length just before and the change in %. A manager reads their " +
          "own store only (403). 404 store_not_found for a store no event named yet.",
        params: reportingHttp.storeIndicators.params,
        querystring: reportingHttp.storeIndicators.query,
        response: { ...reportingHttp.storeIndicators.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const storeId = request.params.id;
      checkCaller(request, { kind: "store", storeId });
      const period = periodOf(query);
      const report = await storeIndicators(deps, { storeId, period });
      if (!report) throw new NotFoundError("store_not_found", `No sales event named store ${storeId} yet.`);
      return sendReport(request, reply, {
        query,
        dataAge,
        report,
        csv: indicatorsCsv,
        filename: `indicators-${report.store.code.replace(/[^A-Za-z0-9_-]/g, "_")}-${period.from}-${period.to}.csv`,
      });
    },
  );
}

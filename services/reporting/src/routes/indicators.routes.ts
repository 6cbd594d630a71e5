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
      const now = Date.now();
      return sendReport(request, reply, {
        query,
        dataAge,
        report: async () => {
          const report = await storeIndicators(deps, { storeId, period, now });
          if (!report) throw new NotFoundError("store_not_found", `No sales event named store ${storeId} yet.`);
          return report;
        },
        csv: indicatorsCsv,
        filename: (report) =>
          `indicators-${report.store.code.replace(/[^A-Za-z0-9_-]/g, "_")}-${period.from}-${period.to}.csv`,
        answers: deps.answers,
        // Sales per opening hour count a day in progress up to now: only periods over everywhere are kept.
        cacheKey: isOver(period, now) ? JSON.stringify(["indicators", storeId, period]) : undefined,
      });
    },
  );
}

/** Whether the period's last day is over in every time zone (UTC-12 included), at `now`. */
function isOver(period: { to: string }, now: number): boolean {
  return Date.parse(`${period.to}T00:00:00Z`) + 36 * 3_600_000 <= now;
}

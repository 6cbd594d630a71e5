import { reportingHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, problemResponses, requirePermission } from "@comptoir/platform";
import { salesReport } from "../domain/reports.use-cases";
import { salesCsv } from "../model/report-csv";
import { channelsFor, dataAgeOf, periodOf, type ReportRoutesDeps, sendReport } from "./report-reply";

/** `GET /api/reporting/sales`: consolidated sales of a period, grouped. */
export function salesRoutes(app: App, deps: ReportRoutesDeps): void {
  const dataAge = dataAgeOf(deps);
  app.get(
    reportingHttp.sales.path,
    {
      onRequest: requirePermission("reports:read"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "Sales of a period by store, channel, day, week, month or category (reports:read)",
        description:
          "Amounts in cents, VAT included unless named otherwise; `from`/`to` are days (included) of each channel's " +
          "time zone, at most 1,098 days. `storeId` or `channel` (online, store) filter. A manager names their own " +
          "store (`storeId`); anything wider is 403. CSV with `Accept: text/csv` or `format=csv` (`sep=;` for a " +
          "semicolon and decimal commas). `Reporting-Data-Age`: seconds the data may lag behind the events.",
        querystring: reportingHttp.sales.query,
        response: { ...reportingHttp.sales.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const period = periodOf(query);
      const channels = channelsFor(request, query);
      const groupBy = query.groupBy ?? "day";
      return sendReport(request, reply, {
        query,
        dataAge,
        report: () => salesReport(deps, { period, groupBy, channels }),
        csv: salesCsv,
        filename: () => `sales-${period.from}-${period.to}.csv`,
        answers: deps.answers,
        cacheKey: JSON.stringify(["sales", period, groupBy, channels]),
      });
    },
  );
}

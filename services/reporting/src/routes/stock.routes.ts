import { reportingStockHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, problemResponses, requirePermission } from "@comptoir/platform";
import * as stock from "../domain/stock.use-cases";
import { stockCsv } from "../model/stock-csv";
import { checkCaller, sendReport, wantsCsv } from "./report-reply";

const { stockReport } = reportingStockHttp;

/** `GET /api/reporting/stock`: stock status per store and variant (issue 20). */
export function stockRoutes(app: App, deps: stock.StockReportDeps): void {
  const dataAge = dataAgeOf(deps);
  app.get(
    stockReport.path,
    {
      onRequest: requirePermission("reports:read"),
      schema: {
        ...bearerAuth,
        tags: ["stock"],
        summary: "Stock status per store and variant (reports:read): JSON pages, or CSV",
        description:
          "Per (location, variant): on hand, available, days of cover at the last 28 days' pace, status (out, low, " +
          "ok, overstock) and units on their way from replenishment (requests approved, not yet completed or " +
          "failed). A manager names their own store (`storeId`); anything wider is 403. An admin may leave it out " +
          "for every location (warehouse and online included). CSV with `Accept: text/csv` or `format=csv`: every " +
          "row the filters select, no page (`sep=;` for a semicolon and decimal commas). `Reporting-Data-Age`: " +
          "seconds the data may lag behind the events.",
        querystring: stockReport.query,
        response: { ...stockReport.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const storeId = query.storeId ?? null;
      checkCaller(request, storeId ? { kind: "store", storeId } : { kind: "all" });
      const filter = { storeId, status: query.status };
      return sendReport(request, reply, {
        query,
        dataAge,
        report: () =>
          wantsCsv(request, query.format)
            ? stock.wholeStockReport(deps, filter)
            : stock.stockReport(deps, filter, query),
        csv: (r, separator) => stockCsv(r.data, separator),
        filename: () => (storeId ? `stock-${storeId}.csv` : "stock.csv"),
      });
    },
  );
}

/** The data's age, read at most once a second per instance (the lag queries are not free). */
function dataAgeOf(deps: stock.StockReportDeps): () => Promise<number> {
  let cached: { at: number; value: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= 1000)
      cached = { at: now, value: stock.stockDataAgeSeconds(deps, now).catch(() => -1) };
    return cached.value;
  };
}

import { reportingConversionHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  ForbiddenError,
  principalOf,
  problemResponses,
  requirePermission,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as conversion from "../domain/conversion.use-cases";
import { conversionCsv } from "../model/conversion-csv";
import { checkCaller, periodOf, sendReport } from "./report-reply";

const { conversionReport } = reportingConversionHttp;

/** `GET /api/reporting/conversion`: the online conversion funnel per day (issue 20). */
export function conversionRoutes(app: App, deps: conversion.ConversionReportDeps): void {
  const dataAge = dataAgeOf(deps);
  app.get(
    conversionReport.path,
    {
      onRequest: requirePermission("reports:read"),
      schema: {
        ...bearerAuth,
        tags: ["conversion"],
        summary: "The online conversion funnel per day (reports:read, admins): JSON, or CSV",
        description:
          "Per day of the online channel's time zone (REPORTING_ONLINE_TIMEZONE), `from` to `to` included (at most " +
          "1,098 days): carts created, carts filled (first item), checkouts started, orders paid; the rates " +
          "between them (counts of the same day, not a cohort: a day's rate may exceed 1) and abandonment " +
          "(1 − paid ÷ filled); totals over the period from the summed counts. The online channel belongs to no " +
          "store: a manager is refused (403), an admin reads it. CSV with `Accept: text/csv` or `format=csv` " +
          "(`sep=;` for a semicolon and decimal commas). `Reporting-Data-Age`: seconds the data may lag behind " +
          "the events.",
        querystring: conversionReport.query,
        response: { ...conversionReport.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      checkOnlineCaller(request);
      const period = periodOf(query);
      return sendReport(request, reply, {
        query,
        dataAge,
        report: () => conversion.conversionReport(deps, period),
        csv: conversionCsv,
        filename: () => `conversion-${period.from}-${period.to}.csv`,
      });
    },
  );
}

/**
 * The online channel belongs to no store: a manager, who reads their own store only, is refused (with
 * a message that says so, rather than the stores' "name it with storeId"); then the reports' shared rule.
 */
function checkOnlineCaller(request: FastifyRequest): void {
  if (principalOf(request).role === "manager") {
    throw new ForbiddenError("The online conversion funnel belongs to no store: a manager may not read it.");
  }
  checkCaller(request, { kind: "online" });
}

/** The data's age, read at most once a second per instance (the lag queries are not free). */
function dataAgeOf(deps: conversion.ConversionReportDeps): () => Promise<number> {
  let cached: { at: number; value: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= 1000)
      cached = { at: now, value: conversion.conversionDataAgeSeconds(deps, now).catch(() => -1) };
    return cached.value;
  };
}

import { reportingHttp } from "@comptoir/contracts/http";
import type { EventBus } from "@comptoir/events";
import { type Db, ForbiddenError, InvalidError, principalOf } from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import { dataAgeSeconds } from "../domain/progress.use-cases";
import type { AnswerCache } from "./answer-cache";
import { separatorOf, type Separator } from "../model/csv";
import { checkPeriod, type Period, PeriodError } from "../model/period";
import { type ChannelFilter, channelFilterOf, checkScope, FilterError, ScopeError } from "../model/report-scope";

/** What every report route shares: the period and scope checks, the data's age, JSON or CSV. */
export interface ReportRoutesDeps {
  db: Db;
  bus: EventBus;
  /** The answers kept while the read model's version holds (JSON only). */
  answers: AnswerCache;
}

/** The period asked for, checked (400 invalid_period). */
export function periodOf(query: { from: string; to: string }): Period {
  try {
    return checkPeriod({ from: query.from, to: query.to });
  } catch (error) {
    if (error instanceof PeriodError) throw new InvalidError("invalid_period", error.message);
    throw error;
  }
}

/** The channels asked for (400 invalid_filter), if the caller may read them (403: a manager, another store). */
export function channelsFor(
  request: FastifyRequest,
  query: { storeId?: string | undefined; channel?: "online" | "store" | undefined },
): ChannelFilter {
  let filter: ChannelFilter;
  try {
    filter = channelFilterOf(query);
  } catch (error) {
    if (error instanceof FilterError) throw new InvalidError("invalid_filter", error.message);
    throw error;
  }
  checkCaller(request, filter);
  return filter;
}

export function checkCaller(request: FastifyRequest, filter: ChannelFilter): void {
  try {
    checkScope(principalOf(request), filter);
  } catch (error) {
    if (error instanceof ScopeError) throw new ForbiddenError(error.message);
    throw error;
  }
}

/** The data's age, read at most once a second per instance (the lag query is not free). */
export function dataAgeOf(deps: ReportRoutesDeps): () => Promise<number> {
  let cached: { at: number; value: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= 1000) {
      const value = dataAgeSeconds(deps, now).catch(() => -1);
      cached = { at: now, value };
    }
    return cached.value;
  };
}

/** CSV when `format=csv`, or `Accept` names text/csv (and `format` is not json). */
export function wantsCsv(request: FastifyRequest, format: "json" | "csv" | undefined): boolean {
  if (format) return format === "csv";
  return /\btext\/csv\b/i.test(request.headers.accept ?? "");
}

/**
 * Answers the report as JSON, or as a CSV attachment (UTF-8 with BOM, CRLF; `sep=;` also writes
 * decimal commas), with the data's age in `Reporting-Data-Age` either way. JSON with a `cacheKey` (the
 * report's inputs, after every check) comes from the answer cache while the read model's version holds.
 */
export async function sendReport<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    query: { format?: "json" | "csv" | undefined; sep?: string | undefined };
    dataAge: () => Promise<number>;
    report: () => Promise<T>;
    csv: (report: T, separator: Separator) => string;
    filename: (report: T) => string;
    answers?: AnswerCache;
    cacheKey?: string;
  },
): Promise<T | FastifyReply> {
  reply.header(reportingHttp.DATA_AGE_HEADER, String(await options.dataAge()));
  if (wantsCsv(request, options.query.format)) {
    const report = await options.report();
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${options.filename(report)}"`)
      .send(options.csv(report, separatorOf(options.query.sep)));
  }
  const { answers, cacheKey } = options;
  if (!answers || cacheKey === undefined) return options.report();
  // Serialized as the route's response schema says (reply.serialize), then kept as text.
  const body = await answers.answer(cacheKey, async () => reply.serialize(await options.report()) as string);
  return reply.type("application/json; charset=utf-8").send(body);
}

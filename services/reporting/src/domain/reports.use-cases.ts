import type { reportingHttp } from "@comptoir/contracts/http";
import type { Db } from "@comptoir/platform";
import * as reports from "../db/reports.repo";
import * as stores from "../db/stores.repo";
import { indicatorsOf, storeFigures } from "../model/indicators";
import { isTimeZone } from "../model/local-time";
import { openingMilliseconds } from "../model/opening-hours";
import { type Period, previousPeriod, wholeMonthsOf } from "../model/period";
import { type ChannelFilter, sqlFilterOf } from "../model/report-scope";
import { salesByCategory, salesByGroup } from "../model/sales-report";

/** Reads the sales read model: every report from the rollups of its period (never the lines). */
export interface ReportsDeps {
  db: Db;
}

const filterOf = (period: Period, channels: ChannelFilter): reports.ReportFilter => ({
  ...period,
  ...sqlFilterOf(channels),
  months: wholeMonthsOf(period),
});

/** What the rows can be summed by in SQL for each grouping (the model groups them the same way). */
const BUCKETS: Record<Exclude<reportingHttp.SalesGroupBy, "category">, reports.Bucket> = {
  day: "day",
  week: "week",
  month: "month",
  store: "all",
  channel: "all",
};

export async function salesReport(
  deps: ReportsDeps,
  input: { period: Period; groupBy: reportingHttp.SalesGroupBy; channels: ChannelFilter },
): Promise<reportingHttp.SalesReport> {
  const filter = filterOf(input.period, input.channels);
  const { data, totals } =
    input.groupBy === "category"
      ? salesByCategory(await reports.categoryLines(deps.db, filter))
      : salesByGroup(
          input.groupBy,
          ...(await Promise.all([
            reports.dailyRows(deps.db, filter, BUCKETS[input.groupBy]),
            reports.vatRows(deps.db, filter, BUCKETS[input.groupBy]),
            stores.storeNames(deps.db),
          ])),
        );
  return { ...input.period, groupBy: input.groupBy, data, totals };
}

export async function topProductsReport(
  deps: ReportsDeps,
  input: { period: Period; by: reportingHttp.TopProductsBy; limit: number; channels: ChannelFilter },
): Promise<reportingHttp.TopProductsReport> {
  const rows = await reports.topProducts(deps.db, filterOf(input.period, input.channels), input.by, input.limit);
  return {
    ...input.period,
    by: input.by,
    data: rows.map((r) => ({ ...r, name: r.name ?? r.productId })),
  };
}

/**
 * A store's indicators over the period and the one before it; undefined for a store no event named.
 * Sales per opening hour count the store's current weekly hours over each period's local days, up to
 * `now` (default: the clock's).
 */
export async function storeIndicators(
  deps: ReportsDeps,
  input: { storeId: string; period: Period; now?: number },
): Promise<reportingHttp.StoreIndicators | undefined> {
  const found = await stores.findStore(deps.db, input.storeId);
  if (!found) return undefined;
  const { openingHours, hoursAsOf, ...store } = found;
  const now = input.now ?? Date.now();
  const openMs = (period: Period) =>
    openingHours && isTimeZone(store.timezone) ? openingMilliseconds(openingHours, store.timezone, period, now) : null;
  const figures = async (period: Period) => {
    const [sums, hours] = await Promise.all([
      reports.storeSums(deps.db, store.id, period.from, period.to),
      reports.storeHours(deps.db, store.id, period.from, period.to),
    ]);
    return storeFigures(period, sums, hours, openMs(period));
  };
  const [current, previous] = await Promise.all([figures(input.period), figures(previousPeriod(input.period))]);
  return indicatorsOf(
    { ...store, openingHours, openingHoursAsOf: hoursAsOf?.toISOString() ?? null },
    current,
    previous,
  );
}

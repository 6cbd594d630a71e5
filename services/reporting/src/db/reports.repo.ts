import type { Queryable } from "@comptoir/platform";
import { addDays, wholeMonthsOf } from "../model/period";
import type { HourRow, StoreSums } from "../model/indicators";
import type { CategoryLineRow, DailyRow, VatRow } from "../model/sales-report";

/**
 * The reports' reads: rollup rows of a period, never lines. `channel` null means every channel;
 * `storesOnly` leaves the online channel out.
 */
export interface ReportFilter {
  from: string;
  to: string;
  channel: string | null;
  storesOnly: boolean;
  /** The period's whole months (read from monthly rollups where there are some), or null. */
  months: { from: string; to: string } | null;
}

/**
 * The parameters of PRODUCT_ROWS: $1-$2 the channels, $3-$6 the period's days outside its whole months
 * (at most two ranges; a null range holds none), $7-$8 its whole months (null: none).
 */
function productParams(f: ReportFilter): unknown[] {
  return [f.channel, f.storesOnly, ...dayRanges(f.from, f.to, f.months), f.months?.from ?? null, f.months?.to ?? null];
}

/** The products' rows of the period: its whole months from the monthly rollup, the other days from the daily one. */
const CHANNEL = `($1::text IS NULL OR channel = $1) AND (NOT $2::boolean OR channel <> 'online')`;
const PRODUCT_ROWS = `
  SELECT product_id, vat_rate, units_sold, units_returned, revenue, discounts, returns
    FROM sales_product_daily
   WHERE (day BETWEEN $3::date AND $4::date OR day BETWEEN $5::date AND $6::date) AND ${CHANNEL}
  UNION ALL
  SELECT product_id, vat_rate, units_sold, units_returned, revenue, discounts, returns
    FROM sales_product_monthly
   WHERE month BETWEEN $7::date AND $8::date AND ${CHANNEL}`;

/**
 * How finely the rows are summed in SQL before the report groups them: by day, ISO week (its Monday),
 * month (its first day) or over the whole period (`all`: the period's first day, per channel). A
 * grouping by time does not tell channels apart: their rows are summed together (channel ''). A year by
 * day is then 365 rows instead of 365 per channel, by month 12, by store one per channel: the grouping
 * in the model is the same. By month and over the whole period, the period's whole months are read
 * from the monthly rollups (12 rows per channel for a year, not 365) and only the days around them from
 * the daily ones.
 */
export type Bucket = "day" | "week" | "month" | "all";

/**
 * The rows of a period as (day, channel, …): the daily rollup's days, and for buckets that whole months
 * fit, the monthly rollup's months (their first day). Parameters: $1 the period's first day, $2 the
 * bucket, $3-$4 the channels, $5-$8 the days read from the daily rollup (two ranges; a null range holds
 * none), $9-$10 the months read from the monthly one (null: none).
 */
const PERIOD_ROWS = (columns: string, daily: string, monthly: string) => `
  SELECT day, channel, ${columns} FROM ${daily}
   WHERE (day BETWEEN $5::date AND $6::date OR day BETWEEN $7::date AND $8::date)
     AND ($3::text IS NULL OR channel = $3) AND (NOT $4::boolean OR channel <> 'online')
  UNION ALL
  SELECT month, channel, ${columns} FROM ${monthly}
   WHERE month BETWEEN $9::date AND $10::date
     AND ($3::text IS NULL OR channel = $3) AND (NOT $4::boolean OR channel <> 'online')`;

/** The bucket of a row's day (a date, output as YYYY-MM-DD) and its channel ('' when time groups). */
const BUCKET = `CASE $2::text WHEN 'week' THEN date_trunc('week', day::timestamp)::date
                              WHEN 'month' THEN date_trunc('month', day::timestamp)::date
                              WHEN 'all' THEN $1::date ELSE day END`;
const CHANNEL_OF_BUCKET = `CASE $2::text WHEN 'all' THEN channel ELSE '' END`;

function periodParams(f: ReportFilter, bucket: Bucket): unknown[] {
  const months = bucket === "month" || bucket === "all" ? f.months : null;
  return [
    f.from,
    bucket,
    f.channel,
    f.storesOnly,
    ...dayRanges(f.from, f.to, months),
    months?.from ?? null,
    months?.to ?? null,
  ];
}

/** The days of a period outside its whole months `months` (all of them when null): at most two ranges. */
function dayRanges(from: string, to: string, months: { from: string; to: string } | null): (string | null)[] {
  if (!months) return [from, to, null, null];
  return [
    ...(from < months.from ? [from, addDays(months.from, -1)] : [null, null]),
    ...(months.to < to ? [addDays(months.to, 1), to] : [null, null]),
  ];
}

// Sums as float8: every figure is a whole number of cents (or units) and so is every partial sum, below
// 2^53 exact in a double, and summed without numeric's arithmetic. Named: prepared once per connection.
export async function dailyRows(db: Queryable, f: ReportFilter, bucket: Bucket): Promise<DailyRow[]> {
  const { rows } = await db.query<DailyRow>({
    name: "reporting-daily-rows",
    text: `SELECT (${BUCKET})::text AS day, ${CHANNEL_OF_BUCKET} AS channel, sum(revenue::float8) AS revenue,
                  sum(revenue_excl_vat::float8) AS "revenueExclVat", sum(discounts::float8) AS discounts,
                  sum(transactions::float8) AS transactions, sum(units::float8) AS units,
                  sum(returns::float8) AS returns, sum(refunds::float8) AS refunds
             FROM (${PERIOD_ROWS(
               "revenue, revenue_excl_vat, discounts, transactions, units, returns, refunds",
               "sales_daily",
               "sales_monthly",
             )}) r
            GROUP BY ${BUCKET}, 2`,
    values: periodParams(f, bucket),
  });
  return rows;
}

export async function vatRows(db: Queryable, f: ReportFilter, bucket: Bucket): Promise<VatRow[]> {
  const { rows } = await db.query<VatRow>({
    name: "reporting-vat-rows",
    text: `SELECT (${BUCKET})::text AS day, ${CHANNEL_OF_BUCKET} AS channel, rate, sum(base::float8) AS base,
                  sum(vat::float8) AS vat, sum(total::float8) AS total
             FROM (${PERIOD_ROWS("rate, base, vat, total", "sales_daily_vat", "sales_monthly_vat")}) r
            GROUP BY ${BUCKET}, 2, rate`,
    values: periodParams(f, bucket),
  });
  return rows;
}

export async function categoryLines(db: Queryable, f: ReportFilter): Promise<CategoryLineRow[]> {
  const { rows } = await db.query<CategoryLineRow>(
    `SELECT p.category_id AS "categoryId", CASE WHEN c.deleted THEN c.name || ' (deleted)' ELSE c.name END AS "categoryName",
            s.vat_rate AS "vatRate", s.units_sold::float8 AS "unitsSold", s.revenue::float8 AS revenue,
            s.discounts::float8 AS discounts, s.returns::float8 AS returns
       FROM (SELECT product_id, vat_rate, sum(units_sold) AS units_sold, sum(revenue) AS revenue,
                    sum(discounts) AS discounts, sum(returns) AS returns
               FROM (${PRODUCT_ROWS}) r
              GROUP BY product_id, vat_rate
             HAVING sum(units_sold) <> 0 OR sum(revenue) <> 0 OR sum(discounts) <> 0 OR sum(returns) <> 0) s
       LEFT JOIN reporting_products p ON p.id = s.product_id
       LEFT JOIN reporting_categories c ON c.id = p.category_id`,
    productParams(f),
  );
  return rows;
}

export interface TopProductRow {
  productId: string;
  name: string | null;
  categoryId: string | null;
  category: string | null;
  units: number;
  revenue: number;
  unitsReturned: number;
  returns: number;
}

export async function topProducts(
  db: Queryable,
  f: ReportFilter,
  by: "revenue" | "units",
  limit: number,
): Promise<TopProductRow[]> {
  const [inner, outer] =
    by === "units"
      ? ["units DESC, revenue DESC", "s.units DESC, s.revenue DESC"]
      : ["revenue DESC, units DESC", "s.revenue DESC, s.units DESC"];
  const { rows } = await db.query<TopProductRow>(
    `SELECT s.product_id AS "productId", p.name, p.category_id AS "categoryId",
            CASE WHEN c.deleted THEN c.name || ' (deleted)' ELSE c.name END AS category,
            s.units::float8 AS units, s.revenue::float8 AS revenue, s.units_returned::float8 AS "unitsReturned",
            s.returns::float8 AS returns
       FROM (SELECT product_id, sum(units_sold) AS units, sum(revenue) AS revenue,
                    sum(units_returned) AS units_returned, sum(returns) AS returns
               FROM (${PRODUCT_ROWS}) r
              GROUP BY product_id
             -- A product whose every sale was voided is not a top product (whatever order the void came in).
             HAVING sum(units_sold) <> 0 OR sum(revenue) <> 0 OR sum(units_returned) <> 0 OR sum(returns) <> 0
              ORDER BY ${inner}, product_id
              LIMIT $9) s
       LEFT JOIN reporting_products p ON p.id = s.product_id
       LEFT JOIN reporting_categories c ON c.id = p.category_id
      ORDER BY ${outer}, s.product_id`,
    [...productParams(f), limit],
  );
  return rows;
}

/**
 * A store's rows of a period: its whole months from the monthly rollup, the days around them from the
 * daily one. Parameters: $1 the store, $2-$5 the days (two ranges), $6-$7 the months (null: none).
 */
const STORE_ROWS = (columns: string, daily: string, monthly: string) => `
  SELECT ${columns} FROM ${daily}
   WHERE channel = $1 AND (day BETWEEN $2::date AND $3::date OR day BETWEEN $4::date AND $5::date)
  UNION ALL
  SELECT ${columns} FROM ${monthly} WHERE channel = $1 AND month BETWEEN $6::date AND $7::date`;

function storeParams(storeId: string, from: string, to: string): unknown[] {
  const months = wholeMonthsOf({ from, to });
  return [storeId, ...dayRanges(from, to, months), months?.from ?? null, months?.to ?? null];
}

/** A store's sums over a period. */
export async function storeSums(db: Queryable, storeId: string, from: string, to: string): Promise<StoreSums> {
  const { rows } = await db.query<StoreSums>({
    name: "reporting-store-sums",
    text: `SELECT coalesce(sum(revenue::float8), 0) AS revenue, coalesce(sum(transactions::float8), 0) AS transactions,
                  coalesce(sum(units::float8), 0) AS units, coalesce(sum(discounts::float8), 0) AS discounts,
                  coalesce(sum(returns::float8), 0) AS returns, coalesce(sum(cash_variance::float8), 0) AS "cashVariance"
             FROM (${STORE_ROWS("revenue, transactions, units, discounts, returns, cash_variance", "sales_daily", "sales_monthly")}) r`,
    values: storeParams(storeId, from, to),
  });
  return rows[0]!;
}

/** A store's sales per local hour of day over a period. */
export async function storeHours(db: Queryable, storeId: string, from: string, to: string): Promise<HourRow[]> {
  const { rows } = await db.query<HourRow>({
    name: "reporting-store-hours",
    text: `SELECT hour, sum(revenue::float8) AS revenue, sum(transactions::float8) AS transactions
             FROM (${STORE_ROWS("hour, revenue, transactions", "sales_hourly", "sales_hourly_monthly")}) r
            GROUP BY hour`,
    values: storeParams(storeId, from, to),
  });
  return rows;
}

import type { Queryable } from "@comptoir/platform";
import { type Contribution, DAILY_FIGURES } from "../model/contribution";
import { type FoldedRows, foldContributions } from "../model/fold";

/** The key of the sales model's write lock (hashed): applied.repo's guard takes the same. */
export const SALES_MODEL_LOCK = "reporting_sales_model";

/**
 * Takes the sales model's write lock until the transaction ends. The bus handles a partition's events
 * in batches, one transaction each, in event order: two batches of different partitions adding to the
 * same rows (today's sales of a store, a product's names) in different orders would deadlock, and the
 * retries of a deadlock's victim can run out (dead letter). Every handler that writes the sales model
 * takes this one lock first (a batch takes it once), so they queue instead; reads never wait for it.
 */
export async function lockSalesModel(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [SALES_MODEL_LOCK]);
}

/** What every row of one table adds (`x = t.x + EXCLUDED.x` for each column). */
const adds = (table: string, columns: readonly string[]) =>
  columns.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(", ");

const DAILY_COLUMNS = [
  "revenue",
  "revenue_excl_vat",
  "vat",
  "discounts",
  "transactions",
  "units",
  "returns",
  "returns_count",
  "units_returned",
  "refunds",
  "refunds_count",
  "voids",
  "voids_count",
  "cash_variance",
  "closings",
] as const;
const PRODUCT_COLUMNS = ["units_sold", "units_returned", "revenue", "discounts", "returns"] as const;

/**
 * Every row of folded contributions added in one statement (data-modifying CTEs, one per table, each
 * `INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO UPDATE`), and the products' names (never
 * over catalog's). Each table's rows come as one JSON array ($1-$10, rowsParams): PostgreSQL reads it
 * natively, where arrays of each column cost the driver more than the statement (quoting every element).
 */
const ADD_ROWS = `
WITH daily AS (${figureRows("sales_daily", "day", 1)}
), vat AS (${vatRows("sales_daily_vat", "day", 2)}
), hourly AS (${hourRows("sales_hourly", "day", 3)}
), variants AS (
  INSERT INTO sales_variant_daily (day, channel, variant_id, product_id, units_sold, units_returned, revenue)
  SELECT day, channel, "variantId", "productId", "unitsSold", "unitsReturned", revenue
    FROM jsonb_to_recordset($4::jsonb)
         AS r(day date, channel text, "variantId" uuid, "productId" uuid, "unitsSold" int, "unitsReturned" int, revenue bigint)
  ON CONFLICT (day, channel, variant_id) DO UPDATE SET ${adds("sales_variant_daily", ["units_sold", "units_returned", "revenue"])}
), product_days AS (${productRows("sales_product_daily", "day", 5)}
), product_months AS (${productRows("sales_product_monthly", "month", 6)}
), names AS (
  INSERT INTO reporting_products (id, name, category_id, changed_at, event_id)
  SELECT "productId", name, NULL, '-infinity', NULL FROM jsonb_to_recordset($7::jsonb) AS p("productId" uuid, name text)
  ON CONFLICT (id) DO NOTHING
), months AS (${figureRows("sales_monthly", "month", 8)}
), months_vat AS (${vatRows("sales_monthly_vat", "month", 9)}
), months_hours AS (${hourRows("sales_hourly_monthly", "month", 10)}
)
SELECT 1`;

type Period = "day" | "month";

/** A day's (or month's) figures rollup's rows (sales_daily's columns), from the JSON array of `$param`. */
function figureRows(table: "sales_daily" | "sales_monthly", period: Period, param: number) {
  return `
  INSERT INTO ${table} (${period}, channel, ${DAILY_COLUMNS.join(", ")})
  SELECT day, channel, ${DAILY_COLUMNS.join(", ")}
    FROM jsonb_to_recordset($${param}::jsonb) AS r(day date, channel text, ${DAILY_COLUMNS.map((c) => `${c} bigint`).join(", ")})
  ON CONFLICT (${period}, channel) DO UPDATE SET ${adds(table, DAILY_COLUMNS)}`;
}

/** A VAT rollup's rows (per rate), from the JSON array of `$param`. */
function vatRows(table: "sales_daily_vat" | "sales_monthly_vat", period: Period, param: number) {
  return `
  INSERT INTO ${table} (${period}, channel, rate, base, vat, total)
  SELECT day, channel, rate, base, vat, total
    FROM jsonb_to_recordset($${param}::jsonb) AS r(day date, channel text, rate int, base bigint, vat bigint, total bigint)
  ON CONFLICT (${period}, channel, rate) DO UPDATE SET ${adds(table, ["base", "vat", "total"])}`;
}

/** An hours rollup's rows (per local hour), from the JSON array of `$param`. */
function hourRows(table: "sales_hourly" | "sales_hourly_monthly", period: Period, param: number) {
  return `
  INSERT INTO ${table} (${period}, channel, hour, revenue, transactions)
  SELECT day, channel, hour, revenue, transactions
    FROM jsonb_to_recordset($${param}::jsonb) AS r(day date, channel text, hour int, revenue bigint, transactions bigint)
  ON CONFLICT (${period}, channel, hour) DO UPDATE SET ${adds(table, ["revenue", "transactions"])}`;
}

/** A product rollup's rows, from the JSON array of parameter `$param`. */
function productRows(table: "sales_product_daily" | "sales_product_monthly", period: Period, param: number) {
  return `
  INSERT INTO ${table} (${period}, channel, product_id, vat_rate, ${PRODUCT_COLUMNS.join(", ")})
  SELECT period, channel, "productId", "vatRate", "unitsSold", "unitsReturned", revenue, discounts, returns
    FROM jsonb_to_recordset($${param}::jsonb)
         AS r(period date, channel text, "productId" uuid, "vatRate" int, "unitsSold" int, "unitsReturned" int,
              revenue bigint, discounts bigint, returns bigint)
  ON CONFLICT (${period}, channel, product_id, vat_rate) DO UPDATE SET ${adds(table, PRODUCT_COLUMNS)}`;
}

/** The day rows with the figures under sales_daily's column names. */
const dayRecords = (rows: FoldedRows["days"]) =>
  rows.map((d) => {
    const record: Record<string, unknown> = { day: d.day, channel: d.channel };
    DAILY_FIGURES.forEach((f, i) => (record[DAILY_COLUMNS[i]!] = d.figures[f]));
    return record;
  });

function rowsParams(rows: FoldedRows): string[] {
  return [
    dayRecords(rows.days),
    rows.vat,
    rows.hours,
    rows.variants,
    rows.productDays,
    rows.productMonths,
    rows.productNames,
    dayRecords(rows.months),
    rows.monthsVat,
    rows.monthsHours,
  ].map((table) => JSON.stringify(table));
}

/**
 * Adds folded contributions (model/fold.ts) to the rollups in one statement, each row by an atomic
 * `INSERT … ON CONFLICT DO UPDATE SET x = t.x + EXCLUDED.x`: no figure is read to be written back, so
 * an addition is never lost, whoever else adds to the row; and remembers the lines' product names for
 * products catalog has not described yet. The caller holds lockSalesModel (against deadlocks between
 * batches).
 */
export async function addRows(db: Queryable, rows: FoldedRows): Promise<void> {
  // Prepared once per connection (named): planning these CTEs costs about as much as running them.
  // PostgreSQL plans it again when search_path or the tables change (a rebuild's copies, its swap).
  await db.query({ name: "reporting-add-rows", text: ADD_ROWS, values: rowsParams(rows) });
}

/** Adds one contribution to the rollups (addRows'). */
export function addContribution(db: Queryable, c: Contribution): Promise<void> {
  return addRows(db, foldContributions([c]));
}

/** Empties the rollups and the documents before a replay rebuilds them. */
export async function clearRollups(db: Queryable): Promise<void> {
  await db.query(
    `TRUNCATE sales_daily, sales_daily_vat, sales_monthly, sales_monthly_vat, sales_hourly, sales_hourly_monthly,
       sales_variant_daily, sales_product_daily, sales_product_monthly, sales_documents`,
  );
}

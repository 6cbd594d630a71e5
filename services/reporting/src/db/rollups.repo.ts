import type { Queryable } from "@comptoir/platform";
import { type Contribution, DAILY_FIGURES } from "../model/contribution";
import { type FoldedRows, foldContributions, type ProductRow } from "../model/fold";

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
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE`), and the products' names (never over
 * catalog's). Parameters: rowsParams' order.
 */
const ADD_ROWS = `
WITH daily AS (
  INSERT INTO sales_daily (day, channel, ${DAILY_COLUMNS.join(", ")})
  SELECT day, channel, ${DAILY_COLUMNS.join(", ")}
    FROM unnest($1::date[], $2::text[], ${DAILY_COLUMNS.map((_, i) => `$${i + 3}::bigint[]`).join(", ")})
         WITH ORDINALITY AS r(day, channel, ${DAILY_COLUMNS.join(", ")}, n)
   ORDER BY n
  ON CONFLICT (day, channel) DO UPDATE SET ${adds("sales_daily", DAILY_COLUMNS)}
), vat AS (
  INSERT INTO sales_daily_vat (day, channel, rate, base, vat, total)
  SELECT day, channel, rate, base, vat, total
    FROM unnest($18::date[], $19::text[], $20::int[], $21::bigint[], $22::bigint[], $23::bigint[])
         WITH ORDINALITY AS r(day, channel, rate, base, vat, total, n)
   ORDER BY n
  ON CONFLICT (day, channel, rate) DO UPDATE SET ${adds("sales_daily_vat", ["base", "vat", "total"])}
), hourly AS (
  INSERT INTO sales_hourly (day, channel, hour, revenue, transactions)
  SELECT day, channel, hour, revenue, transactions
    FROM unnest($24::date[], $25::text[], $26::int[], $27::bigint[], $28::bigint[])
         WITH ORDINALITY AS r(day, channel, hour, revenue, transactions, n)
   ORDER BY n
  ON CONFLICT (day, channel, hour) DO UPDATE SET ${adds("sales_hourly", ["revenue", "transactions"])}
), variants AS (
  INSERT INTO sales_variant_daily (day, channel, variant_id, product_id, units_sold, units_returned, revenue)
  SELECT day, channel, variant_id, product_id, units_sold, units_returned, revenue
    FROM unnest($29::date[], $30::text[], $31::uuid[], $32::uuid[], $33::int[], $34::int[], $35::bigint[])
         WITH ORDINALITY AS r(day, channel, variant_id, product_id, units_sold, units_returned, revenue, n)
   ORDER BY n
  ON CONFLICT (day, channel, variant_id) DO UPDATE SET ${adds("sales_variant_daily", ["units_sold", "units_returned", "revenue"])}
), product_days AS (${productRows("sales_product_daily", "day", 36)}
), product_months AS (${productRows("sales_product_monthly", "month", 45)}
), names AS (
  INSERT INTO reporting_products (id, name, category_id, changed_at, event_id)
  SELECT id, name, NULL, '-infinity', NULL FROM unnest($54::uuid[], $55::text[]) AS p(id, name)
  ON CONFLICT (id) DO NOTHING
)
SELECT 1`;

/** A product rollup's rows, from nine arrays starting at parameter `$first`. */
function productRows(table: "sales_product_daily" | "sales_product_monthly", period: "day" | "month", first: number) {
  const p = (i: number) => `$${first + i}`;
  return `
  INSERT INTO ${table} (${period}, channel, product_id, vat_rate, ${PRODUCT_COLUMNS.join(", ")})
  SELECT period, channel, product_id, vat_rate, ${PRODUCT_COLUMNS.join(", ")}
    FROM unnest(${p(0)}::date[], ${p(1)}::text[], ${p(2)}::uuid[], ${p(3)}::int[], ${p(4)}::int[], ${p(5)}::int[],
                ${p(6)}::bigint[], ${p(7)}::bigint[], ${p(8)}::bigint[])
         WITH ORDINALITY AS r(period, channel, product_id, vat_rate, ${PRODUCT_COLUMNS.join(", ")}, n)
   ORDER BY n
  ON CONFLICT (${period}, channel, product_id, vat_rate) DO UPDATE SET ${adds(table, PRODUCT_COLUMNS)}`;
}

const column = <T, K extends keyof T>(rows: readonly T[], key: K): T[K][] => rows.map((r) => r[key]);

function productParams(rows: readonly ProductRow[]): unknown[] {
  return [
    column(rows, "period"),
    column(rows, "channel"),
    column(rows, "productId"),
    column(rows, "vatRate"),
    column(rows, "unitsSold"),
    column(rows, "unitsReturned"),
    column(rows, "revenue"),
    column(rows, "discounts"),
    column(rows, "returns"),
  ];
}

function rowsParams(rows: FoldedRows): unknown[] {
  return [
    column(rows.days, "day"),
    column(rows.days, "channel"),
    ...DAILY_FIGURES.map((f) => rows.days.map((d) => d.figures[f])),
    column(rows.vat, "day"),
    column(rows.vat, "channel"),
    column(rows.vat, "rate"),
    column(rows.vat, "base"),
    column(rows.vat, "vat"),
    column(rows.vat, "total"),
    column(rows.hours, "day"),
    column(rows.hours, "channel"),
    column(rows.hours, "hour"),
    column(rows.hours, "revenue"),
    column(rows.hours, "transactions"),
    column(rows.variants, "day"),
    column(rows.variants, "channel"),
    column(rows.variants, "variantId"),
    column(rows.variants, "productId"),
    column(rows.variants, "unitsSold"),
    column(rows.variants, "unitsReturned"),
    column(rows.variants, "revenue"),
    ...productParams(rows.productDays),
    ...productParams(rows.productMonths),
    column(rows.productNames, "productId"),
    column(rows.productNames, "name"),
  ];
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
    `TRUNCATE sales_daily, sales_daily_vat, sales_hourly, sales_variant_daily, sales_product_daily, sales_product_monthly,
       sales_documents`,
  );
}

import type { Queryable } from "@comptoir/platform";
import type { Contribution } from "../model/contribution";

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
 * The rows of a contribution (params $1-$36, see contributionParams), as data-modifying CTEs: the day,
 * its VAT per rate, the hour, the variants and the products (daily and monthly). An empty part inserts
 * no row. `onlyIf`: a condition every row waits for (a document just recorded).
 */
function contributionRows(onlyIf = "true"): string {
  const products = (table: "sales_product_daily" | "sales_product_monthly", period: "day" | "month") => `
  INSERT INTO ${table} (${period}, channel, product_id, vat_rate, ${PRODUCT_COLUMNS.join(", ")})
  SELECT ${period === "day" ? "$1::date" : "date_trunc('month', $1::date)::date"}, $2, l.product_id, l.vat_rate,
         l.units_sold, l.units_returned, l.revenue, l.discounts, l.returns
    FROM unnest($29::uuid[], $30::int[], $31::int[], $32::int[], $33::bigint[], $34::bigint[], $35::bigint[])
         WITH ORDINALITY AS l(product_id, vat_rate, units_sold, units_returned, revenue, discounts, returns, n)
   WHERE ${onlyIf}
   ORDER BY l.n
  ON CONFLICT (${period}, channel, product_id, vat_rate) DO UPDATE SET ${adds(table, PRODUCT_COLUMNS)}`;
  return `daily AS (
  INSERT INTO sales_daily (day, channel, ${DAILY_COLUMNS.join(", ")})
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 WHERE ${onlyIf}
  ON CONFLICT (day, channel) DO UPDATE SET ${adds("sales_daily", DAILY_COLUMNS)}
), vat AS (
  INSERT INTO sales_daily_vat (day, channel, rate, base, vat, total)
  SELECT $1, $2, v.rate, v.base, v.vat, v.total
    FROM unnest($18::int[], $19::bigint[], $20::bigint[], $21::bigint[]) WITH ORDINALITY AS v(rate, base, vat, total, n)
   WHERE ${onlyIf}
   ORDER BY v.n
  ON CONFLICT (day, channel, rate) DO UPDATE SET ${adds("sales_daily_vat", ["base", "vat", "total"])}
), hourly AS (
  INSERT INTO sales_hourly (day, channel, hour, revenue, transactions)
  SELECT $1, $2, $22, $23, $24 WHERE $23::bigint IS NOT NULL AND ${onlyIf}
  ON CONFLICT (day, channel, hour) DO UPDATE SET ${adds("sales_hourly", ["revenue", "transactions"])}
), variants AS (
  INSERT INTO sales_variant_daily (day, channel, variant_id, product_id, units_sold, units_returned, revenue)
  SELECT $1, $2, l.variant_id, l.product_id, l.units_sold, l.units_returned, l.revenue
    FROM unnest($25::uuid[], $26::uuid[], $27::int[], $28::int[], $36::bigint[]) WITH ORDINALITY
         AS l(variant_id, product_id, units_sold, units_returned, revenue, n)
   WHERE ${onlyIf}
   ORDER BY l.n
  ON CONFLICT (day, channel, variant_id) DO UPDATE SET ${adds("sales_variant_daily", ["units_sold", "units_returned", "revenue"])}
), product_days AS (${products("sales_product_daily", "day")}
), product_months AS (${products("sales_product_monthly", "month")}
)`;
}

/** One statement for the six it replaces, which made most of an event's time under the sales model's lock. */
const ADD_CONTRIBUTION = `WITH ${contributionRows()}\nSELECT 1`;

function contributionParams(c: Contribution): unknown[] {
  const d = c.daily;
  const vat = [...c.vat].sort((a, b) => a.rate - b.rate);
  const v = c.variants;
  const p = c.products;
  return [
    c.day,
    c.channel,
    d.revenue,
    d.revenueExclVat,
    d.vat,
    d.discounts,
    d.transactions,
    d.units,
    d.returns,
    d.returnsCount,
    d.unitsReturned,
    d.refunds,
    d.refundsCount,
    d.voids,
    d.voidsCount,
    d.cashVariance,
    d.closings,
    vat.map((x) => x.rate),
    vat.map((x) => x.base),
    vat.map((x) => x.vat),
    vat.map((x) => x.total),
    c.hour,
    c.hourly?.revenue ?? null,
    c.hourly?.transactions ?? null,
    v.map((l) => l.variantId),
    v.map((l) => l.productId),
    v.map((l) => l.unitsSold),
    v.map((l) => l.unitsReturned),
    p.map((l) => l.productId),
    p.map((l) => l.vatRate),
    p.map((l) => l.unitsSold),
    p.map((l) => l.unitsReturned),
    p.map((l) => l.revenue),
    p.map((l) => l.discounts),
    p.map((l) => l.returns),
    v.map((l) => l.revenue),
  ];
}

/**
 * Adds a contribution to the rollups, each row by one atomic `INSERT … ON CONFLICT DO UPDATE SET
 * x = t.x + EXCLUDED.x`: no figure is read to be written back, so an addition is never lost, whoever
 * else adds to the row. (The caller also holds lockSalesModel, against deadlocks between batches.)
 */
export async function addContribution(db: Queryable, c: Contribution): Promise<void> {
  await db.query({ name: "reporting-add-contribution", text: ADD_CONTRIBUTION, values: contributionParams(c) });
}

/** bookNewDocument's statement: the contribution's rows ($1-$36) wait for the document to be new. */
const BOOK_NEW_DOCUMENT = `
WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended($37, 0)) AS ok
), doc AS (
  INSERT INTO sales_documents (id, kind, contribution) SELECT $38, $39, $40 FROM locked
  ON CONFLICT (id) DO NOTHING RETURNING id
), names AS (
  INSERT INTO reporting_products (id, name, category_id, changed_at, event_id)
  SELECT p.id, p.name, NULL, '-infinity', NULL FROM unnest($41::uuid[], $42::text[]) AS p(id, name)
   WHERE EXISTS (SELECT 1 FROM doc)
  ON CONFLICT (id) DO NOTHING
), progress AS (
  INSERT INTO reporting_progress (stream, partition, last_event_at) SELECT $43, $44, $45 FROM locked
  ON CONFLICT (stream, partition) DO UPDATE
    SET last_event_at = greatest(reporting_progress.last_event_at, EXCLUDED.last_event_at)
), ${contributionRows("EXISTS (SELECT 1 FROM doc)")}
SELECT EXISTS (SELECT 1 FROM doc) AS booked FROM locked`;

/**
 * A sales document (a paid order, a till sale) booked in one statement if it is new (ingestion's hot
 * path: what took five round trips): takes the sales model's write lock (lockSalesModel's), records the
 * document with its contribution and, only if it was not known, remembers the products of its lines
 * (catalog.rememberProducts': never over catalog's names) and adds the contribution (addContribution's
 * rows); in every case, the event's progress (progress.recordProgress's). False when the document was
 * known already (announced again, or a void's tombstone waits for it: documents.recordDocument says which).
 */
export async function bookNewDocument(
  db: Queryable,
  doc: { id: string; kind: "order" | "sale"; contribution: Contribution },
  progress: { stream: string; partition: number; at: string },
): Promise<boolean> {
  const names = [...doc.contribution.productNames].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  // Prepared once per connection (named): planning these CTEs costs about as much as running them.
  // PostgreSQL plans it again when search_path or the tables change (a rebuild's copies, its swap).
  const { rows } = await db.query<{ booked: boolean }>({
    name: "reporting-book-new-document",
    text: BOOK_NEW_DOCUMENT,
    values: [
      ...contributionParams(doc.contribution),
      SALES_MODEL_LOCK,
      doc.id,
      doc.kind,
      JSON.stringify(doc.contribution),
      names.map((n) => n.productId),
      names.map((n) => n.name),
      progress.stream,
      progress.partition,
      progress.at,
    ],
  });
  return rows[0]!.booked;
}

/** Empties the rollups and the documents before a replay rebuilds them. */
export async function clearRollups(db: Queryable): Promise<void> {
  await db.query(
    `TRUNCATE sales_daily, sales_daily_vat, sales_hourly, sales_variant_daily, sales_product_daily, sales_product_monthly,
       sales_documents`,
  );
}

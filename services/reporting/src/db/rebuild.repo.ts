import type { Queryable } from "@comptoir/platform";

/*
 * What a rebuild of reporting's read model needs to know of its tables; the copies and the swap are
 * the event backbone's (`ReadModelRebuilder`, packages/events/src/rebuild.repo.ts).
 */

/**
 * The read model's tables: everything the events build, copied and swapped together (reporting_applied
 * included: it says which events the copy holds). A table added to the model belongs here; a table the
 * events do not build must not be here (a rebuild would swap in an empty copy). test/rebuild.test.ts
 * checks that every table of the schema is either here or the event backbone's.
 */
export const READ_MODEL_TABLES = [
  "conversion_daily",
  "conversion_progress",
  "reporting_applied",
  "reporting_categories",
  "reporting_products",
  "reporting_progress",
  "reporting_stores",
  "reporting_version",
  "sales_daily",
  "sales_daily_vat",
  "sales_documents",
  "sales_hourly",
  "sales_hourly_monthly",
  "sales_monthly",
  "sales_monthly_vat",
  "sales_product_daily",
  "sales_product_monthly",
  "sales_variant_daily",
  "stock_levels",
  "stock_supply_requests",
] as const;

/**
 * When the read model last changed from each stream: the latest event instant it holds (the progress
 * tables of the sales model and the funnel; inventory: the stock levels; supply: the requests). A stream
 * it holds nothing from is absent.
 */
export async function lastAppliedAt(db: Queryable): Promise<Record<string, string>> {
  const { rows } = await db.query<{ stream: string; at: Date | null }>(
    `SELECT stream, max(at) AS at FROM (
        SELECT stream, last_event_at AS at FROM reporting_progress
        UNION ALL SELECT stream, last_event_at FROM conversion_progress
        UNION ALL SELECT 'inventory', max(changed_at) FROM stock_levels
        UNION ALL SELECT 'supply', max(changed_at) FROM stock_supply_requests) AS applied
      WHERE at IS NOT NULL GROUP BY stream`,
  );
  return Object.fromEntries(rows.map((r) => [r.stream, r.at!.toISOString()]));
}

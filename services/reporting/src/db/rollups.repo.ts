import type { Queryable } from "@comptoir/platform";
import type { Contribution } from "../model/contribution";

/**
 * Takes the sales model's write lock until the transaction ends. The bus handles a partition's events
 * in batches, one transaction each, in event order: two batches of different partitions adding to the
 * same rows (today's sales of a store, a product's names) in different orders would deadlock, and the
 * retries of a deadlock's victim can run out (dead letter). Every handler that writes the sales model
 * takes this one lock first (a batch takes it once), so they queue instead; reads never wait for it.
 */
export async function lockSalesModel(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('reporting_sales_model', 0))");
}

/**
 * Adds a contribution to the rollups, each row by one atomic `INSERT … ON CONFLICT DO UPDATE SET
 * x = t.x + EXCLUDED.x`: no figure is read to be written back, so an addition is never lost, whoever
 * else adds to the row. (The caller also holds lockSalesModel, against deadlocks between batches.)
 */
export async function addContribution(db: Queryable, c: Contribution): Promise<void> {
  const d = c.daily;
  await db.query(
    `INSERT INTO sales_daily (day, channel, revenue, revenue_excl_vat, vat, discounts, transactions, units, returns,
       returns_count, units_returned, refunds, refunds_count, voids, voids_count, cash_variance, closings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (day, channel) DO UPDATE SET
       revenue = sales_daily.revenue + EXCLUDED.revenue,
       revenue_excl_vat = sales_daily.revenue_excl_vat + EXCLUDED.revenue_excl_vat,
       vat = sales_daily.vat + EXCLUDED.vat,
       discounts = sales_daily.discounts + EXCLUDED.discounts,
       transactions = sales_daily.transactions + EXCLUDED.transactions,
       units = sales_daily.units + EXCLUDED.units,
       returns = sales_daily.returns + EXCLUDED.returns,
       returns_count = sales_daily.returns_count + EXCLUDED.returns_count,
       units_returned = sales_daily.units_returned + EXCLUDED.units_returned,
       refunds = sales_daily.refunds + EXCLUDED.refunds,
       refunds_count = sales_daily.refunds_count + EXCLUDED.refunds_count,
       voids = sales_daily.voids + EXCLUDED.voids,
       voids_count = sales_daily.voids_count + EXCLUDED.voids_count,
       cash_variance = sales_daily.cash_variance + EXCLUDED.cash_variance,
       closings = sales_daily.closings + EXCLUDED.closings`,
    [
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
    ],
  );
  if (c.vat.length > 0) {
    const vat = [...c.vat].sort((a, b) => a.rate - b.rate);
    await db.query(
      `INSERT INTO sales_daily_vat (day, channel, rate, base, vat, total)
       SELECT $1, $2, v.rate, v.base, v.vat, v.total
         FROM unnest($3::int[], $4::bigint[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS v(rate, base, vat, total, n)
        ORDER BY v.n
       ON CONFLICT (day, channel, rate) DO UPDATE SET base = sales_daily_vat.base + EXCLUDED.base,
         vat = sales_daily_vat.vat + EXCLUDED.vat, total = sales_daily_vat.total + EXCLUDED.total`,
      [
        c.day,
        c.channel,
        vat.map((v) => v.rate),
        vat.map((v) => v.base),
        vat.map((v) => v.vat),
        vat.map((v) => v.total),
      ],
    );
  }
  if (c.hourly) {
    await db.query(
      `INSERT INTO sales_hourly (day, channel, hour, revenue, transactions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (day, channel, hour) DO UPDATE SET revenue = sales_hourly.revenue + EXCLUDED.revenue,
         transactions = sales_hourly.transactions + EXCLUDED.transactions`,
      [c.day, c.channel, c.hour, c.hourly.revenue, c.hourly.transactions],
    );
  }
  if (c.variants.length > 0) {
    const v = c.variants;
    await db.query(
      `INSERT INTO sales_variant_daily (day, channel, variant_id, product_id, units_sold, units_returned, revenue)
       SELECT $1, $2, l.variant_id, l.product_id, l.units_sold, l.units_returned, l.revenue
         FROM unnest($3::uuid[], $4::uuid[], $5::int[], $6::int[], $7::bigint[]) WITH ORDINALITY
              AS l(variant_id, product_id, units_sold, units_returned, revenue, n)
        ORDER BY l.n
       ON CONFLICT (day, channel, variant_id) DO UPDATE SET
         units_sold = sales_variant_daily.units_sold + EXCLUDED.units_sold,
         units_returned = sales_variant_daily.units_returned + EXCLUDED.units_returned,
         revenue = sales_variant_daily.revenue + EXCLUDED.revenue`,
      [
        c.day,
        c.channel,
        v.map((l) => l.variantId),
        v.map((l) => l.productId),
        v.map((l) => l.unitsSold),
        v.map((l) => l.unitsReturned),
        v.map((l) => l.revenue),
      ],
    );
  }
  if (c.products.length > 0) {
    await addProducts(db, "sales_product_daily", "day", c);
    await addProducts(db, "sales_product_monthly", "month", c);
  }
}

/** Per product and rate, into the daily or the monthly table (the month of the day). */
async function addProducts(
  db: Queryable,
  table: "sales_product_daily" | "sales_product_monthly",
  period: "day" | "month",
  c: Contribution,
): Promise<void> {
  const p = c.products;
  const at = period === "day" ? "$1::date" : "date_trunc('month', $1::date)::date";
  await db.query(
    `INSERT INTO ${table} (${period}, channel, product_id, vat_rate, units_sold, units_returned, revenue, discounts,
       returns)
     SELECT ${at}, $2, l.product_id, l.vat_rate, l.units_sold, l.units_returned, l.revenue, l.discounts, l.returns
       FROM unnest($3::uuid[], $4::int[], $5::int[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[])
            WITH ORDINALITY AS l(product_id, vat_rate, units_sold, units_returned, revenue, discounts, returns, n)
      ORDER BY l.n
     ON CONFLICT (${period}, channel, product_id, vat_rate) DO UPDATE SET
       units_sold = ${table}.units_sold + EXCLUDED.units_sold,
       units_returned = ${table}.units_returned + EXCLUDED.units_returned,
       revenue = ${table}.revenue + EXCLUDED.revenue,
       discounts = ${table}.discounts + EXCLUDED.discounts,
       returns = ${table}.returns + EXCLUDED.returns`,
    [
      c.day,
      c.channel,
      p.map((l) => l.productId),
      p.map((l) => l.vatRate),
      p.map((l) => l.unitsSold),
      p.map((l) => l.unitsReturned),
      p.map((l) => l.revenue),
      p.map((l) => l.discounts),
      p.map((l) => l.returns),
    ],
  );
}

/** Empties the rollups and the documents before a replay rebuilds them. */
export async function clearRollups(db: Queryable): Promise<void> {
  await db.query(
    `TRUNCATE sales_daily, sales_daily_vat, sales_hourly, sales_variant_daily, sales_product_daily, sales_product_monthly,
       sales_documents`,
  );
}

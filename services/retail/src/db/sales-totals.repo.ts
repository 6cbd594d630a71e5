import type { retailHttp } from "@comptoir/contracts/http";
import type { Queryable } from "@comptoir/platform";

/**
 * Per store and local day of the store's time zone, `from` to `to` included: the days reporting books
 * retail's events under. A sale counts on the day it completed (`completed_at`) unless voided — a
 * voided sale is counted among the voids of that same day, as reporting takes it out on the sale's
 * day; a return on the day it completed; a closing on the day of `closed_at`. The instants are first
 * bounded a day wider than the period in UTC (no zone is more than 14 hours from UTC), then each is
 * placed on its local day with `(instant AT TIME ZONE timezone)::date`.
 */
export async function salesTotalsByStoreDay(
  db: Queryable,
  filter: { from: string; to: string; storeId: string | null },
): Promise<retailHttp.SalesTotalsRow[]> {
  const { rows } = await db.query<retailHttp.SalesTotalsRow>(
    `WITH bounds AS (
       SELECT ($1::date - 1)::timestamp AT TIME ZONE 'UTC' AS since, ($2::date + 2)::timestamp AT TIME ZONE 'UTC' AS until
     ), booked AS (
       SELECT s.store_id, s.completed_at AS at,
              (s.status = 'completed')::int AS sales_count,
              CASE WHEN s.status = 'completed' THEN s.total ELSE 0 END AS sales_total,
              CASE WHEN s.status = 'completed' THEN s.discount_total ELSE 0 END AS discount_total,
              0 AS returns_count, 0::bigint AS returns_total,
              (s.status = 'voided')::int AS voids_count,
              CASE WHEN s.status = 'voided' THEN s.total ELSE 0 END AS voids_total,
              0 AS closings, 0::bigint AS cash_variance
         FROM sales s, bounds b
        WHERE s.completed_at >= b.since AND s.completed_at < b.until
       UNION ALL
       SELECT r.store_id, r.completed_at, 0, 0, 0, 1, r.total, 0, 0, 0, 0
         FROM returns r, bounds b
        WHERE r.status = 'completed' AND r.completed_at >= b.since AND r.completed_at < b.until
       UNION ALL
       SELECT x.store_id, x.closed_at, 0, 0, 0, 0, 0, 0, 0, 1, x.variance
         FROM sessions x, bounds b
        WHERE x.status = 'closed' AND x.closed_at >= b.since AND x.closed_at < b.until
     ), dated AS (
       SELECT k.*, st.code, st.timezone, (k.at AT TIME ZONE st.timezone)::date AS day
         FROM booked k JOIN stores st ON st.id = k.store_id
        WHERE $3::uuid IS NULL OR k.store_id = $3::uuid
     )
     SELECT store_id AS "storeId", code AS "storeCode", timezone, to_char(day, 'YYYY-MM-DD') AS day,
            sum(sales_count)::int AS "salesCount", sum(sales_total)::float8 AS "salesTotal",
            sum(discount_total)::float8 AS "discountTotal", sum(returns_count)::int AS "returnsCount",
            sum(returns_total)::float8 AS "returnsTotal", sum(voids_count)::int AS "voidsCount",
            sum(voids_total)::float8 AS "voidsTotal", sum(closings)::int AS closings,
            sum(cash_variance)::float8 AS "cashVariance"
       FROM dated
      WHERE day BETWEEN $1::date AND $2::date
      GROUP BY store_id, code, timezone, day
      ORDER BY code, store_id, day`,
    [filter.from, filter.to, filter.storeId],
  );
  return rows;
}

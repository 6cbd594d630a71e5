import type { ordersHttp } from "@comptoir/contracts/http";
import type { Queryable } from "@comptoir/platform";

/**
 * Orders paid and refunds per local day of `timeZone`, `from` to `to` included: an order counts on
 * the day of its `paid_at` (whatever its status now), a refund on the day of its `refunded_at` —
 * the days reporting books `orders.order.paid` and `.refunded` under. The instants are first bounded
 * a day wider than the period in UTC (no zone is more than 14 hours from UTC), then each is placed
 * on its local day with `(instant AT TIME ZONE tz)::date`.
 */
export async function salesTotalsByDay(
  db: Queryable,
  period: { from: string; to: string; timeZone: string },
): Promise<ordersHttp.SalesTotalsDay[]> {
  const { rows } = await db.query<ordersHttp.SalesTotalsDay>(
    `WITH bounds AS (
       SELECT ($1::date - 1)::timestamp AT TIME ZONE 'UTC' AS since, ($2::date + 2)::timestamp AT TIME ZONE 'UTC' AS until
     ), booked AS (
       SELECT (o.paid_at AT TIME ZONE $3)::date AS day, 1 AS paid_count, o.total AS paid_total,
              0 AS refunds_count, 0::bigint AS refunds_total
         FROM orders o, bounds b
        WHERE o.paid_at >= b.since AND o.paid_at < b.until
       UNION ALL
       SELECT (o.refunded_at AT TIME ZONE $3)::date, 0, 0, 1, o.refunded_amount
         FROM orders o, bounds b
        WHERE o.refunded_at >= b.since AND o.refunded_at < b.until
     )
     SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(paid_count)::int AS "paidCount",
            sum(paid_total)::float8 AS "paidTotal", sum(refunds_count)::int AS "refundsCount",
            sum(refunds_total)::float8 AS "refundsTotal"
       FROM booked
      WHERE day BETWEEN $1::date AND $2::date
      GROUP BY day
      ORDER BY day`,
    [period.from, period.to, period.timeZone],
  );
  return rows;
}

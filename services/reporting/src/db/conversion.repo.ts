import type { Queryable } from "@comptoir/platform";
import type { DayCounts, FunnelStep } from "../model/conversion";

/** The column of each step the funnel's events count (orders paid come from sales_daily). */
const COLUMNS = {
  cartsCreated: "carts_created",
  cartsFilled: "carts_filled",
  checkoutsStarted: "checkouts_started",
} as const satisfies Record<FunnelStep, string>;

/** Adds one to a step of a day, atomically (concurrent handlers never read a count to write it back). */
export async function countStep(db: Queryable, day: string, step: FunnelStep): Promise<void> {
  const column = COLUMNS[step];
  await db.query(
    `INSERT INTO conversion_daily (day, ${column}) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET ${column} = conversion_daily.${column} + 1`,
    [day],
  );
}

/**
 * The days of the period that have a count, in order: the funnel's steps from conversion_daily, the
 * orders paid from the sales model's online channel (`transactions`: each paid order once, on the local
 * day of its payment; refunds and cancellations take nothing back).
 */
export async function readDays(
  db: Queryable,
  period: { from: string; to: string },
  onlineChannel: string,
): Promise<DayCounts[]> {
  const { rows } = await db.query<DayCounts>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day,
            sum(carts_created)::int AS "cartsCreated", sum(carts_filled)::int AS "cartsFilled",
            sum(checkouts_started)::int AS "checkoutsStarted", sum(orders_paid)::int AS "ordersPaid"
       FROM (SELECT day, carts_created, carts_filled, checkouts_started, 0 AS orders_paid
               FROM conversion_daily WHERE day BETWEEN $1::date AND $2::date
             UNION ALL
             SELECT day, 0, 0, 0, transactions
               FROM sales_daily WHERE channel = $3 AND day BETWEEN $1::date AND $2::date) AS counts
      GROUP BY day
      ORDER BY day`,
    [period.from, period.to, onlineChannel],
  );
  return rows;
}

/** Records that an event of `stream`'s `partition` that happened at `at` was counted (the newest wins). */
export async function recordProgress(db: Queryable, stream: string, partition: number, at: string): Promise<void> {
  await db.query(
    `INSERT INTO conversion_progress (stream, partition, last_event_at) VALUES ($1, $2, $3)
     ON CONFLICT (stream, partition) DO UPDATE
       SET last_event_at = greatest(conversion_progress.last_event_at, EXCLUDED.last_event_at)`,
    [stream, partition, at],
  );
}

/** When the newest event the funnel counted happened; null when none was. */
export async function newestEventAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>("SELECT max(last_event_at) AS at FROM conversion_progress");
  return rows[0]?.at ?? null;
}

/** Empties the funnel's counts and progress before a replay from the start rebuilds them. */
export async function clearConversion(db: Queryable): Promise<void> {
  await db.query("TRUNCATE conversion_daily, conversion_progress");
}

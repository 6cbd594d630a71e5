import type { Queryable } from "@comptoir/platform";

/**
 * Seconds until the `max`-th most recent failure for this account (or address) leaves the window,
 * i.e. until fewer than `max` failures remain; 0 when there are fewer than `max` already.
 */
export async function secondsBlocked(
  db: Queryable,
  key: { column: "email" | "ip"; value: string },
  max: number,
  windowSeconds: number,
): Promise<number> {
  const { rows } = await db.query<{ wait: number | null }>(
    `SELECT ceil(extract(epoch FROM (
              (SELECT failed_at FROM login_failures
                WHERE ${key.column} = $1 AND failed_at > now() - make_interval(secs => $2)
                ORDER BY failed_at DESC OFFSET $3 - 1 LIMIT 1)
              + make_interval(secs => $2) - now())))::int AS wait`,
    [key.value, windowSeconds, max],
  );
  const wait = rows[0]?.wait;
  return wait === null || wait === undefined ? 0 : Math.max(1, wait);
}

export async function recordFailure(db: Queryable, email: string, ip: string, windowSeconds: number): Promise<void> {
  await db.query(
    `WITH old AS (DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => $3))
     INSERT INTO login_failures (email, ip) VALUES ($1, $2)`,
    [email, ip, windowSeconds],
  );
}

export async function clearAccountFailures(db: Queryable, email: string): Promise<void> {
  await db.query("DELETE FROM login_failures WHERE email = $1", [email]);
}

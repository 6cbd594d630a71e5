import type { Queryable, Tx } from "@comptoir/platform";
import type { LoginThrottleSettings } from "../model/settings";

/** Who a password attempt counts against: an account (its normalised e-mail) and, for logins, an address. */
export interface AttemptKey {
  email: string;
  ip: string | null;
}

/**
 * Serialises the reservations of one account (and of one address) until the transaction ends. The
 * account's lock is always taken first and the two kinds live in different lock spaces (first key),
 * so two reservations never wait for each other in a cycle. A statement of its own: the reservation
 * that follows must read with a snapshot taken after the lock is held.
 */
export async function lockAttempts(tx: Tx, key: AttemptKey): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('identity.attempts.account'), hashtext($1))", [key.email]);
  if (key.ip !== null) {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('identity.attempts.ip'), hashtext($1))", [key.ip]);
  }
}

/**
 * Writes one attempt for the key unless the account (or the address) already has its maximum within
 * the window. Returns 0 when the attempt was written, else the seconds until the blocking failure
 * leaves the window. Run under `lockAttempts`.
 */
export async function reserveAttempt(tx: Tx, key: AttemptKey, limits: LoginThrottleSettings): Promise<number> {
  const { rows } = await tx.query<{ wait: number | null }>(
    `WITH blocking AS (
       SELECT greatest(
         (SELECT failed_at FROM login_failures
           WHERE email = $1 AND failed_at > now() - make_interval(secs => $3)
           ORDER BY failed_at DESC OFFSET $4 - 1 LIMIT 1),
         (SELECT failed_at FROM login_failures
           WHERE $2::text IS NOT NULL AND ip = $2 AND failed_at > now() - make_interval(secs => $3)
           ORDER BY failed_at DESC OFFSET $5 - 1 LIMIT 1)
       ) AS failed_at
     ), reserved AS (
       INSERT INTO login_failures (email, ip) SELECT $1, $2 FROM blocking WHERE failed_at IS NULL
     )
     SELECT ceil(extract(epoch FROM failed_at + make_interval(secs => $3) - now()))::int AS wait FROM blocking`,
    [key.email, key.ip, limits.windowSeconds, limits.maxFailuresPerAccount, limits.maxFailuresPerIp],
  );
  const wait = rows[0]?.wait;
  return wait === null || wait === undefined ? 0 : Math.max(1, wait);
}

/** Housekeeping: failures that have left the window count for nothing. */
export async function pruneFailures(db: Queryable, windowSeconds: number): Promise<void> {
  await db.query("DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => $1)", [windowSeconds]);
}

export async function clearAccountFailures(db: Queryable, email: string): Promise<void> {
  await db.query("DELETE FROM login_failures WHERE email = $1", [email]);
}

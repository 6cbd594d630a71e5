import type { RevocationEntry } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";

interface Row {
  id: string;
  user_id: string;
  session_id: string | null;
  revoked_at: Date;
  expires_at: Date;
}

/** Revokes the user's access tokens issued until now, for as long as one of them could be valid. */
export async function revokeUserAccess(db: Queryable, userId: string, tokenTtlSeconds: number): Promise<void> {
  await db.query(`INSERT INTO revocations (user_id, expires_at) VALUES ($1, now() + make_interval(secs => $2))`, [
    userId,
    tokenTtlSeconds,
  ]);
}

/** Revokes every access token of these sessions (refresh-token families). */
export async function revokeSessionsAccess(
  db: Queryable,
  userId: string,
  sessionIds: readonly string[],
  tokenTtlSeconds: number,
): Promise<void> {
  if (sessionIds.length === 0) return;
  await db.query(
    `INSERT INTO revocations (user_id, session_id, expires_at)
     SELECT $1, s, now() + make_interval(secs => $3) FROM unnest($2::uuid[]) AS s`,
    [userId, sessionIds, tokenTtlSeconds],
  );
}

/** The entries after `after` that still matter, oldest first, at most `limit`. */
export async function revocationsAfter(db: Queryable, after: number, limit: number): Promise<RevocationEntry[]> {
  const { rows } = await db.query<Row>(
    `SELECT id, user_id, session_id, revoked_at, expires_at FROM revocations
      WHERE id > $1 AND expires_at > now() ORDER BY id LIMIT $2`,
    [after, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    userId: r.user_id,
    sessionId: r.session_id,
    revokedAt: r.revoked_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  }));
}

/** Forgets the entries no token can need any more. */
export async function pruneRevocations(db: Queryable): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM revocations WHERE expires_at <= now()");
  return rowCount ?? 0;
}

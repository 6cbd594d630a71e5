import type { Queryable } from "@comptoir/platform";

export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  expired: boolean;
}

const COLUMNS = "id, user_id, family_id, expires_at, used_at, revoked_at, expires_at <= now() AS expired";

export async function insertRefreshToken(
  db: Queryable,
  t: { id: string; userId: string; familyId: string; tokenHash: string; ttlDays: number },
): Promise<void> {
  await db.query(
    `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
    [t.id, t.userId, t.familyId, t.tokenHash, t.ttlDays],
  );
}

/**
 * Marks the token used if it is still spendable (not used, not revoked, not expired) and returns it;
 * undefined otherwise. The row lock makes two concurrent spends of one token queue: the second sees
 * it used and gets nothing.
 */
export async function spendRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const { rows } = await db.query<RefreshTokenRow>(
    `UPDATE refresh_tokens SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING ${COLUMNS}`,
    [tokenHash],
  );
  return rows[0];
}

export async function findRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const { rows } = await db.query<RefreshTokenRow>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE token_hash = $1`, [
    tokenHash,
  ]);
  return rows[0];
}

export async function revokeFamily(db: Queryable, familyId: string): Promise<number> {
  const { rowCount } = await db.query(
    "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    [familyId],
  );
  return rowCount ?? 0;
}

/**
 * Revokes every refresh token of the user, except those of `keepFamilyId` when given; returns the
 * families (sessions) it ended.
 */
export async function revokeUserTokens(db: Queryable, userId: string, keepFamilyId?: string): Promise<string[]> {
  const { rows } = await db.query<{ family_id: string }>(
    `UPDATE refresh_tokens SET revoked_at = now()
      WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)
      RETURNING family_id`,
    [userId, keepFamilyId ?? null],
  );
  return [...new Set(rows.map((r) => r.family_id))];
}

/** Forgets tokens expired or revoked more than `days` ago. */
export async function pruneRefreshTokens(db: Queryable, days: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM refresh_tokens
      WHERE expires_at < now() - make_interval(days => $1) OR revoked_at < now() - make_interval(days => $1)`,
    [days],
  );
  return rowCount ?? 0;
}

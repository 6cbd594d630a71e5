import type { Queryable } from "@comptoir/platform";

export interface KeyRef {
  endpoint: string;
  actorId: string;
  key: string;
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

/**
 * Claims the key for this transaction: true when it is ours. A concurrent transaction holding the
 * same key makes this wait until it ends; then false (it committed) or true (it rolled back).
 */
export async function claimKey(tx: Queryable, ref: KeyRef, requestHash: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO idempotency_keys (endpoint, actor_id, key, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (endpoint, actor_id, key) DO NOTHING`,
    [ref.endpoint, ref.actorId, ref.key, requestHash],
  );
  return rowCount === 1;
}

export async function findKey(
  tx: Queryable,
  ref: KeyRef,
): Promise<{ requestHash: string; answer: StoredAnswer | null } | undefined> {
  const { rows } = await tx.query<{ request_hash: string; status_code: number | null; response: unknown }>(
    "SELECT request_hash, status_code, response FROM idempotency_keys WHERE endpoint = $1 AND actor_id = $2 AND key = $3",
    [ref.endpoint, ref.actorId, ref.key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    requestHash: row.request_hash,
    answer: row.status_code === null ? null : { status: row.status_code, body: row.response },
  };
}

export async function storeAnswer(tx: Queryable, ref: KeyRef, answer: StoredAnswer): Promise<void> {
  await tx.query(
    "UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE endpoint = $1 AND actor_id = $2 AND key = $3",
    [ref.endpoint, ref.actorId, ref.key, answer.status, JSON.stringify(answer.body)],
  );
}

/** Forgets keys older than `hours`. */
export async function pruneKeys(db: Queryable, hours: number): Promise<number> {
  const { rowCount } = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    [hours],
  );
  return rowCount ?? 0;
}

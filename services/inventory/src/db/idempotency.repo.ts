import type { Queryable } from "@comptoir/platform";

/** Claims `key` for this transaction; false when another request already holds or held it. */
export async function claimKey(
  tx: Queryable,
  entry: { actorId: string; key: string; operation: string; requestHash: string },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO idempotency_keys (actor_id, key, operation, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (actor_id, key) DO NOTHING`,
    [entry.actorId, entry.key, entry.operation, entry.requestHash],
  );
  return rowCount === 1;
}

export async function findKey(
  tx: Queryable,
  actorId: string,
  key: string,
): Promise<{ operation: string; requestHash: string; response: unknown } | undefined> {
  const { rows } = await tx.query(
    `SELECT operation, request_hash AS "requestHash", response FROM idempotency_keys WHERE actor_id = $1 AND key = $2`,
    [actorId, key],
  );
  return rows[0];
}

export async function storeResponse(tx: Queryable, actorId: string, key: string, response: unknown): Promise<void> {
  await tx.query("UPDATE idempotency_keys SET response = $3 WHERE actor_id = $1 AND key = $2", [
    actorId,
    key,
    JSON.stringify(response),
  ]);
}

/** Forgets keys older than `hours` (a client retries within minutes; 24 h is what payment APIs keep). */
export async function pruneKeys(db: Queryable, hours: number): Promise<number> {
  const { rowCount } = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    [hours],
  );
  return rowCount ?? 0;
}

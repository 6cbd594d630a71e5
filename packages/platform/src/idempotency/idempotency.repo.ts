import type { Queryable } from "../db/pool";

/** Whose key it is (a user or a service), for what (a stable name: `payments.authorize`), and the key. */
export interface IdempotencyScope {
  actor: string;
  operation: string;
  key: string;
}

/** An answer as the client got it the first time: replayed as it is. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface KeyRow {
  fingerprint: string | null;
  answer: StoredAnswer | null;
}

/**
 * Inserts the key in the caller's transaction; `undefined` when the key is someone's already. A
 * transaction still holding the same key makes this wait (within the transaction's lock_timeout)
 * until it ends: then the key is ours (it rolled back, or its connection died) or taken.
 * Answers the transaction's time, which every row it writes is stamped with.
 */
export async function claimKey(tx: Queryable, scope: IdempotencyScope, fingerprint: string): Promise<Date | undefined> {
  const { rows } = await tx.query<{ now: Date }>(
    `INSERT INTO idempotency_keys (actor, operation, key, fingerprint) VALUES ($1, $2, $3, $4)
     ON CONFLICT (actor, operation, key) DO NOTHING
     RETURNING now() AS now`,
    [scope.actor, scope.operation, scope.key, fingerprint],
  );
  return rows[0]?.now;
}

/** The key as committed (a new statement: it sees what the transaction waited for committed). */
export async function findKey(tx: Queryable, scope: IdempotencyScope): Promise<KeyRow | undefined> {
  const { rows } = await tx.query<{ fingerprint: string | null; status_code: number | null; response: unknown }>(
    `SELECT fingerprint, status_code, response FROM idempotency_keys WHERE actor = $1 AND operation = $2 AND key = $3`,
    [scope.actor, scope.operation, scope.key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    fingerprint: row.fingerprint,
    answer: row.status_code === null ? null : { status: row.status_code, body: row.response },
  };
}

/** Stores the key's answer; answers the body as stored, so that the first answer reads like every replay. */
export async function storeAnswer(tx: Queryable, scope: IdempotencyScope, answer: StoredAnswer): Promise<StoredAnswer> {
  const { rows } = await tx.query<{ response: unknown }>(
    `UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE actor = $1 AND operation = $2 AND key = $3
     RETURNING response`,
    [scope.actor, scope.operation, scope.key, answer.status, JSON.stringify(answer.body)],
  );
  if (!rows[0])
    throw new Error(`idempotency key ${scope.operation} ${scope.key} vanished before its answer was stored`);
  return { status: answer.status, body: rows[0].response };
}

/** Sets the transaction's lock_timeout (`'0'`: none) and answers the one it had. */
export async function setLockTimeout(tx: Queryable, value: string): Promise<string> {
  const { rows } = await tx.query<{ previous: string }>(
    "SELECT current_setting('lock_timeout') AS previous, set_config('lock_timeout', $1, true) AS now",
    [value],
  );
  return rows[0]!.previous;
}

/** Forgets keys older than `hours`; answers how many. */
export async function pruneIdempotencyKeys(db: Queryable, hours: number): Promise<number> {
  const { rowCount } = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - $1::float8 * interval '1 hour'",
    [hours],
  );
  return rowCount ?? 0;
}

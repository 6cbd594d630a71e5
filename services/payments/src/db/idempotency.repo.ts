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

/** An answer and the key it is stored with, written by the statement that does the work. */
export interface KeyAnswer {
  key: KeyRef;
  answer: StoredAnswer;
}

/** What claiming a key found: the key is ours now, or another request's (known, or not seen). */
export type Claim =
  | {
      claimed: true;
      /** The transaction's time (now()): every row it writes is stamped with it. */
      now: Date;
    }
  | { claimed: false; found: { requestHash: string; answer: StoredAnswer | null } | undefined };

/**
 * Claims the key for this transaction, or reads it, in one statement. A concurrent transaction
 * holding the same key makes this wait until it ends; then the key is ours (it rolled back) or
 * another request's. `found` is read from the statement's snapshot, taken before the wait: a key
 * committed by the request this one waited for is not seen there (`undefined`), nor one pruned
 * meanwhile; claiming again, with a new snapshot, tells.
 */
export async function claimKey(tx: Queryable, ref: KeyRef, requestHash: string): Promise<Claim> {
  const { rows } = await tx.query<{
    claimed: boolean;
    now: Date | null;
    request_hash: string | null;
    status_code: number | null;
    response: unknown;
  }>(
    `WITH claimed AS (
       INSERT INTO idempotency_keys (endpoint, actor_id, key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (endpoint, actor_id, key) DO NOTHING
       RETURNING now() AS now
     )
     SELECT true AS claimed, now, NULL AS request_hash, NULL::integer AS status_code, NULL::jsonb AS response
       FROM claimed
     UNION ALL
     SELECT false, NULL, request_hash, status_code, response FROM idempotency_keys
      WHERE endpoint = $1 AND actor_id = $2 AND key = $3 AND NOT EXISTS (SELECT 1 FROM claimed)`,
    [ref.endpoint, ref.actorId, ref.key, requestHash],
  );
  const row = rows[0];
  if (row?.claimed) return { claimed: true, now: row.now! };
  if (!row) return { claimed: false, found: undefined };
  return {
    claimed: false,
    found: {
      requestHash: row.request_hash!,
      answer: row.status_code === null ? null : { status: row.status_code, body: row.response },
    },
  };
}

/**
 * The UPDATE that stores a claimed key's answer, for a data-modifying WITH query of the statement
 * that does the work: the answer is written with it, in the same round trip. Its parameters are
 * `answerParams`, numbered from `$first`.
 */
export const answerSql = (first: number) =>
  `UPDATE idempotency_keys SET status_code = $${first}, response = $${first + 1}
    WHERE endpoint = $${first + 2} AND actor_id = $${first + 3} AND key = $${first + 4}`;

export const answerParams = ({ key, answer }: KeyAnswer): unknown[] => [
  answer.status,
  JSON.stringify(answer.body),
  key.endpoint,
  key.actorId,
  key.key,
];

/** Forgets keys older than `hours`. */
export async function pruneKeys(db: Queryable, hours: number): Promise<number> {
  const { rowCount } = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    [hours],
  );
  return rowCount ?? 0;
}

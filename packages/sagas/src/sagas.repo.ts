import type { Queryable } from "@comptoir/platform/db";

export type SagaStatus = "running" | "compensating" | "completed" | "failed";

export interface SagaRow {
  id: string;
  kind: string;
  status: SagaStatus;
  input: unknown;
  step: number;
  outputs: Record<string, unknown>;
  uncertain: boolean;
  reason: string | null;
  /** Why it is compensating or failed, as the refusing step said it (null while all goes well). */
  failure: SagaFailure | null;
  attempts: number;
}

/** The step that made the saga turn back: its refusal's code and details, or `no_answer`. */
export interface SagaFailure {
  step: string;
  /** StepRefused's code (`refused` when it had none), or `no_answer` after the last attempt. */
  code: string;
  message: string;
  details: Record<string, unknown> | null;
}

export interface SagaHistoryEntry {
  step: string;
  action: "run" | "compensate";
  outcome: "done" | "failed" | "retry" | "skipped";
  detail: string | null;
  at: string;
}

const COLUMNS = "id, kind, status, input, step, outputs, uncertain, reason, failure, attempts";

/**
 * Records a new saga already held by `instance` (the one that starts it goes on to run it, without
 * a claim's round trip). It is not due before its lease ends: another instance's worker takes it
 * only if its starter died before running it.
 */
export async function insertSaga(
  tx: Queryable,
  saga: { id: string; kind: string; input: unknown },
  instance: string,
  leaseMs: number,
): Promise<SagaRow> {
  const input = JSON.stringify(saga.input);
  await tx.query({
    name: "saga_insert",
    text: `INSERT INTO sagas (id, kind, status, input, locked_by, locked_until, next_attempt_at)
     VALUES ($1, $2, 'running', $3, $4, now() + make_interval(secs => $5::float8 / 1000),
             now() + make_interval(secs => $5::float8 / 1000))`,
    values: [saga.id, saga.kind, input, instance, leaseMs],
  });
  // The row as a claim would read it back (the input as JSON gives it, not the caller's object).
  return {
    id: saga.id,
    kind: saga.kind,
    status: "running",
    input: JSON.parse(input),
    step: 0,
    outputs: {},
    uncertain: false,
    reason: null,
    failure: null,
    attempts: 0,
  };
}

/**
 * Takes the saga for `instance` for `leaseMs`, unless another instance holds an unexpired lease.
 * The same instance may take it again (a process restarted under the same INSTANCE_ID resumes at
 * once instead of waiting for its own dead lease to expire).
 */
export async function claimSaga(
  db: Queryable,
  id: string,
  instance: string,
  leaseMs: number,
  dueOnly = false,
): Promise<SagaRow | undefined> {
  const { rows } = await db.query<SagaRow>({
    name: "saga_claim",
    text: `UPDATE sagas SET locked_by = $2, locked_until = now() + make_interval(secs => $3::float8 / 1000)
      WHERE id = $1 AND status IN ('running', 'compensating')
        AND (locked_until IS NULL OR locked_until < now() OR locked_by = $2)
        AND (NOT $4 OR next_attempt_at <= now())
      RETURNING ${COLUMNS}`,
    values: [id, instance, leaseMs, dueOnly],
  });
  return rows[0];
}

/** Extends `instance`'s lease on a saga it still holds; false when another instance has taken it over. */
export async function renewLease(db: Queryable, id: string, instance: string, leaseMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sagas SET locked_until = now() + make_interval(secs => $3::float8 / 1000)
      WHERE id = $1 AND locked_by = $2 AND status IN ('running', 'compensating')`,
    [id, instance, leaseMs],
  );
  return rowCount === 1;
}

/**
 * Sagas waiting for work that no other live instance holds, oldest due first: those due, and those
 * `instance` holds (after a restart under the same name they are resumed at once; the runner skips
 * the ones it is working on).
 */
export async function dueSagas(db: Queryable, instance: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM sagas
      WHERE status IN ('running', 'compensating') AND (next_attempt_at <= now() OR locked_by = $1)
        AND (locked_until IS NULL OR locked_until < now() OR locked_by = $1)
      ORDER BY next_attempt_at LIMIT $2`,
    [instance, limit],
  );
  return rows.map((r) => r.id);
}

export interface SagaProgress {
  status: SagaStatus;
  step: number;
  outputs: Record<string, unknown>;
  uncertain: boolean;
  reason: string | null;
  failure: SagaFailure | null;
  attempts: number;
  /** Try again after this long (ms), releasing the lease; undefined keeps going (the lease is renewed). */
  retryAfterMs?: number;
}

/**
 * Saves the saga's progress if `instance` still holds it, and appends `entry` to its history, in one
 * statement (one round trip, atomic on its own); false when another instance has taken it over (this
 * one was too slow and its lease expired): the caller must stop.
 */
export async function saveProgress(
  db: Queryable,
  id: string,
  instance: string,
  leaseMs: number,
  p: SagaProgress,
  /** What happened, in order (a last step and the saga's completion are saved together). */
  entries: readonly Omit<SagaHistoryEntry, "at">[],
): Promise<boolean> {
  const finished = p.status === "completed" || p.status === "failed";
  const release = finished || p.retryAfterMs !== undefined;
  // Prepared once per connection (named): the hottest statement of a saga, planned once. While the
  // saga goes on, no indexed column changes (next_attempt_at is left as it is: the lease is what
  // keeps others off), so the update can be a HOT one: no index entries to write.
  const { rows } = await db.query({
    name: "saga_save",
    text: `WITH saved AS (
       UPDATE sagas SET status = $3, step = $4, outputs = $5, uncertain = $6, reason = $7, attempts = $8,
              next_attempt_at = CASE WHEN $10 THEN now() + make_interval(secs => $9::float8 / 1000)
                                     ELSE next_attempt_at END,
              locked_by = CASE WHEN $10 THEN NULL ELSE locked_by END,
              locked_until = CASE WHEN $10 THEN NULL ELSE now() + make_interval(secs => $11::float8 / 1000) END,
              failure = $12, updated_at = now()
        WHERE id = $1 AND locked_by = $2
        RETURNING id
     ), logged AS (
       INSERT INTO saga_history (saga_id, seq, step, action, outcome, detail)
       SELECT saved.id, coalesce((SELECT max(seq) FROM saga_history WHERE saga_id = saved.id), 0) + e.n,
              e.step, e.action, e.outcome, e.detail
         FROM saved, unnest($13::text[], $14::text[], $15::text[], $16::text[]) WITH ORDINALITY
              AS e(step, action, outcome, detail, n)
       RETURNING saga_id
     )
     SELECT count(DISTINCT saga_id)::int AS saved FROM logged`,
    values: [
      id,
      instance,
      p.status,
      p.step,
      JSON.stringify(p.outputs),
      p.uncertain,
      p.reason,
      p.attempts,
      p.retryAfterMs ?? 0,
      release,
      leaseMs,
      p.failure === null ? null : JSON.stringify(p.failure),
      entries.map((e) => e.step),
      entries.map((e) => e.action),
      entries.map((e) => e.outcome),
      entries.map((e) => e.detail),
    ],
  });
  return rows[0].saved === 1;
}

export async function findSaga(db: Queryable, id: string): Promise<SagaRow | undefined> {
  const { rows } = await db.query<SagaRow>({
    name: "saga_find",
    text: `SELECT ${COLUMNS} FROM sagas WHERE id = $1`,
    values: [id],
  });
  return rows[0];
}

export async function historyOf(db: Queryable, sagaId: string): Promise<SagaHistoryEntry[]> {
  const { rows } = await db.query<SagaHistoryEntry>(
    `SELECT step, action, outcome, detail, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM saga_history WHERE saga_id = $1 ORDER BY seq`,
    [sagaId],
  );
  return rows;
}

/** Sagas not finished, by kind and status, with the oldest one's age: what `/metrics` shows. */
export async function unfinishedSagas(
  db: Queryable,
): Promise<{ kind: string; status: SagaStatus; count: number; oldestSeconds: number }[]> {
  const { rows } = await db.query(
    `SELECT kind, status, count(*)::int AS count,
            extract(epoch FROM now() - min(created_at))::float8 AS "oldestSeconds"
       FROM sagas WHERE status IN ('running', 'compensating') GROUP BY kind, status`,
  );
  return rows;
}

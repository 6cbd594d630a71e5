import type { Db, Queryable, Tx } from "./pool";

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

// The callbacks of each open `withTx` transaction, run once it has committed.
const committed = new WeakMap<object, (() => void)[]>();

/**
 * Runs `fn` once the transaction `tx` (a `withTx` one) has committed, never if it rolls back: where a
 * fact is counted (a business metric) once per effect, not once per attempt. Outside a `withTx`
 * transaction (a pool's query commits at once) it runs now. `fn` must not throw (it is not awaited).
 */
export function afterCommit(tx: Queryable, fn: () => void): void {
  const pending = committed.get(tx);
  if (pending) pending.push(fn);
  else fn();
}

/**
 * Runs `fn` in one transaction: commit when it resolves, rollback when it throws (the error is
 * rethrown). Repositories receive the transaction's client so that all their statements share it.
 */
export async function withTx<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  options: { isolation?: IsolationLevel } = {},
): Promise<T> {
  const client = await db.connect();
  let broken = false;
  const callbacks: (() => void)[] = [];
  committed.set(client, callbacks);
  try {
    await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : "BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    committed.delete(client);
    for (const callback of callbacks) {
      try {
        callback();
      } catch {
        // A metric's bookkeeping must not turn a committed transaction into an error.
      }
    }
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true; // the connection is gone; do not return it to the pool
    }
    throw error;
  } finally {
    committed.delete(client);
    client.release(broken);
  }
}

/** PostgreSQL error codes the repositories translate into domain errors. */
export const PgCode = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  notNullViolation: "23502",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

export function pgConstraint(error: unknown): string | undefined {
  return (error as { constraint?: string } | null)?.constraint;
}

import Type from "typebox";
import type { Db, Tx } from "../db/pool";
import { pgErrorCode, withTx } from "../db/tx";
import { AppError, ConflictError } from "../errors/app-error";
import type { Logger } from "../logging/logger";
import { startPeriodic } from "../time/periodic";
import { fingerprint } from "./fingerprint";
import * as repo from "./idempotency.repo";
import type { IdempotencyScope, StoredAnswer } from "./idempotency.repo";

export type { IdempotencyScope, StoredAnswer } from "./idempotency.repo";
export { pruneIdempotencyKeys } from "./idempotency.repo";

/** The env of a service that uses the module (spread it into the service's config schema). */
export const IdempotencyEnv = {
  IDEMPOTENCY_RETENTION_HOURS: Type.Number({
    minimum: 0.01,
    maximum: 24 * 90,
    default: 24,
    description: "how long an Idempotency-Key and its first answer are kept, in hours (pruned every 10 minutes)",
  }),
};

/**
 * A refusal the operation answers rather than throws: what it wrote meanwhile commits (a declined
 * card's failed payment) and the refusal is stored with the key, replayed like a result. Thrown
 * errors roll everything back and leave the key free, so that the client can fix and retry.
 */
export class Refusal {
  constructor(readonly error: AppError) {}
}

export const refuse = (error: AppError): Refusal => new Refusal(error);

/** What an operation ended with, for the route to write down. */
export type Outcome<T = unknown> = { result: T } | { refusal: AppError };

/**
 * One call of an idempotent operation, as the route layer sees it (`idempotentRequest`): its scope
 * (none without a key: the operation simply runs) and how an outcome becomes the answer stored and
 * sent (a result with its success status; a refusal as its problem document).
 */
export interface IdempotentRequest {
  scope: IdempotencyScope | undefined;
  render: (outcome: Outcome) => StoredAnswer;
}

/** An answer, and whether it is a replay of the first. */
export interface Answer extends StoredAnswer {
  replayed: boolean;
}

/** Given to the operation: its transaction and the transaction's time (every row it writes is stamped with it). */
export interface OnceContext {
  tx: Tx;
  now: Date;
}

export class IdempotencyKeyReusedError extends AppError {
  constructor(detail = "This Idempotency-Key was already used for a different request.") {
    super("idempotency_key_reused", 422, "Unprocessable content", { detail });
  }
}

const inProgress = () =>
  new ConflictError(
    "idempotency_key_in_progress",
    "A request with this Idempotency-Key is still running; send it again shortly for its answer.",
    { headers: { "retry-after": "1" } },
  );

/** PostgreSQL's lock_not_available: lock_timeout expired. */
const LOCK_NOT_AVAILABLE = "55P03";

export interface OnceOptions {
  /** How long a duplicate waits for the first request with its key before a 409 (default 30 s). */
  waitMs?: number;
}

/**
 * Runs `run` once per scope (actor, operation, Idempotency-Key), in one transaction with the key:
 * the key is inserted first, the work is done, the answer is stored with the key and all of it
 * commits together, so a key never exists without its answer nor an effect without its key.
 * - The same key and request again get the stored answer (`replayed`), without running anything.
 * - A duplicate arriving while the first runs waits for it (on the key's row, at most `waitMs`,
 *   then 409 idempotency_key_in_progress with Retry-After) and gets its answer; if the first
 *   rolled back or its process died (PostgreSQL aborts its transaction), the duplicate runs.
 * - The same key with another request (another fingerprint of `request`) is a 422
 *   idempotency_key_reused.
 * - What `run` throws rolls back and leaves the key free; a `Refusal` it returns is stored.
 * `request` is what makes two calls "the same": the validated body and whatever else the operation
 * depends on (fingerprinted, never stored).
 */
export async function once<T>(
  db: Db,
  call: IdempotentRequest,
  request: unknown,
  run: (ctx: OnceContext) => Promise<T | Refusal>,
  options: OnceOptions = {},
): Promise<Answer> {
  const outcomeOf = (value: T | Refusal): Outcome =>
    value instanceof Refusal ? { refusal: value.error } : { result: value };
  const scope = call.scope;
  if (!scope) {
    const value = await withTx(db, async (tx) => run({ tx, now: await transactionTime(tx) }));
    return { ...call.render(outcomeOf(value)), replayed: false };
  }
  const requestFingerprint = fingerprint(request);
  const waitMs = Math.max(1, Math.round(options.waitMs ?? 30_000));
  // A key pruned between our insert and our read is claimed again; twice in a row is not expected.
  for (let attempt = 1; attempt <= 3; attempt++) {
    let answer: Answer | undefined;
    let waiting = false;
    try {
      answer = await withTx(db, async (tx) => {
        const previous = await repo.setLockTimeout(tx, `${waitMs}ms`);
        waiting = true;
        const now = await repo.claimKey(tx, scope, requestFingerprint);
        waiting = false;
        await repo.setLockTimeout(tx, previous);
        if (now) {
          const stored = await repo.storeAnswer(tx, scope, call.render(outcomeOf(await run({ tx, now }))));
          return { ...stored, replayed: false };
        }
        const found = await repo.findKey(tx, scope);
        if (!found) return undefined;
        if (found.fingerprint !== null && found.fingerprint !== requestFingerprint) {
          throw new IdempotencyKeyReusedError();
        }
        // Not reachable (a key commits with its answer); said rather than assumed.
        if (!found.answer) throw inProgress();
        return { ...found.answer, replayed: true };
      });
    } catch (error) {
      if (waiting && pgErrorCode(error) === LOCK_NOT_AVAILABLE) throw inProgress();
      throw error;
    }
    if (answer) return answer;
  }
  throw inProgress();
}

async function transactionTime(tx: Tx): Promise<Date> {
  const { rows } = await tx.query<{ now: Date }>("SELECT now() AS now");
  return rows[0]!.now;
}

/**
 * Forgets, every `intervalMs` (default 10 minutes), the keys older than `retentionHours` in this
 * service's database. Runs in this instance until the returned stop is called.
 */
export function startIdempotencyPruning(options: {
  db: Db;
  retentionHours: number;
  logger: Logger;
  intervalMs?: number;
}): () => Promise<void> {
  const { db, retentionHours, logger } = options;
  return startPeriodic(
    async () => {
      const pruned = await repo.pruneIdempotencyKeys(db, retentionHours);
      if (pruned > 0) logger.info({ pruned }, "old idempotency keys forgotten");
    },
    options.intervalMs ?? 10 * 60_000,
    { onError: (error) => logger.warn({ err: error }, "idempotency key pruning failed"), immediately: true },
  );
}

import { createHash } from "node:crypto";
import { AppError, ConflictError, type Queryable } from "@comptoir/platform";
import * as repo from "../db/idempotency.repo";

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_KEY_HOURS = 24;

/** An answer of an idempotent endpoint: its status and body, and whether it is a replay of the first. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  replayed: boolean;
}

export const hashOf = (request: unknown) => createHash("sha256").update(JSON.stringify(request)).digest("hex");

/** The key a request holds while `run` does its work: `run` writes its answer with it. */
export interface HeldKey {
  ref: repo.KeyRef;
  /**
   * The transaction's time (now()), which every row it writes is stamped with: an answer that shows
   * a new row's time is known before the row is written, and goes to the key in the same statement.
   */
  now: Date;
}

/**
 * Runs `run` once per (endpoint, caller, Idempotency-Key), inside the caller's transaction. `run`
 * stores its answer with the key (failures that are answers too: a declined card's 402) in the
 * statement that records its work (`repo.answerSql`), so that a key is never committed without its
 * answer. The same key again returns that answer without running anything, even while the first
 * request is still running (the key's row makes the second wait for the first's commit); the same
 * key with another request is a 422 `idempotency_key_reused`. When `run` throws, the transaction
 * rolls back and the key is free again.
 */
export async function once(
  tx: Queryable,
  ref: repo.KeyRef,
  request: unknown,
  run: (key: HeldKey) => Promise<repo.StoredAnswer>,
): Promise<Answer> {
  const requestHash = hashOf(request);
  for (let attempt = 1; ; attempt++) {
    const claim = await repo.claimKey(tx, ref, requestHash);
    if (claim.claimed) return { ...(await run({ ref, now: claim.now })), replayed: false };
    const found = claim.found;
    // Not seen: committed by the request this one waited for, after this statement's snapshot, or
    // pruned meanwhile. Once more: a new statement sees the first, or claims the key again.
    if (!found && attempt === 1) continue;
    if (found && found.requestHash !== requestHash) {
      throw new AppError("idempotency_key_reused", 422, "Unprocessable content", {
        detail: "This Idempotency-Key was already used for a different request.",
      });
    }
    if (!found?.answer) {
      // Not reachable: a key's row is committed with its answer. Said rather than assumed.
      throw new ConflictError("idempotency_key_in_progress", "A request with this Idempotency-Key is still running.");
    }
    return { ...found.answer, replayed: true };
  }
}

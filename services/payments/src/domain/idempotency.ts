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

/**
 * Runs `run` once per (endpoint, caller, Idempotency-Key), inside the caller's transaction, and
 * stores its answer with the key (failures that are answers too: a declined card's 402). The same
 * key again returns that answer without running anything, even while the first request is still
 * running (the key's row makes the second wait for the first's commit); the same key with another
 * request is a 422 `idempotency_key_reused`. When `run` throws, the transaction rolls back and the
 * key is free again.
 */
export async function once(
  tx: Queryable,
  ref: repo.KeyRef,
  request: unknown,
  run: () => Promise<{ status: number; body: unknown }>,
): Promise<Answer> {
  const requestHash = hashOf(request);
  for (let attempt = 1; ; attempt++) {
    if (await repo.claimKey(tx, ref, requestHash)) {
      const answer = await run();
      await repo.storeAnswer(tx, ref, answer);
      return { ...answer, replayed: false };
    }
    const found = await repo.findKey(tx, ref);
    // Pruned between the two statements: claim it again.
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

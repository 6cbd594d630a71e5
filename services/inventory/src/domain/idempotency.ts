import { createHash } from "node:crypto";
import { AppError, type Queryable } from "@comptoir/platform";
import * as repo from "../db/idempotency.repo";

/**
 * Runs `run` once per (actor, Idempotency-Key), inside the caller's transaction. The same key again
 * returns the first answer without running anything; the same key with another request is a 422
 * `idempotency_key_reused`. Without a key, `run` simply runs.
 */
export async function once<T>(
  tx: Queryable,
  request: { actorId: string; key: string | undefined; operation: string; body: unknown },
  run: () => Promise<T>,
): Promise<T> {
  if (!request.key) return run();
  const requestHash = createHash("sha256").update(JSON.stringify(request.body)).digest("hex");
  const entry = { actorId: request.actorId, key: request.key, operation: request.operation, requestHash };
  if (await repo.claimKey(tx, entry)) {
    const result = await run();
    await repo.storeResponse(tx, request.actorId, request.key, result);
    return result;
  }
  const found = await repo.findKey(tx, request.actorId, request.key);
  if (!found || found.operation !== request.operation || found.requestHash !== requestHash) {
    throw new AppError("idempotency_key_reused", 422, "Unprocessable content", {
      detail: "This Idempotency-Key was already used for a different request.",
    });
  }
  return found.response as T;
}

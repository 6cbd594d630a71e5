import type { Tx } from "@comptoir/platform/db";

/**
 * The batch an event is handled in (HandlerContext.batch): a handler may defer part of its writes to
 * the batch's end, folded with the other events' (one statement for a hundred events instead of a
 * hundred). Deferred work runs once, in the batch's transaction, after the last handler and before the
 * commit, so the inbox rows and the folded writes still commit or fail together. A handler that defers
 * must keep the model right whatever order the deferred work and the other handlers' writes land in
 * (its writes commute: additions, stamp-guarded upserts). One event handled on its own (a retry, a
 * dead letter replayed) gets a batch of one, flushed the same way.
 */
export class BatchScope {
  private readonly parts = new Map<string, { value: unknown; flush: (tx: Tx, value: unknown) => Promise<void> }>();

  /**
   * The batch's accumulator named `key`, made by `create` on first use; `flush` receives it once, at
   * the batch's end, in the order the accumulators were first asked for.
   */
  part<T>(key: string, create: () => T, flush: (tx: Tx, value: T) => Promise<void>): T {
    const existing = this.parts.get(key);
    if (existing) return existing.value as T;
    const value = create();
    this.parts.set(key, { value, flush: flush as (tx: Tx, value: unknown) => Promise<void> });
    return value;
  }

  /** Runs the deferred work (each accumulator once), in the batch's transaction. */
  async flush(tx: Tx): Promise<void> {
    for (const [key, part] of this.parts) {
      this.parts.delete(key);
      await part.flush(tx, part.value);
    }
  }
}

import { type EventEnvelope, partitionOf, streamOf } from "@comptoir/contracts";
import type { EventBus } from "@comptoir/events";
import type { Db, Queryable } from "@comptoir/platform";
import * as progress from "../db/progress.repo";

/** The streams reporting's sales model reads. */
export const SALES_STREAMS = ["catalog", "orders", "retail"] as const;

/** Notes, in the handler's transaction, that the event was applied (for the data's age). */
export function recordApplied(tx: Queryable, event: EventEnvelope): Promise<void> {
  return progress.recordProgress(tx, streamOf(event.type), partitionOf(event.subject), event.occurredAt);
}

/**
 * How old the reports' data may be, in whole seconds: 0 when no event waits for the group; else the
 * time since the newest event applied happened (an upper bound of the oldest waiting one's age); -1
 * when events wait and none was applied yet.
 */
export async function dataAgeSeconds(deps: { db: Db; bus: EventBus }, now = Date.now()): Promise<number> {
  const [lag, last] = await Promise.all([
    deps.bus.transport.lag("reporting", SALES_STREAMS),
    progress.lastEventAt(deps.db),
  ]);
  const waiting = Object.values(lag).reduce((a, b) => a + b, 0);
  if (waiting === 0) return 0;
  if (!last) return -1;
  return Math.max(0, Math.ceil((now - last.getTime()) / 1000));
}

/** Empties the progress before a replay. */
export function resetProgress(tx: Queryable): Promise<void> {
  return progress.clearProgress(tx);
}

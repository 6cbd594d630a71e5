import type { Queryable } from "@comptoir/platform";
import { SALES_MODEL_LOCK } from "./rollups.repo";

/**
 * Records that the read model holds the event, in the caller's transaction; false when it held it
 * already (then nothing must be applied). One statement: it first takes the sales model's write lock
 * (lockSalesModel's), so that every writer holds that lock before any row of this table — a live batch
 * and a rebuild's catch-up meeting on the same events then queue instead of deadlocking.
 */
export async function markApplied(db: Queryable, eventId: string): Promise<boolean> {
  const inserted = await db.query(
    `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended($2, 0)))
     INSERT INTO reporting_applied (event_id) SELECT $1::uuid FROM locked ON CONFLICT DO NOTHING`,
    [eventId, SALES_MODEL_LOCK],
  );
  return inserted.rowCount === 1;
}

/** Forgets every event before a replay from the start applies them all again. */
export async function clearApplied(db: Queryable): Promise<void> {
  await db.query("TRUNCATE reporting_applied");
}

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

/** markApplied for many events in one statement: the ids of those the read model did not hold yet. */
export async function markAppliedMany(db: Queryable, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const { rows } = await db.query<{ event_id: string }>(
    `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended($2, 0)))
     INSERT INTO reporting_applied (event_id) SELECT e.id FROM locked, unnest($1::uuid[]) WITH ORDINALITY AS e(id, n)
      ORDER BY e.n
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [eventIds, SALES_MODEL_LOCK],
  );
  return new Set(rows.map((r) => r.event_id));
}

/** Forgets every event before a replay from the start applies them all again. */
export async function clearApplied(db: Queryable): Promise<void> {
  await db.query("TRUNCATE reporting_applied");
}

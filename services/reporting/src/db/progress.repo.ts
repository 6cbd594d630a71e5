import type { Queryable } from "@comptoir/platform";

/** Records that an event of `stream`'s `partition` that happened at `at` was applied (the newest wins). */
export async function recordProgress(db: Queryable, stream: string, partition: number, at: string): Promise<void> {
  await db.query(
    `INSERT INTO reporting_progress (stream, partition, last_event_at) VALUES ($1, $2, $3)
     ON CONFLICT (stream, partition) DO UPDATE
       SET last_event_at = greatest(reporting_progress.last_event_at, EXCLUDED.last_event_at)`,
    [stream, partition, at],
  );
}

/** When the newest event applied happened; null when none was. */
export async function lastEventAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>("SELECT max(last_event_at) AS at FROM reporting_progress");
  return rows[0]?.at ?? null;
}

export async function clearProgress(db: Queryable): Promise<void> {
  await db.query("TRUNCATE reporting_progress");
}

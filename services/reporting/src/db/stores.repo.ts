import type { Queryable } from "@comptoir/platform";
import type { Stamp } from "./catalog.repo";

export interface ReportingStore {
  id: string;
  code: string;
  name: string;
  timezone: string;
}

/** The store as a retail event describes it; the newest event's description wins. */
export async function upsertStore(db: Queryable, s: ReportingStore, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO reporting_stores (id, code, name, timezone, changed_at, event_id) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, timezone = EXCLUDED.timezone,
       changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id
     WHERE (reporting_stores.changed_at, reporting_stores.event_id) < (EXCLUDED.changed_at, EXCLUDED.event_id)`,
    [s.id, s.code, s.name, s.timezone, stamp.at, stamp.eventId],
  );
}

export async function findStore(db: Queryable, id: string): Promise<ReportingStore | undefined> {
  const { rows } = await db.query<ReportingStore>(
    "SELECT id, code, name, timezone FROM reporting_stores WHERE id = $1",
    [id],
  );
  return rows[0];
}

/** Every known store's name, by id (labels of a report by store). */
export async function storeNames(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; name: string }>("SELECT id, name FROM reporting_stores");
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function clearStores(db: Queryable): Promise<void> {
  await db.query("TRUNCATE reporting_stores");
}

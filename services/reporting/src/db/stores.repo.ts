import type { retailHttp } from "@comptoir/contracts/http";
import type { Queryable } from "@comptoir/platform";
import type { WeeklyHours } from "../model/opening-hours";
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

/**
 * The store's weekly opening hours as a store event (retail.store.created|updated) tells them, under
 * their own stamp: an event older than the hours' (instant, then id) changes nothing. The store's row
 * must exist (upsertStore first).
 */
export async function setStoreHours(db: Queryable, id: string, hours: WeeklyHours, stamp: Stamp): Promise<void> {
  await db.query(
    `UPDATE reporting_stores SET opening_hours = $2, hours_changed_at = $3, hours_event_id = $4
     WHERE id = $1 AND (hours_changed_at IS NULL OR (hours_changed_at, hours_event_id) < ($3, $4))`,
    [id, JSON.stringify(hours), stamp.at, stamp.eventId],
  );
}

export interface StoreWithHours extends ReportingStore {
  /** As the newest store event carried them; null until a store event arrives. */
  openingHours: retailHttp.OpeningHours | null;
  /** When the store event the hours come from happened. */
  hoursAsOf: Date | null;
}

export async function findStore(db: Queryable, id: string): Promise<StoreWithHours | undefined> {
  const { rows } = await db.query<StoreWithHours>(
    `SELECT id, code, name, timezone, opening_hours AS "openingHours", hours_changed_at AS "hoursAsOf"
     FROM reporting_stores WHERE id = $1`,
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

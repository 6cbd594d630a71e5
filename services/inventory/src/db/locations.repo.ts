import type { Queryable } from "@comptoir/platform";
import type { Location, LocationKind } from "../model/location";

export interface LocationRow {
  id: string;
  code: string;
  name: string;
  kind: LocationKind;
  store_id: string | null;
  /** A string when the row was read as JSON (a query that gathers several tables in one round trip). */
  created_at: Date | string;
}

export const toLocation = (row: LocationRow): Location => ({
  id: row.id,
  code: row.code,
  name: row.name,
  kind: row.kind,
  storeId: row.store_id,
  createdAt: new Date(row.created_at).toISOString(),
});

export async function listLocations(db: Queryable): Promise<Location[]> {
  const { rows } = await db.query<LocationRow>("SELECT * FROM locations ORDER BY code");
  return rows.map(toLocation);
}

export async function findLocation(db: Queryable, id: string): Promise<Location | undefined> {
  const { rows } = await db.query<LocationRow>("SELECT * FROM locations WHERE id = $1", [id]);
  return rows[0] && toLocation(rows[0]);
}

export async function findLocationOfStore(db: Queryable, storeId: string): Promise<Location | undefined> {
  const { rows } = await db.query<LocationRow>("SELECT * FROM locations WHERE store_id = $1", [storeId]);
  return rows[0] && toLocation(rows[0]);
}

export async function findLocationByCode(db: Queryable, code: string): Promise<Location | undefined> {
  const { rows } = await db.query<LocationRow>("SELECT * FROM locations WHERE code = $1", [code]);
  return rows[0] && toLocation(rows[0]);
}

/**
 * Inserts a location (undefined with `ignoreExisting` when its id, code or store is taken: a
 * concurrent insert of the same is waited for, so that what is taken is then committed and readable).
 */
export async function insertLocation(
  db: Queryable,
  location: Omit<Location, "createdAt">,
  options: { ignoreExisting?: boolean } = {},
): Promise<Location | undefined> {
  const { rows } = await db.query<LocationRow>(
    `INSERT INTO locations (id, code, name, kind, store_id) VALUES ($1, $2, $3, $4, $5)
     ${options.ignoreExisting ? "ON CONFLICT DO NOTHING" : ""} RETURNING *`,
    [location.id, location.code, location.name, location.kind, location.storeId],
  );
  return rows[0] && toLocation(rows[0]);
}

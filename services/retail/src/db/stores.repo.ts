import { type Queryable, selectPage } from "@comptoir/platform";
import type { Register, Store } from "../model/store";

export const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const STORE_COLUMNS = `id, code, name, address, phone, email, manager_id AS "managerId",
  opening_hours AS "openingHours", timezone, location_id AS "locationId",
  ${ts("created_at")} AS "createdAt", ${ts("updated_at")} AS "updatedAt"`;

const REGISTER_COLUMNS = `id, store_id AS "storeId", code, name, ${ts("created_at")} AS "createdAt"`;

export async function findStore(db: Queryable, id: string): Promise<Store | undefined> {
  const { rows } = await db.query<Store>({
    name: "store_find",
    text: `SELECT ${STORE_COLUMNS} FROM stores WHERE id = $1`,
    values: [id],
  });
  return rows[0];
}

export async function findStoreByCode(db: Queryable, code: string): Promise<Store | undefined> {
  const { rows } = await db.query<Store>(`SELECT ${STORE_COLUMNS} FROM stores WHERE code = $1`, [code]);
  return rows[0];
}

/** Every store, by code (a retailer has tens or hundreds of them: the public directory lists them all). */
export async function allStores(db: Queryable): Promise<Store[]> {
  const { rows } = await db.query<Store>({
    name: "store_all",
    text: `SELECT ${STORE_COLUMNS} FROM stores ORDER BY code`,
  });
  return rows;
}

export type NewStore = Omit<Store, "createdAt" | "updatedAt">;

/** Inserts the store; undefined when its id exists already (`ignoreExisting`: the demo seed). */
export async function insertStore(
  db: Queryable,
  s: NewStore,
  options: { ignoreExisting?: boolean } = {},
): Promise<Store | undefined> {
  const { rows } = await db.query<Store>(
    `INSERT INTO stores (id, code, name, address, phone, email, manager_id, opening_hours, timezone, location_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ${options.ignoreExisting ? "ON CONFLICT DO NOTHING" : ""}
     RETURNING ${STORE_COLUMNS}`,
    [
      s.id,
      s.code,
      s.name,
      JSON.stringify(s.address),
      s.phone,
      s.email,
      s.managerId,
      JSON.stringify(s.openingHours),
      s.timezone,
      s.locationId,
    ],
  );
  return rows[0];
}

export type StoreChanges = Partial<
  Pick<Store, "name" | "address" | "phone" | "email" | "managerId" | "openingHours" | "timezone">
>;

export async function updateStore(db: Queryable, id: string, changes: StoreChanges): Promise<Store | undefined> {
  const columns: Record<keyof StoreChanges, string> = {
    name: "name",
    address: "address",
    phone: "phone",
    email: "email",
    managerId: "manager_id",
    openingHours: "opening_hours",
    timezone: "timezone",
  };
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, column] of Object.entries(columns) as [keyof StoreChanges, string][]) {
    if (!(key in changes)) continue;
    const value = changes[key];
    values.push(typeof value === "object" && value !== null ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
  }
  const { rows } = await db.query<Store>(
    `UPDATE stores SET ${[...sets, "updated_at = now()"].join(", ")} WHERE id = $1 RETURNING ${STORE_COLUMNS}`,
    values,
  );
  return rows[0];
}

/** Stores by code; `storeId` restricts to one store (staff see their own). */
export async function listStores(
  db: Queryable,
  filter: { storeId?: string | null; q?: string },
  window: { limit: number; offset: number },
): Promise<{ rows: Store[]; total: number }> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.storeId !== undefined) {
    values.push(filter.storeId);
    where.push(`id = $${values.length}`);
  }
  if (filter.q) {
    values.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(code ILIKE $${values.length} OR name ILIKE $${values.length})`);
  }
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  return selectPage<Store>(
    db,
    {
      text: `SELECT ${STORE_COLUMNS}, count(*) OVER ()::int AS total FROM stores ${clause}
              ORDER BY code LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      values: [...values, window.limit, window.offset],
    },
    { text: `SELECT count(*)::int AS total FROM stores ${clause}`, values },
    window.offset,
  );
}

export async function findRegister(db: Queryable, id: string): Promise<Register | undefined> {
  const { rows } = await db.query<Register>({
    name: "register_find",
    text: `SELECT ${REGISTER_COLUMNS} FROM registers WHERE id = $1`,
    values: [id],
  });
  return rows[0];
}

/** Inserts the register; undefined when its id exists already (`ignoreExisting`: the demo seed). */
export async function insertRegister(
  db: Queryable,
  r: Omit<Register, "createdAt">,
  options: { ignoreExisting?: boolean } = {},
): Promise<Register | undefined> {
  const { rows } = await db.query<Register>(
    `INSERT INTO registers (id, store_id, code, name) VALUES ($1, $2, $3, $4)
     ${options.ignoreExisting ? "ON CONFLICT DO NOTHING" : ""}
     RETURNING ${REGISTER_COLUMNS}`,
    [r.id, r.storeId, r.code, r.name],
  );
  return rows[0];
}

export async function listRegisters(
  db: Queryable,
  storeId: string,
  window: { limit: number; offset: number },
): Promise<{ rows: Register[]; total: number }> {
  return selectPage<Register>(
    db,
    {
      text: `SELECT ${REGISTER_COLUMNS}, count(*) OVER ()::int AS total FROM registers WHERE store_id = $1
              ORDER BY code LIMIT $2 OFFSET $3`,
      values: [storeId, window.limit, window.offset],
    },
    { text: "SELECT count(*)::int AS total FROM registers WHERE store_id = $1", values: [storeId] },
    window.offset,
  );
}

import type { Queryable } from "@comptoir/platform";
import type { Address, AddressFields } from "../model/address";

interface AddressRow {
  id: string;
  user_id: string;
  label: string | null;
  name: string;
  line1: string;
  line2: string | null;
  postal_code: string;
  city: string;
  country: string;
  phone: string | null;
  default_shipping: boolean;
  default_billing: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  "id, user_id, label, name, line1, line2, postal_code, city, country, phone, default_shipping, default_billing, created_at, updated_at";

function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    label: row.label,
    name: row.name,
    line1: row.line1,
    line2: row.line2,
    postalCode: row.postal_code,
    city: row.city,
    country: row.country,
    phone: row.phone,
    defaultShipping: row.default_shipping,
    defaultBilling: row.default_billing,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listAddresses(db: Queryable, userId: string): Promise<Address[]> {
  const { rows } = await db.query<AddressRow>(
    `SELECT ${COLUMNS} FROM addresses WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(toAddress);
}

export async function countAddresses(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM addresses WHERE user_id = $1", [
    userId,
  ]);
  return rows[0]!.n;
}

/** The user's address with this id; another user's address is not found. */
export async function findAddress(db: Queryable, userId: string, id: string): Promise<Address | undefined> {
  const { rows } = await db.query<AddressRow>(`SELECT ${COLUMNS} FROM addresses WHERE id = $1 AND user_id = $2`, [
    id,
    userId,
  ]);
  return rows[0] && toAddress(rows[0]);
}

const FIELD_COLUMNS: Record<keyof AddressFields, string> = {
  label: "label",
  name: "name",
  line1: "line1",
  line2: "line2",
  postalCode: "postal_code",
  city: "city",
  country: "country",
  phone: "phone",
  defaultShipping: "default_shipping",
  defaultBilling: "default_billing",
};

export async function insertAddress(db: Queryable, id: string, userId: string, a: AddressFields): Promise<Address> {
  const keys = Object.keys(FIELD_COLUMNS) as (keyof AddressFields)[];
  const { rows } = await db.query<AddressRow>(
    `INSERT INTO addresses (id, user_id, ${keys.map((k) => FIELD_COLUMNS[k]).join(", ")})
     VALUES ($1, $2, ${keys.map((_, i) => `$${i + 3}`).join(", ")}) RETURNING ${COLUMNS}`,
    [id, userId, ...keys.map((k) => a[k])],
  );
  return toAddress(rows[0]!);
}

export async function updateAddress(
  db: Queryable,
  userId: string,
  id: string,
  changes: Partial<AddressFields>,
): Promise<Address> {
  const keys = (Object.keys(changes) as (keyof AddressFields)[]).filter((k) => changes[k] !== undefined);
  const sets = keys.map((k, i) => `${FIELD_COLUMNS[k]} = $${i + 3}`);
  const { rows } = await db.query<AddressRow>(
    `UPDATE addresses SET ${[...sets, "updated_at = now()"].join(", ")}
      WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
    [id, userId, ...keys.map((k) => changes[k])],
  );
  return toAddress(rows[0]!);
}

/** Unsets the user's current default of this kind (except on `exceptId`). */
export async function clearDefault(
  db: Queryable,
  userId: string,
  kind: "shipping" | "billing",
  exceptId: string | null,
): Promise<void> {
  const column = kind === "shipping" ? "default_shipping" : "default_billing";
  await db.query(
    `UPDATE addresses SET ${column} = false, updated_at = now()
      WHERE user_id = $1 AND ${column} AND ($2::uuid IS NULL OR id <> $2::uuid)`,
    [userId, exceptId],
  );
}

export async function deleteAddress(db: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM addresses WHERE id = $1 AND user_id = $2", [id, userId]);
  return (rowCount ?? 0) > 0;
}

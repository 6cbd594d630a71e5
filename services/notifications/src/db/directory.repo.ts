import type { Queryable } from "@comptoir/platform";
import type { DirectoryUser, DirectoryVariant } from "../model/directory";

const USER_COLUMNS = `id, email, name, role, store_id AS "storeId", language, active`;

/** The user's state as of `at` (each identity event carries the whole state). */
export async function upsertUser(tx: Queryable, user: DirectoryUser, at: string): Promise<void> {
  await tx.query(
    `INSERT INTO directory_users (id, email, name, role, store_id, language, active, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET email = $2, name = $3, role = $4, store_id = $5, language = $6, active = $7,
                                    updated_at = $8
      WHERE directory_users.updated_at <= $8`,
    [user.id, user.email, user.name, user.role, user.storeId, user.language, user.active, at],
  );
}

export async function findUsers(db: Queryable, ids: readonly string[]): Promise<DirectoryUser[]> {
  const { rows } = await db.query<DirectoryUser>(`SELECT ${USER_COLUMNS} FROM directory_users WHERE id = ANY($1)`, [
    ids,
  ]);
  return rows;
}

/** Active users of a role, in a store (or any store when `storeId` is undefined), by name. */
export async function activeStaff(
  db: Queryable,
  role: DirectoryUser["role"],
  storeId?: string,
): Promise<DirectoryUser[]> {
  const { rows } = await db.query<DirectoryUser>(
    `SELECT ${USER_COLUMNS} FROM directory_users
      WHERE active AND role = $1 AND ($2::uuid IS NULL OR store_id = $2)
      ORDER BY name, id`,
    [role, storeId ?? null],
  );
  return rows;
}

export async function upsertVariants(tx: Queryable, variants: readonly DirectoryVariant[]): Promise<void> {
  if (variants.length === 0) return;
  await tx.query(
    `INSERT INTO directory_variants (id, sku, product_name, options)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, product_name = excluded.product_name, options = excluded.options`,
    [
      variants.map((v) => v.id),
      variants.map((v) => v.sku),
      variants.map((v) => v.productName),
      variants.map((v) => v.options),
    ],
  );
}

export async function findVariants(db: Queryable, ids: readonly string[]): Promise<DirectoryVariant[]> {
  const { rows } = await db.query<DirectoryVariant>(
    `SELECT id, sku, product_name AS "productName", options FROM directory_variants WHERE id = ANY($1)`,
    [ids],
  );
  return rows;
}

/** Empties the read models before a replay of the directory group rebuilds them. */
export async function clearDirectory(tx: Queryable): Promise<void> {
  await tx.query("TRUNCATE directory_users, directory_variants");
}

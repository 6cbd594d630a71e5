import type { Queryable } from "@comptoir/platform";

/** Holds a transaction-scoped advisory lock named `name` until the transaction ends. */
export async function lockNamed(db: Queryable, name: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [name]);
}

export async function markerExists(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query("SELECT 1 FROM seed_markers WHERE name = $1", [name]);
  return (rowCount ?? 0) > 0;
}

export async function insertMarker(db: Queryable, name: string): Promise<void> {
  await db.query("INSERT INTO seed_markers (name) VALUES ($1)", [name]);
}

export async function categoryIdBySlug(db: Queryable, slug: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM categories WHERE slug = $1", [slug]);
  return rows[0]?.id;
}

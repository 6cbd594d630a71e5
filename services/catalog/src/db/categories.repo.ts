import type { Queryable } from "@comptoir/platform";
import type { Category } from "../model/category";

interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  description: string | null;
  position: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, parent_id, name, slug, description, position, created_at, updated_at";

function toCategory(row: CategoryRow): Category {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    position: row.position,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listCategories(db: Queryable): Promise<Category[]> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories ORDER BY position, name`);
  return rows.map(toCategory);
}

export async function findCategory(db: Queryable, id: string): Promise<Category | undefined> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories WHERE id = $1`, [id]);
  return rows[0] && toCategory(rows[0]);
}

/** Locks the row until the transaction ends, so concurrent changes to it queue up. */
export async function findCategoryForUpdate(db: Queryable, id: string): Promise<Category | undefined> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toCategory(rows[0]);
}

export async function listChildren(db: Queryable, parentId: string): Promise<Category[]> {
  const { rows } = await db.query<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories WHERE parent_id = $1 ORDER BY position, name`,
    [parentId],
  );
  return rows.map(toCategory);
}

/** The ancestors of a category, nearest first (parent, grand-parent, … root). */
export async function listAncestors(db: Queryable, id: string): Promise<Category[]> {
  const { rows } = await db.query<CategoryRow & { depth: number }>(
    `WITH RECURSIVE up AS (
       SELECT c.*, 0 AS depth FROM categories c WHERE c.id = (SELECT parent_id FROM categories WHERE id = $1)
       UNION ALL
       SELECT c.*, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
     )
     SELECT ${COLUMNS}, depth FROM up ORDER BY depth`,
    [id],
  );
  return rows.map(toCategory);
}

export async function slugsTaken(db: Queryable, slugs: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ slug: string }>("SELECT slug FROM categories WHERE slug = ANY($1)", [slugs]);
  return new Set(rows.map((r) => r.slug));
}

export type NewCategoryRow = Omit<Category, "createdAt" | "updatedAt">;

export async function insertCategory(db: Queryable, c: NewCategoryRow): Promise<Category> {
  const { rows } = await db.query<CategoryRow>(
    `INSERT INTO categories (id, parent_id, name, slug, description, position)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [c.id, c.parentId, c.name, c.slug, c.description, c.position],
  );
  return toCategory(rows[0]!);
}

export type CategoryChanges = Partial<Pick<Category, "parentId" | "name" | "slug" | "description" | "position">>;

const CHANGE_COLUMNS: Record<keyof CategoryChanges, string> = {
  parentId: "parent_id",
  name: "name",
  slug: "slug",
  description: "description",
  position: "position",
};

export async function updateCategory(db: Queryable, id: string, changes: CategoryChanges): Promise<Category> {
  const keys = Object.keys(changes) as (keyof CategoryChanges)[];
  const sets = keys.map((k, i) => `${CHANGE_COLUMNS[k]} = $${i + 2}`);
  const { rows } = await db.query<CategoryRow>(
    `UPDATE categories SET ${[...sets, "updated_at = now()"].join(", ")} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ...keys.map((k) => changes[k])],
  );
  return toCategory(rows[0]!);
}

export async function deleteCategory(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM categories WHERE id = $1", [id]);
  return (rowCount ?? 0) > 0;
}

/** Serialises moves inside the tree so that two concurrent moves cannot build a cycle together. */
export async function lockTreeShape(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('catalog.categories.tree'))");
}

import type { Queryable } from "@comptoir/platform";
import type { SearchCategory } from "../model/category";

interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  description: string | null;
  position: number;
  updated_at: Date;
}

function toCategory(row: CategoryRow): SearchCategory {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    position: row.position,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Flat, grouped by parent (roots first), then by position and name among siblings. */
export async function listCategories(db: Queryable): Promise<SearchCategory[]> {
  const { rows } = await db.query<CategoryRow>(
    `SELECT id, parent_id, name, slug, description, position, updated_at FROM search_categories
      ORDER BY parent_id NULLS FIRST, position, name, id`,
  );
  return rows.map(toCategory);
}

export async function upsertCategory(db: Queryable, c: SearchCategory): Promise<void> {
  await db.query(
    `INSERT INTO search_categories (id, parent_id, name, slug, description, position, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, slug = EXCLUDED.slug,
       description = EXCLUDED.description, position = EXCLUDED.position, updated_at = EXCLUDED.updated_at
     WHERE search_categories.updated_at <= EXCLUDED.updated_at`,
    [c.id, c.parentId, c.name, c.slug, c.description, c.position, c.updatedAt],
  );
}

export async function deleteCategory(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM search_categories WHERE id = $1", [id]);
}

/** Empties the read model before a replay rebuilds it. */
export async function clearCategories(db: Queryable): Promise<void> {
  await db.query("TRUNCATE search_categories");
}

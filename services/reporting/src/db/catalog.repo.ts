import type { Queryable } from "@comptoir/platform";

/**
 * Catalog's categories and products as reporting keeps them. Each write is stamped with its event's
 * instant and id and applies only if newer than the row's stamp, compared as a pair: two events of
 * the same instant are ordered by id, so every instance and every replay keeps the same one.
 */
export interface Stamp {
  at: string;
  eventId: string;
}

export async function upsertCategory(db: Queryable, c: { id: string; name: string }, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO reporting_categories (id, name, deleted, changed_at, event_id) VALUES ($1, $2, false, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, deleted = false, changed_at = EXCLUDED.changed_at,
       event_id = EXCLUDED.event_id
     WHERE (reporting_categories.changed_at, reporting_categories.event_id) < (EXCLUDED.changed_at, EXCLUDED.event_id)`,
    [c.id, c.name, stamp.at, stamp.eventId],
  );
}

/** Leaves a tombstone (its name kept for history) that an older `created|updated` does not undo. */
export async function deleteCategory(db: Queryable, id: string, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO reporting_categories (id, name, deleted, changed_at, event_id) VALUES ($1, '', true, $2, $3)
     ON CONFLICT (id) DO UPDATE SET deleted = true, changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id
     WHERE (reporting_categories.changed_at, reporting_categories.event_id) < (EXCLUDED.changed_at, EXCLUDED.event_id)`,
    [id, stamp.at, stamp.eventId],
  );
}

export async function upsertProduct(
  db: Queryable,
  p: { id: string; name: string; categoryId: string },
  stamp: Stamp,
): Promise<void> {
  await db.query(
    `INSERT INTO reporting_products (id, name, category_id, changed_at, event_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category_id = EXCLUDED.category_id,
       changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id
     WHERE (reporting_products.changed_at, coalesce(reporting_products.event_id, '00000000-0000-0000-0000-000000000000'))
         < (EXCLUDED.changed_at, EXCLUDED.event_id)`,
    [p.id, p.name, p.categoryId, stamp.at, stamp.eventId],
  );
}

/** Products seen on sale lines: kept with the line's name until catalog describes them (never overwrites). */
export async function rememberProducts(db: Queryable, products: readonly { productId: string; name: string }[]) {
  if (products.length === 0) return;
  const sorted = [...products].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  await db.query(
    `INSERT INTO reporting_products (id, name, category_id, changed_at, event_id)
     SELECT id, name, NULL, '-infinity', NULL FROM unnest($1::uuid[], $2::text[]) AS p(id, name)
     ON CONFLICT (id) DO NOTHING`,
    [sorted.map((p) => p.productId), sorted.map((p) => p.name)],
  );
}

export async function clearCatalog(db: Queryable): Promise<void> {
  await db.query("TRUNCATE reporting_categories, reporting_products");
}

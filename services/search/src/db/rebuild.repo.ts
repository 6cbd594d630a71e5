import type { Queryable } from "@comptoir/platform";

/*
 * What a rebuild of search's read model needs to know of its tables; the copies and the swap are the
 * event backbone's (`ReadModelRebuilder`, packages/events/src/rebuild.repo.ts).
 */

/** The read model's tables: every table of `public` named `search_*`. */
export async function readModelTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'search\\_%' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

/**
 * When the read model last changed from each stream: the latest event instant it holds (catalog: the
 * categories, products and variants; inventory: the stock levels). Null when it holds none.
 */
export async function lastAppliedAt(db: Queryable): Promise<{ catalog: string | null; inventory: string | null }> {
  const { rows } = await db.query<{ catalog: Date | null; inventory: Date | null }>(
    `SELECT greatest((SELECT max(updated_at) FROM search_categories), (SELECT max(changed_at) FROM search_products),
                     (SELECT max(changed_at) FROM search_variants)) AS catalog,
            (SELECT max(changed_at) FROM search_stock) AS inventory`,
  );
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return { catalog: iso(rows[0]!.catalog), inventory: iso(rows[0]!.inventory) };
}

import type { Db, Queryable } from "@comptoir/platform";

/*
 * The rebuild's tables. A rebuild fills copies of the read model's tables in schema `search_rebuild`
 * (same columns, defaults, generated columns and constraints as `public`'s), applying events with
 * `search_path = search_rebuild, public` so the read model's own repositories write there unchanged;
 * the secondary indexes are built once it is full; then one transaction moves the live tables out and
 * the copies in (`ALTER TABLE … SET SCHEMA`, catalog-only and instant). A search running meanwhile
 * either finishes on the old tables or waits a moment for the new ones: never an empty answer.
 */

export const SHADOW = "search_rebuild";
const PREVIOUS = "search_previous";

/** The read model's tables: every table of `public` named `search_*`. */
export async function readModelTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'search\\_%' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

/** Drops what an earlier rebuild left, then creates empty copies with their keys but no other index. */
export async function createShadowTables(db: Queryable, tables: readonly string[]): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${SHADOW} CASCADE`);
  await db.query(`DROP SCHEMA IF EXISTS ${PREVIOUS} CASCADE`);
  await db.query(`CREATE SCHEMA ${SHADOW}`);
  for (const table of tables) {
    await db.query(
      `CREATE TABLE ${SHADOW}.${table} (LIKE public.${table} INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS)`,
    );
    // Primary keys and unique constraints under their own names (upserts need them while loading).
    const { rows } = await db.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = ('public.' || $1)::regclass AND contype IN ('p', 'u', 'c') ORDER BY conname`,
      [table],
    );
    for (const c of rows) await db.query(`ALTER TABLE ${SHADOW}.${table} ADD CONSTRAINT ${c.name} ${c.def}`);
  }
}

/** Builds the live tables' other indexes on the copies, under the same names. */
export async function indexShadowTables(db: Queryable, tables: readonly string[]): Promise<void> {
  const { rows } = await db.query<{ def: string; table: string }>(
    `SELECT i.indexdef AS def, i.tablename AS table FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
    [tables],
  );
  for (const { def, table } of rows) {
    const onShadow = def.replace(` ON public.${table} `, ` ON ${SHADOW}.${table} `);
    if (onShadow === def) throw new Error(`cannot place index on the rebuild's copy: ${def}`);
    await db.query(onShadow);
  }
  for (const table of tables) await db.query(`ANALYZE ${SHADOW}.${table}`);
}

/** Runs `fn` in a transaction whose unqualified table names are the copies'. */
export async function inShadow<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    await client.query(`SET LOCAL search_path = ${SHADOW}, public`);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * In one transaction: the live tables out, the copies in; then the old ones dropped. The transaction
 * first locks every live table at once, giving up after a short wait (well under deadlock_timeout) and
 * trying again: a search holding one table and waiting for another then finishes first, instead of
 * one of the two being aborted as a deadlock. Searches arriving meanwhile wait for the swap.
 */
export async function swapShadowTables(db: Db, tables: readonly string[]): Promise<void> {
  await politely(db, async (tx) => {
    await tx.query(`LOCK TABLE ${tables.map((t) => `public.${t}`).join(", ")} IN ACCESS EXCLUSIVE MODE`);
    await tx.query(`CREATE SCHEMA ${PREVIOUS}`);
    for (const table of tables) await tx.query(`ALTER TABLE public.${table} SET SCHEMA ${PREVIOUS}`);
    for (const table of tables) await tx.query(`ALTER TABLE ${SHADOW}.${table} SET SCHEMA public`);
  });
  // Each instance's index sees the products table's identity change and reloads from it.
  // Searches that began on the old tables finish on them first (same care: they may hold one and want another).
  await politely(db, async (tx) => {
    await tx.query(`DROP SCHEMA ${PREVIOUS} CASCADE`);
    await tx.query(`DROP SCHEMA IF EXISTS ${SHADOW} CASCADE`);
  });
}

/** Runs `fn` in a transaction whose lock waits give up after 100 ms, again until it gets through. */
async function politely(db: Db, fn: (tx: Queryable) => Promise<void>, attempts = 300): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL lock_timeout = '100ms'");
      await fn(client);
      await client.query("COMMIT");
      return;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      if ((error as { code?: string }).code !== "55P03" || attempt >= attempts) throw error;
    } finally {
      client.release();
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
  }
}

/** What the lock needs of a session: `DatabaseSession` (the bus's) or a client. */
type Session = { query<R extends { ok: boolean }>(text: string): Promise<{ rows: R[] }> };

/**
 * Takes the rebuild's lock on the instance's session (one rebuild at a time across the service's
 * instances; a lost session lets it go); null when another instance holds it.
 */
export async function holdRebuildLock(session: Session): Promise<{ release: () => Promise<void> } | null> {
  const { rows } = await session.query<{ ok: boolean }>(
    "SELECT pg_try_advisory_lock(hashtextextended('search_rebuild', 0)) AS ok",
  );
  if (!rows[0]!.ok) return null;
  return {
    release: async () => {
      await session.query("SELECT pg_advisory_unlock(hashtextextended('search_rebuild', 0))").catch(() => {});
    },
  };
}

/** Drops a failed rebuild's copies. */
export async function dropShadowTables(db: Queryable): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${SHADOW} CASCADE`);
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

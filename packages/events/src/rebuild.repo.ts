import type { Db, Queryable, Tx } from "@comptoir/platform";

/*
 * A read model's rebuild tables (search's, reporting's). A rebuild fills copies of the read model's
 * tables in schema `<service>_rebuild` (same columns, defaults, generated columns and constraints as
 * `public`'s), applying events with `search_path = <service>_rebuild, public` so the read model's own
 * repositories write there unchanged; the secondary indexes are built once it is full; then one
 * transaction moves the live tables out and the copies in (`ALTER TABLE … SET SCHEMA`, catalog-only and
 * instant). A reader running meanwhile either finishes on the old tables or waits a moment for the new
 * ones: never an empty answer.
 */

/** The schemas of one service's rebuild: the copies, and the live tables on their way out. */
export interface ShadowSchemas {
  shadow: string;
  previous: string;
}

export function shadowSchemasOf(service: string): ShadowSchemas {
  if (!/^[a-z][a-z0-9_]*$/.test(service)) throw new Error(`invalid service name for a rebuild: ${service}`);
  return { shadow: `${service}_rebuild`, previous: `${service}_previous` };
}

/** Drops what an earlier rebuild left, then creates empty copies with their keys but no other index. */
export async function createShadowTables(db: Queryable, schemas: ShadowSchemas, tables: readonly string[]) {
  const { shadow, previous } = schemas;
  await db.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
  await db.query(`DROP SCHEMA IF EXISTS ${previous} CASCADE`);
  await db.query(`CREATE SCHEMA ${shadow}`);
  for (const table of tables) {
    await db.query(
      `CREATE TABLE ${shadow}.${table} (LIKE public.${table} INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS)`,
    );
    // Primary keys and unique constraints under their own names (upserts need them while loading).
    const { rows } = await db.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = ('public.' || $1)::regclass AND contype IN ('p', 'u', 'c') ORDER BY conname`,
      [table],
    );
    for (const c of rows) await db.query(`ALTER TABLE ${shadow}.${table} ADD CONSTRAINT ${c.name} ${c.def}`);
  }
}

/** Builds the live tables' other indexes on the copies, under the same names. */
export async function indexShadowTables(db: Queryable, schemas: ShadowSchemas, tables: readonly string[]) {
  const { rows } = await db.query<{ def: string; table: string }>(
    `SELECT i.indexdef AS def, i.tablename AS table FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
    [tables],
  );
  for (const { def, table } of rows) {
    const onShadow = def.replace(` ON public.${table} `, ` ON ${schemas.shadow}.${table} `);
    if (onShadow === def) throw new Error(`cannot place index on the rebuild's copy: ${def}`);
    await db.query(onShadow);
  }
  for (const table of tables) await db.query(`ANALYZE ${schemas.shadow}.${table}`);
}

/** Runs `fn` in a transaction whose unqualified table names are the copies'. */
export async function inShadow<T>(db: Db, schemas: ShadowSchemas, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    await client.query(`SET LOCAL search_path = ${schemas.shadow}, public`);
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
 * trying again: a reader holding one table and waiting for another then finishes first, instead of
 * one of the two being aborted as a deadlock. Readers and writers arriving meanwhile wait for the swap.
 */
export async function swapShadowTables(db: Db, schemas: ShadowSchemas, tables: readonly string[]): Promise<void> {
  const { shadow, previous } = schemas;
  await politely(db, async (tx) => {
    await tx.query(`LOCK TABLE ${tables.map((t) => `public.${t}`).join(", ")} IN ACCESS EXCLUSIVE MODE`);
    await tx.query(`CREATE SCHEMA ${previous}`);
    for (const table of tables) await tx.query(`ALTER TABLE public.${table} SET SCHEMA ${previous}`);
    for (const table of tables) await tx.query(`ALTER TABLE ${shadow}.${table} SET SCHEMA public`);
  });
  // Readers that began on the old tables finish on them first (same care: they may hold one and want another).
  await politely(db, async (tx) => {
    await tx.query(`DROP SCHEMA ${previous} CASCADE`);
    await tx.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
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
type Session = { query<R extends { ok: boolean }>(text: string, values?: unknown[]): Promise<{ rows: R[] }> };

/**
 * Takes the rebuild's lock on the instance's session (one rebuild at a time across the service's
 * instances; a lost session lets it go); null when another instance holds it. Its key is
 * `hashtextextended('<service>_rebuild', 0)`.
 */
export async function holdRebuildLock(
  session: Session,
  schemas: ShadowSchemas,
): Promise<{ release: () => Promise<void> } | null> {
  const { rows } = await session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [
    schemas.shadow,
  ]);
  if (!rows[0]!.ok) return null;
  return {
    release: async () => {
      await session.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [schemas.shadow]).catch(() => {});
    },
  };
}

/** Drops a failed rebuild's copies. */
export async function dropShadowTables(db: Queryable, schemas: ShadowSchemas): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${schemas.shadow} CASCADE`);
}

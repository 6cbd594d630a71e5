import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logging/logger";
import type { Db } from "./pool";

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{3,})_([a-z0-9_-]+)\.sql$/;

export async function readMigrations(dir: string): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE.exec(file);
    if (!match) throw new Error(`migration file ${file} in ${dir} must be named NNN_name.sql`);
    const sql = await readFile(join(dir, file), "utf8");
    const [, version, name] = match as unknown as [string, string, string];
    if (migrations.some((m) => m.version === version))
      throw new Error(`two migrations share version ${version} in ${dir}`);
    migrations.push({ version, name, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return migrations;
}

/** `check`: apply nothing; throw MigrationsPendingError when one is missing (DATABASE_MIGRATIONS=check). */
export interface MigrateOptions {
  check?: boolean;
}

/** The database lacks migrations this code needs, and the instance was told not to apply them. */
export class MigrationsPendingError extends Error {
  constructor(
    readonly table: string,
    readonly pending: readonly string[],
  ) {
    super(
      `${pending.length} migration(s) not applied (${table}: ${pending.join(", ")}); DATABASE_MIGRATIONS=check ` +
        "applies none: run the migrations first (DATABASE_MIGRATIONS=only, the deployment's migration job)",
    );
    this.name = "MigrationsPendingError";
  }
}

/** Any fixed number works: it only has to be the same for every instance of every service. */
const MIGRATION_LOCK = 0x636f6d70; // "comp"

/**
 * Applies the plain SQL files of `dir` that this database has not seen, in order, each in its own
 * transaction. A session advisory lock serialises instances that start together, so each migration
 * runs once. An applied file that has changed since is an error: migrations are append-only.
 */
export async function migrate(db: Db, dir: string, logger?: Logger, options: MigrateOptions = {}): Promise<string[]> {
  return applyMigrations(db, await readMigrations(dir), { logger, ...options });
}

/** A migration given in code (the platform's own tables), checksummed like a file. */
export function inlineMigration(version: string, name: string, sql: string): Migration {
  return { version, name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

/**
 * Applies migrations in order, recording them in `table` (`schema_migrations` for a service's own
 * files; the platform keeps its tables' history apart so that versions never collide).
 */
export async function applyMigrations(
  db: Db,
  migrations: readonly Migration[],
  options: { table?: string; logger?: Logger } & MigrateOptions = {},
): Promise<string[]> {
  const table = options.table ?? "schema_migrations";
  if (!/^[a-z_]+$/.test(table)) throw new Error(`invalid migrations table name ${table}`);
  const logger = options.logger;
  if (options.check) return checkMigrations(db, migrations, table);
  const client = await db.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: string; checksum: string; name: string }>(
      `SELECT version, name, checksum FROM ${table}`,
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    const done: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.version);
      if (previous) {
        if (previous.checksum !== m.checksum) {
          throw new Error(
            `migration ${m.version}_${m.name}.sql was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.version}_${m.name}.sql failed: ${(error as Error).message}`, { cause: error });
      }
      logger?.info({ migration: `${m.version}_${m.name}` }, "migration applied");
      done.push(`${m.version}_${m.name}`);
    }
    return done;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** Applies nothing: the migrations missing from `table` (or changed since applied) are an error. */
async function checkMigrations(db: Db, migrations: readonly Migration[], table: string): Promise<string[]> {
  const exists = await db.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [table]);
  const applied = new Map<string, string>();
  if (exists.rows[0]?.found) {
    const { rows } = await db.query<{ version: string; checksum: string }>(`SELECT version, checksum FROM ${table}`);
    for (const row of rows) applied.set(row.version, row.checksum);
  }
  const pending: string[] = [];
  for (const m of migrations) {
    const checksum = applied.get(m.version);
    if (checksum === undefined) pending.push(`${m.version}_${m.name}`);
    else if (checksum !== m.checksum) {
      throw new Error(
        `migration ${m.version}_${m.name}.sql was changed after it was applied; add a new migration instead`,
      );
    }
  }
  if (pending.length > 0) throw new MigrationsPendingError(table, pending);
  return [];
}

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

/** Any fixed number works: it only has to be the same for every instance of every service. */
const MIGRATION_LOCK = 0x636f6d70; // "comp"

/**
 * Applies the plain SQL files of `dir` that this database has not seen, in order, each in its own
 * transaction. A session advisory lock serialises instances that start together, so each migration
 * runs once. An applied file that has changed since is an error: migrations are append-only.
 */
export async function migrate(db: Db, dir: string, logger?: Logger): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await db.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: string; checksum: string; name: string }>(
      "SELECT version, name, checksum FROM schema_migrations",
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
        await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
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

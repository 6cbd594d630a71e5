import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "@comptoir/platform/db";
import { createPool, type Db } from "@comptoir/platform/db";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server-level URL of the PostgreSQL the tests use (embedded, or TEST_DATABASE_URL). */
    postgresUrl: string;
  }
}

/** The test PostgreSQL server's URL, pointing at database `name`. */
export function testServerUrl(name = "postgres"): string {
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file on the test server, migrated with `migrationsDir` if
 * given. Each file gets its own, so files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(prefix: string, migrationsDir?: string): Promise<TestDatabase> {
  const name = `test_${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = testServerUrl(name);
  const db = createPool(url, { max: 20 });
  if (migrationsDir) await migrate(db, migrationsDir);
  return {
    url,
    db,
    async drop() {
      await db.end();
      const client = new pg.Client({ connectionString: testServerUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

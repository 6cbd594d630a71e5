import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "../db/migrate";
import { createPool, type Db } from "../db/pool";
import type { App } from "../http/app";
import { createLogger, type Logger } from "../logging/logger";

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

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(service: string): Logger {
  return createLogger({ service, instance: `${service}-test`, level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Listens on an ephemeral port of 127.0.0.1 and returns the base URL; close with `app.close()`. */
export async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON for tests: `http(base).post('/api/x', body)`. */
export function http(baseUrl: string, defaultHeaders: Record<string, string> = {}) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...defaultHeaders,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: parsed as T } satisfies JsonResponse<T>;
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("POST", path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("PUT", path, body, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("PATCH", path, body, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>("DELETE", path, undefined, headers),
  };
}
export * from "./test-issuer";
export * from "./service-testbed";
export * from "./door";
export * from "./process-script";

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, type EventBus, migrationsDirOf, parseEnvelope } from "@comptoir/platform";
import {
  createServiceTestbed,
  createTestIssuer,
  http,
  listen,
  type TestDatabase,
  type TestIssuer,
} from "@comptoir/platform/testing";
import { expect } from "vitest";
import { buildApp } from "../src/app";

export interface Harness {
  database: TestDatabase;
  eventLog: TestDatabase;
  bus: EventBus;
  app: App;
  base: string;
  issuer: TestIssuer;
  imagesDir: string;
  /** Calls as an admin (catalog:write), whose token subject is `adminId`. */
  api: ReturnType<typeof http>;
  adminId: string;
  anonymous: ReturnType<typeof http>;
  as(role: "admin" | "manager" | "clerk" | "customer"): Promise<ReturnType<typeof http>>;
  close(): Promise<void>;
}

/** The catalog on an ephemeral port, its own database, a bus never started, a test token issuer. */
export async function startCatalog(name: string): Promise<Harness> {
  const testbed = await createServiceTestbed({
    service: "catalog",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
  });
  const { database, eventLog, bus, logger } = testbed;
  const issuer = await createTestIssuer();
  const imagesDir = await mkdtemp(join(tmpdir(), `comptoir-catalog-${name}-`));
  const app = await buildApp({
    db: database.db,
    bus,
    logger,
    instance: "catalog-test",
    auth: issuer.verifier,
    imagesDir,
    sharedCacheSeconds: 2,
  });
  const base = await listen(app);
  const adminId = "01900000-0000-7000-8000-00000000ad01";
  const api = http(base, { authorization: `Bearer ${await issuer.token({ role: "admin", sub: adminId })}` });
  return {
    database,
    eventLog,
    bus,
    app,
    base,
    issuer,
    imagesDir,
    api,
    adminId,
    anonymous: http(base),
    as: async (role) => http(base, { authorization: `Bearer ${await issuer.token({ role })}` }),
    async close() {
      await app.close();
      await testbed.close();
      await rm(imagesDir, { recursive: true, force: true });
    },
  };
}

/** Empties the catalog's tables between tests (children before parents). */
export async function resetCatalog(h: Harness): Promise<void> {
  await h.database.db.query(
    "TRUNCATE price_history, product_images, variants, products, categories, seed_markers, outbox",
  );
}

export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, title: expect.any(String) });
}

export interface OutboxRow {
  type: string;
  subject: string;
  data: any;
  /** The transaction that wrote the row. */
  tx: string;
}

/** The outbox, oldest first; every envelope is checked against the contracts (throws if invalid). */
export async function outboxRows(h: Harness): Promise<OutboxRow[]> {
  const { rows } = await h.database.db.query<{ envelope: unknown; tx: string }>(
    "SELECT envelope, xmin::text AS tx FROM outbox ORDER BY position",
  );
  return rows.map((r) => {
    const envelope = parseEnvelope(r.envelope);
    return { type: envelope.type, subject: envelope.subject, data: envelope.data, tx: r.tx };
  });
}

export async function count(h: Harness, table: string): Promise<number> {
  return Number((await h.database.db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
}

/** Every product's stored document is its current state: no write path forgot to rewrite it. */
export async function expectDocumentsFresh(h: Harness): Promise<void> {
  const { rows } = await h.database.db.query(
    "SELECT id FROM products WHERE document IS NULL OR document IS DISTINCT FROM product_document(id)",
  );
  expect(rows).toEqual([]);
}

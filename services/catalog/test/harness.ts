import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnvelope } from "@comptoir/events";
import { migrationsDirOf } from "@comptoir/platform";
import { http, startService, type StartedService, type TestApi } from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp } from "../src/app";

export { expectProblem } from "@comptoir/testing";

export interface Harness extends StartedService {
  imagesDir: string;
  /** Calls as an admin (catalog:write), whose token subject is `adminId`. */
  api: TestApi;
  adminId: string;
}

/** The catalog (startService) with an images folder of its own and a 2 s shared cache lifetime. */
export async function startCatalog(name: string): Promise<Harness> {
  const imagesDir = await mkdtemp(join(tmpdir(), `comptoir-catalog-${name}-`));
  const catalog = await startService({
    service: "catalog",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    build: (parts) => buildApp({ ...parts, imagesDir, sharedCacheSeconds: 2 }),
  });
  const adminId = "01900000-0000-7000-8000-00000000ad01";
  const token = await catalog.issuer.token({ role: "admin", sub: adminId });
  catalog.onClose("its images folder", () => rm(imagesDir, { recursive: true, force: true }));
  return Object.assign(catalog, {
    imagesDir,
    adminId,
    api: http(catalog.base, { authorization: `Bearer ${token}` }),
  });
}

/** Empties the catalog's tables between tests (children before parents). */
export async function resetCatalog(h: Harness): Promise<void> {
  await h.db.query("TRUNCATE price_history, product_images, variants, products, categories, seed_markers, outbox");
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
  const { rows } = await h.db.query<{ envelope: unknown; tx: string }>(
    "SELECT envelope, xmin::text AS tx FROM outbox ORDER BY position",
  );
  return rows.map((r) => {
    const envelope = parseEnvelope(r.envelope);
    return { type: envelope.type, subject: envelope.subject, data: envelope.data, tx: r.tx };
  });
}

export async function count(h: Harness, table: string): Promise<number> {
  return Number((await h.db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
}

/** Every product's stored document is its current state: no write path forgot to rewrite it. */
export async function expectDocumentsFresh(h: Harness): Promise<void> {
  const { rows } = await h.db.query(
    "SELECT id FROM products WHERE document IS NULL OR document IS DISTINCT FROM product_document(id)",
  );
  expect(rows).toEqual([]);
}

import { generateKeyPairSync } from "node:crypto";
import { createLogger, createServiceClient, migrationsDirOf, newId, withTx } from "@comptoir/platform";
import { expectProblem, type ServiceParts, startService, type StartedService } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { createCatalogClient } from "../src/clients/catalog.client";
import { createInventoryClient } from "../src/clients/inventory.client";
import { createPaymentsClient } from "../src/clients/payments.client";
import { createJournal } from "../src/domain/journal.use-cases";
import { type Journal, type JournalInput, rawPublicKey, signHash } from "../src/model/journal";

const SECRET = "journal-test-service-credential-0123456789";
const STORE_A = "0192f5a0-0000-7000-8000-0000000000a1";
const STORE_B = "0192f5a0-0000-7000-8000-0000000000b2";
const STORE_C = "0192f5a0-0000-7000-8000-0000000000c3";
const STORE_D = "0192f5a0-0000-7000-8000-0000000000d4";
const STORE_E = "0192f5a0-0000-7000-8000-0000000000e5";

// The journal calls no other service: the clients point nowhere.
const nowhere = (target: string) => createServiceClient({ target, baseUrls: ["http://127.0.0.1:9"], timeoutMs: 500 });
const build = async (parts: ServiceParts, secret = SECRET) =>
  buildApp({
    ...parts,
    catalog: createCatalogClient(nowhere("catalog")),
    inventory: createInventoryClient(nowhere("inventory")),
    payments: createPaymentsClient(nowhere("payments")),
    journal: await createJournal({ db: parts.db, logger: parts.logger, secret }),
    sagaWorkerMs: 0,
  });

let retail: StartedService;
let journal: Journal;
const silent = createLogger({ service: "retail", instance: "journal-test", level: "silent" });

beforeAll(async () => {
  retail = await startService({
    service: "retail",
    name: "journal",
    migrationsDir: migrationsDirOf(new URL("../src/main.ts", import.meta.url).href),
    sagas: true,
    idempotency: true,
    keepLogs: true,
    build: (parts) => build(parts),
  });
  // A second journal on the same database, as another instance of retail would have.
  journal = await createJournal({ db: retail.db, logger: silent, secret: SECRET });
});
afterAll(async () => retail?.close());

let documents = 0;
const sale = (storeId: string, amount: number, kind: JournalInput["kind"] = "sale"): JournalInput => {
  documents++;
  return {
    storeId,
    kind,
    documentId: newId(),
    documentNumber: `T-${String(documents).padStart(6, "0")}`,
    occurredAt: new Date(),
    amount,
    vat:
      amount === 0
        ? []
        : [{ rate: 2000, base: Math.round(amount / 1.2), vat: amount - Math.round(amount / 1.2), total: amount }],
    payload: { lines: [{ sku: "TSHIRT-M", quantity: 1, unitPrice: Math.abs(amount) }], at: new Date() },
  };
};
const append = (input: JournalInput) => withTx(retail.db, (tx) => journal.append(tx, input));

async function verify(query = "") {
  const res = await retail.admin.get(`/api/retail/admin/journal/verify${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    stores: {
      storeId: string;
      entries: number;
      ok: boolean;
      firstBroken: null | { seq: number; reason: string; documentNumber: string };
    }[];
  };
}

/** As a superuser: with triggers off for this session only, what an attacker with the database could do. */
async function asSuperuser(sql: string, values: unknown[] = []) {
  await withTx(retail.db, async (tx) => {
    await tx.query("SET LOCAL session_replication_role = replica");
    await tx.query(sql, values);
  });
}

async function fingerprint(): Promise<string> {
  const keys = await retail.admin.get("/api/retail/journal/keys");
  expect(keys.status).toBe(200);
  return (keys.body as { data: { fingerprint: string; active: boolean }[] }).data.find((k) => k.active)!.fingerprint;
}

describe("appending", () => {
  it("numbers a store's entries from 1, chains each to the previous hash, signs them and keeps the totals", async () => {
    const first = await append(sale(STORE_A, 1990));
    const second = await append(sale(STORE_A, -500, "return"));
    const third = await append(sale(STORE_A, 0, "reprint"));
    expect(first).toMatchObject({ seq: 1, previousHash: "0".repeat(64), grandTotal: 1990, perpetualTotal: 1990 });
    expect(second).toMatchObject({ seq: 2, previousHash: first.hash, grandTotal: 1490, perpetualTotal: 2490 });
    expect(third).toMatchObject({ seq: 3, previousHash: second.hash, grandTotal: 1490, perpetualTotal: 2490 });

    const res = await retail.admin.get(`/api/retail/journal?storeId=${STORE_A}`);
    expect(res.status).toBe(200);
    const body = res.body as { data: { seq: number; hash: string; signature: string; payload: unknown }[] };
    expect(body.data.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(body.data[0]).toMatchObject({
      hash: first.hash,
      signature: first.signature,
      documentNumber: first.documentNumber,
    });
    expect(await verify(`?storeId=${STORE_A}`)).toMatchObject({
      stores: [{ storeId: STORE_A, entries: 3, ok: true, firstBroken: null }],
    });
  });

  it("leaves no entry and no gap when the writer's transaction rolls back", async () => {
    await append(sale(STORE_E, 100));
    await expect(
      withTx(retail.db, async (tx) => {
        await journal.append(tx, sale(STORE_E, 200));
        throw new Error("the payment step failed");
      }),
    ).rejects.toThrow("the payment step failed");
    const next = await append(sale(STORE_E, 300));
    expect(next).toMatchObject({ seq: 2, grandTotal: 400 });
  });

  it("serializes 50 concurrent appends of one store into seq 1..50, no gap and no fork, while another store goes on", async () => {
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => append(sale(STORE_B, 100 + i))),
      ...Array.from({ length: 10 }, () => append(sale(STORE_C, 10))),
    ]);
    expect(
      results
        .filter((e) => e.storeId === STORE_B)
        .map((e) => e.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const { rows } = await retail.db.query<{ n: number; max: string; prevs: number }>(
      "SELECT count(*)::int AS n, max(seq) AS max, count(DISTINCT previous_hash)::int AS prevs FROM journal_entries WHERE store_id = $1",
      [STORE_B],
    );
    expect(rows[0]).toEqual({ n: 50, max: "50", prevs: 50 });
    const report = await verify();
    expect(report.stores.find((s) => s.storeId === STORE_B)).toMatchObject({ entries: 50, ok: true });
    expect(report.stores.find((s) => s.storeId === STORE_C)).toMatchObject({ entries: 10, ok: true });
    const last = await retail.admin.get(`/api/retail/journal?storeId=${STORE_B}&afterSeq=49`);
    expect((last.body as { data: { grandTotal: number }[] }).data[0]!.grandTotal).toBe(
      Array.from({ length: 50 }, (_, i) => 100 + i).reduce((a, b) => a + b),
    );
  });
});

describe("inalterability", () => {
  it("refuses UPDATE, DELETE and TRUNCATE of entries, whoever asks", async () => {
    await append(sale(STORE_D, 700));
    await expect(
      retail.db.query("UPDATE journal_entries SET amount = 1 WHERE store_id = $1", [STORE_D]),
    ).rejects.toThrow(/the sales journal is inalterable: UPDATE on journal_entries is refused/);
    await expect(retail.db.query("DELETE FROM journal_entries WHERE store_id = $1", [STORE_D])).rejects.toThrow(
      /inalterable: DELETE on journal_entries/,
    );
    await expect(retail.db.query("TRUNCATE journal_entries")).rejects.toThrow(
      /inalterable: TRUNCATE on journal_entries/,
    );
    await expect(retail.db.query("DELETE FROM journal_keys")).rejects.toThrow(/inalterable: DELETE on journal_keys/);
    const { rows } = await retail.db.query("SELECT amount FROM journal_entries WHERE store_id = $1", [STORE_D]);
    expect(rows).toEqual([{ amount: "700" }]);
  });

  it("names the entry a superuser changed with the trigger disabled", async () => {
    await append(sale(STORE_D, 1200));
    await append(sale(STORE_D, 300));
    const before = await verify(`?storeId=${STORE_D}`);
    expect(before.stores[0]).toMatchObject({ entries: 3, ok: true });

    await asSuperuser("UPDATE journal_entries SET amount = 12 WHERE store_id = $1 AND seq = 2", [STORE_D]);
    const after = await verify(`?storeId=${STORE_D}`);
    expect(after.stores[0]).toMatchObject({
      storeId: STORE_D,
      ok: false,
      firstBroken: { seq: 2, reason: "hash_mismatch" },
    });
    // The other stores are untouched.
    expect((await verify(`?storeId=${STORE_A}`)).stores[0]!.ok).toBe(true);
  });

  it("names a removed tail, which the chain alone cannot show, from the store's head", async () => {
    await append(sale(STORE_E, 50));
    const { rows } = await retail.db.query<{ max: string }>(
      "SELECT max(seq) AS max FROM journal_entries WHERE store_id = $1",
      [STORE_E],
    );
    await asSuperuser("DELETE FROM journal_entries WHERE store_id = $1 AND seq = $2", [STORE_E, rows[0]!.max]);
    expect((await verify(`?storeId=${STORE_E}`)).stores[0]).toMatchObject({
      ok: false,
      firstBroken: { seq: Number(rows[0]!.max), reason: "truncated" },
    });
  });
});

describe("the signing key", () => {
  it("is published with its fingerprint, which retail logs at start", async () => {
    const fp = await fingerprint();
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(retail.logs.some((line) => line.includes(fp) && line.includes("comptoir retail verify --key"))).toBe(true);
    const clerk = await retail.as({ role: "clerk", storeId: STORE_A });
    expect((await clerk.get("/api/retail/journal/keys")).status).toBe(200);
  });

  it("is created once when several instances start together, and a wrong secret fails the start", async () => {
    const again = await Promise.all(
      [1, 2, 3].map(() => createJournal({ db: retail.db, logger: silent, secret: SECRET })),
    );
    expect(again).toHaveLength(3);
    const { rows } = await retail.db.query("SELECT count(*)::int AS n FROM journal_keys");
    expect(rows[0]).toEqual({ n: 1 });
    await expect(
      createJournal({ db: retail.db, logger: silent, secret: "not-the-service-credential" }),
    ).rejects.toThrow(/cannot be decrypted: either SERVICE_CREDENTIAL is not the one retail started with/);
    const { rows: stored } = await retail.db.query("SELECT encrypted_private_key::text AS k FROM journal_keys");
    expect(JSON.stringify(stored)).not.toContain(SECRET);
  });

  it("pinned by its fingerprint, catches a public key swapped in the database and the entries re-signed", async () => {
    const pinned = await fingerprint();
    // The attacker: their own key pair in place of the published one, every entry re-signed with it.
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { rows } = await retail.db.query<{ store_id: string; seq: string; hash: string }>(
      "SELECT store_id, seq, hash FROM journal_entries WHERE store_id = $1 ORDER BY seq",
      [STORE_A],
    );
    await asSuperuser("UPDATE journal_keys SET public_key = $1, fingerprint = 'forged'", [rawPublicKey(publicKey)]);
    for (const r of rows) {
      await asSuperuser("UPDATE journal_entries SET signature = $3 WHERE store_id = $1 AND seq = $2", [
        r.store_id,
        r.seq,
        signHash(r.hash, privateKey),
      ]);
    }
    // Unpinned, the forgery verifies: the database alone cannot vouch for its own key.
    expect((await verify(`?storeId=${STORE_A}`)).stores[0]!.ok).toBe(true);
    expect(await fingerprint()).not.toBe(pinned);
    // Pinned to the fingerprint kept off-site, it does not.
    expect((await verify(`?storeId=${STORE_A}&key=${pinned.toUpperCase()}`)).stores[0]).toMatchObject({
      ok: false,
      firstBroken: { seq: 1, reason: "unknown_key" },
    });
    // And retail refuses to start on a key row that is not its private key's.
    await expect(createJournal({ db: retail.db, logger: silent, secret: SECRET })).rejects.toThrow(
      /cannot be decrypted|is not that key's own/,
    );
  });
});

describe("access", () => {
  it("lets a manager read their own store's journal only, and refuses clerks", async () => {
    const manager = await retail.as({ role: "manager", storeId: STORE_B });
    const own = await manager.get("/api/retail/journal?limit=10");
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ pagination: { afterSeq: 0, limit: 10, next: 10 } });
    expect((own.body as { data: { storeId: string }[] }).data.every((e) => e.storeId === STORE_B)).toBe(true);
    expectProblem(await manager.get(`/api/retail/journal?storeId=${STORE_C}`), 404, "journal_not_found");
    expectProblem(await manager.get("/api/retail/admin/journal/verify"), 403);
    const clerk = await retail.as({ role: "clerk", storeId: STORE_B });
    expectProblem(await clerk.get(`/api/retail/journal?storeId=${STORE_B}`), 403);
    expectProblem(await retail.anonymous.get("/api/retail/journal"), 401);
    expectProblem(await retail.admin.get("/api/retail/journal"), 400, "store_required");
  });
});

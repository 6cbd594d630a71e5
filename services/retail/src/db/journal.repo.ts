import type { Queryable, Tx } from "@comptoir/platform";
import { EMPTY_HEAD, type JournalEntry, type JournalHead, type JournalKind } from "../model/journal";

// ——— Keys ———

/** A signing key as stored: the public half in clear, the private half encrypted. */
export interface StoredJournalKey {
  id: string;
  algorithm: "Ed25519";
  publicKey: string;
  fingerprint: string;
  encryptedPrivateKey: Buffer;
  kdfSalt: Buffer;
  iv: Buffer;
  authTag: Buffer;
  active: boolean;
  createdAt: Date;
}

const KEY_COLUMNS = `id, algorithm, public_key AS "publicKey", fingerprint,
  encrypted_private_key AS "encryptedPrivateKey", kdf_salt AS "kdfSalt", iv, auth_tag AS "authTag", active,
  created_at AS "createdAt"`;

export async function findActiveJournalKey(db: Queryable): Promise<StoredJournalKey | undefined> {
  const { rows } = await db.query<StoredJournalKey>(`SELECT ${KEY_COLUMNS} FROM journal_keys WHERE active`);
  return rows[0];
}

export async function listJournalKeys(db: Queryable): Promise<StoredJournalKey[]> {
  const { rows } = await db.query<StoredJournalKey>(`SELECT ${KEY_COLUMNS} FROM journal_keys ORDER BY created_at, id`);
  return rows;
}

/** Stores a new active key unless one exists already (another instance won): true when this one was stored. */
export async function insertJournalKeyIfNone(
  db: Queryable,
  key: Omit<StoredJournalKey, "createdAt">,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO journal_keys (id, algorithm, public_key, fingerprint, encrypted_private_key, kdf_salt, iv, auth_tag, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING`,
    [
      key.id,
      key.algorithm,
      key.publicKey,
      key.fingerprint,
      key.encryptedPrivateKey,
      key.kdfSalt,
      key.iv,
      key.authTag,
      key.active,
    ],
  );
  return rowCount === 1;
}

// ——— Heads and entries ———

/**
 * The head of a store's chain, locked until the transaction ends (created at seq 0 on the store's
 * first entry): the appends of one store wait for each other here, other stores' do not.
 */
export async function lockJournalHead(tx: Tx, storeId: string): Promise<JournalHead> {
  const { rows } = await tx.query<JournalHeadRow>({
    name: "journal_head_lock",
    text: lockJournalHeadSql("$1"),
    values: [storeId],
  });
  return toJournalHead(rows[0]);
}

/**
 * lockJournalHead's statement (the store's id in parameter `storeParam`), for a statement that locks
 * the head along with its own writes (a sale's, in one round trip).
 */
export const lockJournalHeadSql = (storeParam: string) => `INSERT INTO journal_heads (store_id) VALUES (${storeParam})
     ON CONFLICT (store_id) DO UPDATE SET store_id = EXCLUDED.store_id
     RETURNING seq, hash, grand_total AS "grandTotal", perpetual_total AS "perpetualTotal"`;

/** A row of lockJournalHeadSql (bigints as text, or as numbers through JSON). */
export type JournalHeadRow = Record<"seq" | "hash" | "grandTotal" | "perpetualTotal", string | number>;

export function toJournalHead(row: JournalHeadRow | undefined): JournalHead {
  if (!row) return EMPTY_HEAD;
  return {
    seq: Number(row.seq),
    hash: String(row.hash),
    grandTotal: Number(row.grandTotal),
    perpetualTotal: Number(row.perpetualTotal),
  };
}

/**
 * Appends an entry and moves its store's head to it (the head was locked by lockJournalHead), in one
 * statement: the head, which every append of the store waits for, is held one round trip less.
 */
export async function insertJournalEntry(tx: Tx, e: JournalEntry): Promise<void> {
  await tx.query({
    name: "journal_append",
    text: `WITH appended AS (
       INSERT INTO journal_entries (store_id, seq, kind, document_id, document_number, occurred_at, amount, vat,
         payload, grand_total, perpetual_total, previous_hash, hash, signature, key_id, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       RETURNING store_id, seq, hash, grand_total, perpetual_total
     )
     UPDATE journal_heads h SET seq = a.seq, hash = a.hash, grand_total = a.grand_total,
            perpetual_total = a.perpetual_total, updated_at = now()
       FROM appended a WHERE h.store_id = a.store_id`,
    values: [
      e.storeId,
      e.seq,
      e.kind,
      e.documentId,
      e.documentNumber,
      e.occurredAt,
      e.amount,
      JSON.stringify(e.vat),
      JSON.stringify(e.payload),
      e.grandTotal,
      e.perpetualTotal,
      e.previousHash,
      e.hash,
      e.signature,
      e.keyId,
      e.recordedAt,
    ],
  });
}

interface EntryRow {
  storeId: string;
  seq: string;
  kind: JournalKind;
  documentId: string;
  documentNumber: string;
  occurredAt: Date;
  amount: string;
  vat: JournalEntry["vat"];
  payload: Record<string, unknown>;
  grandTotal: string;
  perpetualTotal: string;
  previousHash: string;
  hash: string;
  signature: string;
  keyId: string;
  recordedAt: Date;
}

const ENTRY_COLUMNS = `store_id AS "storeId", seq, kind, document_id AS "documentId",
  document_number AS "documentNumber", occurred_at AS "occurredAt", amount, vat, payload,
  grand_total AS "grandTotal", perpetual_total AS "perpetualTotal", previous_hash AS "previousHash", hash,
  signature, key_id AS "keyId", recorded_at AS "recordedAt"`;

const toEntry = (r: EntryRow): JournalEntry => ({
  ...r,
  seq: Number(r.seq),
  amount: Number(r.amount),
  grandTotal: Number(r.grandTotal),
  perpetualTotal: Number(r.perpetualTotal),
});

/** A store's entries after `afterSeq`, in order, at most `limit`. */
export async function listJournalEntries(
  db: Queryable,
  storeId: string,
  afterSeq: number,
  limit: number,
): Promise<JournalEntry[]> {
  const { rows } = await db.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE store_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [storeId, afterSeq, limit],
  );
  return rows.map(toEntry);
}

/** The stores that have a journal, with where their chain is said to end. */
export async function listJournalHeads(
  db: Queryable,
  storeId?: string,
): Promise<{ storeId: string; seq: number; hash: string }[]> {
  const { rows } = await db.query<{ storeId: string; seq: string; hash: string }>(
    `SELECT store_id AS "storeId", seq, hash FROM journal_heads
     WHERE $1::uuid IS NULL OR store_id = $1 ORDER BY store_id`,
    [storeId ?? null],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** The stores that have entries, even if their head row is gone. */
export async function listJournalStores(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ storeId: string }>(
    `SELECT DISTINCT store_id AS "storeId" FROM journal_entries
     UNION SELECT store_id FROM journal_heads ORDER BY 1`,
  );
  return rows.map((r) => r.storeId);
}

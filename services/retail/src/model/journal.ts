import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { VatLine } from "@comptoir/contracts";
import type { Tx } from "@comptoir/platform";

/** What is appended to a store's inalterable journal (docs/adr: the journal ADR). */
export type JournalKind = "sale" | "return" | "void" | "session_close" | "reprint";

export interface JournalInput {
  storeId: string;
  kind: JournalKind;
  /** The sale, return or session the entry records. */
  documentId: string;
  /** The receipt number (sales, returns, voids) or the session's id (closings). */
  documentNumber: string;
  occurredAt: Date;
  /** Signed, VAT included: a sale adds, a return or a void subtracts; 0 for a closing or a reprint. */
  amount: number;
  /** The VAT per rate of `amount`, with the same sign. */
  vat: VatLine[];
  /** The document itself, as recorded (lines, tenders, totals...): part of what is hashed and signed. */
  payload: Record<string, unknown>;
}

export interface JournalEntry extends JournalInput {
  /** 1, 2, 3... per store, with no gap. */
  seq: number;
  /** Perpetual grand total of the store: the sum of every entry's amount since the first. */
  grandTotal: number;
  /** Perpetual sum of the absolute amounts (sales + returns + voids), which only ever grows. */
  perpetualTotal: number;
  /** SHA-256 (hex) of the previous entry of the store; 64 zeros for the first. */
  previousHash: string;
  /** SHA-256 (hex) of this entry's canonical form, previousHash included. */
  hash: string;
  /** Ed25519 signature (base64url) of `hash`, by the key `keyId`. */
  signature: string;
  keyId: string;
  /** When the journal wrote the entry (the service's clock); hashed too. */
  recordedAt: Date;
}

/**
 * The journal's one door for writers: an entry is appended in the transaction that records its
 * document (a sale is completed, a session closed...), so both commit or neither does.
 */
export interface Journal {
  /** `lockedHead`: the store's head, already locked in `tx` (lockJournalHead) by the caller's own statement. */
  append(tx: Tx, input: JournalInput, lockedHead?: JournalHead): Promise<JournalEntry>;
}

// ——— The canonical form, the hash and the signature (docs/adr: the journal ADR) ———

/** previousHash of a store's first entry. */
export const GENESIS_HASH = "0".repeat(64);
/** The version of the canonical form, hashed with every entry: a change of form is a new version. */
export const CANONICAL_VERSION = 1;

/** A public key that may have signed entries. */
export interface JournalPublicKey {
  id: string;
  /** The raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
}

export type JournalBreak =
  "seq_gap" | "hash_mismatch" | "chain_break" | "unknown_key" | "bad_signature" | "totals_wrong" | "truncated";

export interface JournalVerification {
  entries: number;
  ok: boolean;
  firstBroken: { seq: number; documentNumber: string | null; reason: JournalBreak; detail: string } | null;
}

/**
 * Deterministic JSON: object keys sorted, no whitespace, `undefined` members left out, dates as ISO
 * strings. Numbers must be finite; the money fields of an entry are checked to be safe integers.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("canonicalJson: invalid date");
    return JSON.stringify(value.toISOString());
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a finite number`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      const members = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

/** A document as the journal keeps it: what its canonical JSON reads back as (dates become strings). */
export function normalizeJson<T>(value: T): T {
  return JSON.parse(canonicalJson(value)) as T;
}

/** The fields of an entry that are hashed: everything but the hash and the signature. */
export type HashedEntry = Omit<JournalEntry, "hash" | "signature">;

/** The canonical form of an entry: the bytes its hash is computed over (previousHash and keyId included). */
export function canonicalEntry(entry: HashedEntry): string {
  for (const field of ["seq", "amount", "grandTotal", "perpetualTotal"] as const) {
    if (!Number.isSafeInteger(entry[field])) throw new TypeError(`journal entry: ${field} must be an integer`);
  }
  return canonicalJson({
    v: CANONICAL_VERSION,
    storeId: entry.storeId,
    seq: entry.seq,
    kind: entry.kind,
    documentId: entry.documentId,
    documentNumber: entry.documentNumber,
    occurredAt: new Date(entry.occurredAt),
    recordedAt: new Date(entry.recordedAt),
    amount: entry.amount,
    vat: entry.vat,
    payload: entry.payload,
    grandTotal: entry.grandTotal,
    perpetualTotal: entry.perpetualTotal,
    previousHash: entry.previousHash,
    keyId: entry.keyId,
  });
}

/** SHA-256 (hex) of an entry's canonical form. */
export function hashEntry(entry: HashedEntry): string {
  return createHash("sha256").update(canonicalEntry(entry), "utf8").digest("hex");
}

/** The totals after an entry of `amount`: the grand total adds it, the perpetual total its absolute value. */
export function nextTotals(
  previous: { grandTotal: number; perpetualTotal: number },
  amount: number,
): { grandTotal: number; perpetualTotal: number } {
  return { grandTotal: previous.grandTotal + amount, perpetualTotal: previous.perpetualTotal + Math.abs(amount) };
}

/** The head of a store's chain: what the next entry follows. */
export interface JournalHead {
  seq: number;
  hash: string;
  grandTotal: number;
  perpetualTotal: number;
}

export const EMPTY_HEAD: JournalHead = { seq: 0, hash: GENESIS_HASH, grandTotal: 0, perpetualTotal: 0 };

/** The signing side of a key: its id and its private key. */
export interface JournalSigner {
  keyId: string;
  privateKey: KeyObject;
}

/** The next entry of a store after `head`: numbered, totalled, chained, hashed and signed. */
export function sealEntry(
  head: JournalHead,
  input: JournalInput,
  signer: JournalSigner,
  recordedAt: Date,
): JournalEntry {
  if (!Number.isSafeInteger(input.amount)) throw new TypeError("journal entry: amount must be an integer of cents");
  const unsigned: HashedEntry = {
    storeId: input.storeId,
    kind: input.kind,
    documentId: input.documentId,
    documentNumber: input.documentNumber,
    occurredAt: new Date(input.occurredAt),
    amount: input.amount,
    vat: normalizeJson(input.vat),
    payload: normalizeJson(input.payload),
    seq: head.seq + 1,
    ...nextTotals(head, input.amount),
    previousHash: head.hash,
    keyId: signer.keyId,
    recordedAt,
  };
  const hash = hashEntry(unsigned);
  return { ...unsigned, hash, signature: signHash(hash, signer.privateKey) };
}

/** Ed25519 signature (base64url) of a hash's 32 bytes. */
export function signHash(hash: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(hash, "hex"), privateKey).toString("base64url");
}

export function verifyHashSignature(hash: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(hash, "hex"), publicKey, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/** The Ed25519 public key object of a raw 32-byte key (base64url). */
export function publicKeyFromRaw(raw: string): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw }, format: "jwk" });
}

/** The raw 32-byte form (base64url) of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || !jwk.x) throw new TypeError("not an Ed25519 key");
  return jwk.x;
}

/** A key's fingerprint: SHA-256 (hex) of its raw 32 bytes — computed, never read from storage. */
export function fingerprintOf(rawPublicKey: string): string {
  return createHash("sha256").update(Buffer.from(rawPublicKey, "base64url")).digest("hex");
}

/** A fingerprint as an operator may type it: any case, with or without colons or spaces. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, "").toLowerCase();
}

export type JournalBroken = NonNullable<JournalVerification["firstBroken"]>;

/**
 * Checks one store's chain entry by entry, in seq order (so that a long journal is read in pages):
 * numbering from 1 with no gap, each hash recomputed, each previousHash equal to the hash before it,
 * each signature by a trusted key, the totals following from the amounts. `check` answers the first
 * problem of an entry (null when it is sound; once broken, the chain is not checked further); `end`
 * compares where the entries stop with the store's head, so that a cut tail shows. Pure: no I/O.
 */
export function chainVerifier(publicKeys: readonly JournalPublicKey[]) {
  const keys = new Map<string, KeyObject | null>();
  for (const k of publicKeys) {
    try {
      keys.set(k.id, publicKeyFromRaw(k.publicKey));
    } catch {
      keys.set(k.id, null);
    }
  }
  let previous: JournalHead = EMPTY_HEAD;
  const broken = (
    entry: { seq: number; documentNumber?: string | null },
    reason: JournalBreak,
    detail: string,
  ): JournalBroken => ({ seq: entry.seq, documentNumber: entry.documentNumber ?? null, reason, detail });

  function problemOf(entry: JournalEntry): JournalBroken | null {
    if (entry.seq !== previous.seq + 1) {
      return broken(entry, "seq_gap", `expected seq ${previous.seq + 1}, found ${entry.seq}`);
    }
    let recomputed: string;
    try {
      recomputed = hashEntry(entry);
    } catch (error) {
      return broken(entry, "hash_mismatch", `the entry has no canonical form: ${(error as Error).message}`);
    }
    if (recomputed !== entry.hash) {
      return broken(
        entry,
        "hash_mismatch",
        "the entry's content does not match its hash (altered after it was written)",
      );
    }
    if (entry.previousHash !== previous.hash) {
      return broken(entry, "chain_break", `previousHash does not match the hash of entry ${previous.seq}`);
    }
    const key = keys.get(entry.keyId);
    if (!key) return broken(entry, "unknown_key", `signed by key ${entry.keyId}, which is not a trusted key`);
    if (!verifyHashSignature(entry.hash, entry.signature, key)) {
      return broken(entry, "bad_signature", `the signature is not key ${entry.keyId}'s signature of the hash`);
    }
    const totals = nextTotals(previous, entry.amount);
    if (entry.grandTotal !== totals.grandTotal || entry.perpetualTotal !== totals.perpetualTotal) {
      return broken(
        entry,
        "totals_wrong",
        `expected grand total ${totals.grandTotal} and perpetual total ${totals.perpetualTotal}, ` +
          `found ${entry.grandTotal} and ${entry.perpetualTotal}`,
      );
    }
    return null;
  }

  return {
    check(entry: JournalEntry): JournalBroken | null {
      const problem = problemOf(entry);
      if (!problem) {
        previous = {
          seq: entry.seq,
          hash: entry.hash,
          grandTotal: entry.grandTotal,
          perpetualTotal: entry.perpetualTotal,
        };
      }
      return problem;
    },
    end(head?: { seq: number; hash: string }): JournalBroken | null {
      if (head && (head.seq !== previous.seq || (head.seq > 0 && head.hash !== previous.hash))) {
        return broken(
          { seq: previous.seq + 1, documentNumber: null },
          "truncated",
          `the store's head is at seq ${head.seq}, the journal ends at seq ${previous.seq}`,
        );
      }
      return null;
    },
  };
}

/** Checks one store's whole chain (see chainVerifier) and names the first broken entry and why. */
export function verifyChain(
  entries: readonly JournalEntry[],
  publicKeys: readonly JournalPublicKey[],
  head?: { seq: number; hash: string },
): JournalVerification {
  const verifier = chainVerifier(publicKeys);
  for (const entry of entries) {
    const problem = verifier.check(entry);
    if (problem) return { entries: entries.length, ok: false, firstBroken: problem };
  }
  const problem = verifier.end(head);
  return { entries: entries.length, ok: problem === null, firstBroken: problem };
}

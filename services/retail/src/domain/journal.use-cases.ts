import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { type Db, type Logger, newId, type Queryable, type Tx, withTx } from "@comptoir/platform";
import {
  findActiveJournalKey,
  insertJournalEntry,
  insertJournalKeyIfNone,
  listJournalEntries,
  listJournalHeads,
  listJournalKeys,
  listJournalStores,
  lockJournalHead,
  type StoredJournalKey,
} from "../db/journal.repo";
import {
  chainVerifier,
  fingerprintOf,
  type Journal,
  type JournalEntry,
  type JournalHead,
  type JournalInput,
  type JournalSigner,
  type JournalVerification,
  normalizeFingerprint,
  rawPublicKey,
  sealEntry,
} from "../model/journal";

/** Raised at start when the journal's signing key cannot be used: the service must not start. */
export class JournalKeyError extends Error {
  override name = "JournalKeyError";
}

const HKDF_INFO = "comptoir retail journal signing key v1";

/** The AES-256 key that wraps the signing key: HKDF-SHA256 of the service's secret and the key's salt. */
function wrappingKey(secret: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), salt, HKDF_INFO, 32));
}

/** What binds a ciphertext to its key row: decrypting it under another id or public key fails. */
const aadOf = (id: string, publicKey: string) => Buffer.from(`${id}:${publicKey}`, "utf8");

/** A new Ed25519 key pair, its private half encrypted with AES-256-GCM under HKDF(secret). */
export function newJournalKey(secret: string): Omit<StoredJournalKey, "createdAt"> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const id = newId();
  const raw = rawPublicKey(publicKey);
  const kdfSalt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", wrappingKey(secret, kdfSalt), iv);
  cipher.setAAD(aadOf(id, raw));
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  const encryptedPrivateKey = Buffer.concat([cipher.update(der), cipher.final()]);
  return {
    id,
    algorithm: "Ed25519",
    publicKey: raw,
    fingerprint: fingerprintOf(raw),
    encryptedPrivateKey,
    kdfSalt,
    iv,
    authTag: cipher.getAuthTag(),
    active: true,
  };
}

/**
 * The private key of a stored key, decrypted with `secret`; throws JournalKeyError when the secret
 * is not the one it was encrypted with, or when the stored public key is not the private key's own
 * (someone replaced it in the database).
 */
export function unlockJournalKey(stored: StoredJournalKey, secret: string): KeyObject {
  let privateKey: KeyObject;
  try {
    const decipher = createDecipheriv("aes-256-gcm", wrappingKey(secret, stored.kdfSalt), stored.iv);
    decipher.setAAD(aadOf(stored.id, stored.publicKey));
    decipher.setAuthTag(stored.authTag);
    const der = Buffer.concat([decipher.update(stored.encryptedPrivateKey), decipher.final()]);
    privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    throw new JournalKeyError(
      `the sales journal's signing key ${stored.id} (fingerprint ${stored.fingerprint}) cannot be decrypted: ` +
        "either SERVICE_CREDENTIAL is not the one retail started with when the key was created, or the key row " +
        "was altered. Start retail with its original SERVICE_CREDENTIAL.",
    );
  }
  const derived = rawPublicKey(createPublicKey(privateKey));
  if (derived !== stored.publicKey || fingerprintOf(derived) !== stored.fingerprint) {
    throw new JournalKeyError(
      `the public key stored for the sales journal's signing key ${stored.id} is not that key's own ` +
        `(expected fingerprint ${fingerprintOf(derived)}): the keys table was altered.`,
    );
  }
  return privateKey;
}

/**
 * The journal of every store: loads the active signing key (creating it at the first start; instances
 * starting together agree on one), logs its fingerprint, and appends entries in the writers' transactions.
 */
export async function createJournal(deps: { db: Db; logger: Logger; secret: string }): Promise<Journal> {
  if (!deps.secret) throw new JournalKeyError("the sales journal needs a secret (retail's SERVICE_CREDENTIAL)");
  let stored = await findActiveJournalKey(deps.db);
  if (!stored) {
    const created = await insertJournalKeyIfNone(deps.db, newJournalKey(deps.secret));
    stored = await findActiveJournalKey(deps.db);
    if (!stored) throw new JournalKeyError("the sales journal's signing key could not be stored");
    if (created) deps.logger.info({ keyId: stored.id }, "sales journal: signing key created");
  }
  const signer: JournalSigner = { keyId: stored.id, privateKey: unlockJournalKey(stored, deps.secret) };
  deps.logger.info(
    { keyId: stored.id, fingerprint: stored.fingerprint },
    `sales journal signing key ${stored.id}, fingerprint ${stored.fingerprint} (pin it: comptoir retail verify --key)`,
  );
  return {
    async append(tx: Tx, input: JournalInput, lockedHead?: JournalHead): Promise<JournalEntry> {
      const head = lockedHead ?? (await lockJournalHead(tx, input.storeId));
      const entry = sealEntry(head, input, signer, new Date());
      await insertJournalEntry(tx, entry);
      return entry;
    },
  };
}

// ——— Reading and verifying (no private key needed) ———

/** The published keys: what a verifier needs, fingerprints recomputed from the keys themselves. */
export async function journalKeys(deps: { db: Queryable }) {
  return (await listJournalKeys(deps.db)).map((k) => ({
    id: k.id,
    algorithm: k.algorithm,
    publicKey: k.publicKey,
    fingerprint: fingerprintOf(k.publicKey),
    active: k.active,
    createdAt: k.createdAt,
  }));
}

/** A store's entries in order, after `afterSeq`. */
export async function readJournal(
  deps: { db: Queryable },
  query: { storeId: string; afterSeq: number; limit: number },
): Promise<JournalEntry[]> {
  return listJournalEntries(deps.db, query.storeId, query.afterSeq, query.limit);
}

export interface StoreVerification extends JournalVerification {
  storeId: string;
}

const VERIFY_BATCH = 1000;

/**
 * Recomputes each store's chain and signatures (one store, or all). With `pinnedKey` (a fingerprint
 * the operator kept off-site), only that key is trusted: a public key swapped in the database shows
 * as entries signed by an unknown key. Reads one repeatable-read snapshot per store.
 */
export async function verifyJournals(
  deps: { db: Db },
  query: { storeId?: string; pinnedKey?: string },
): Promise<{ stores: StoreVerification[]; trustedKeys: string[] }> {
  const keys = (await journalKeys(deps)).filter(
    (k) => !query.pinnedKey || k.fingerprint === normalizeFingerprint(query.pinnedKey),
  );
  const storeIds = query.storeId ? [query.storeId] : await listJournalStores(deps.db);
  const stores: StoreVerification[] = [];
  for (const storeId of storeIds) {
    const result = await withTx(
      deps.db,
      async (tx): Promise<JournalVerification> => {
        const head = (await listJournalHeads(tx, storeId))[0] ?? { seq: 0, hash: "" };
        const verifier = chainVerifier(keys);
        let count = 0;
        let afterSeq = 0;
        let firstBroken: JournalVerification["firstBroken"] = null;
        for (;;) {
          const batch = await listJournalEntries(tx, storeId, afterSeq, VERIFY_BATCH);
          for (const entry of batch) {
            count++;
            firstBroken ??= verifier.check(entry);
          }
          if (batch.length < VERIFY_BATCH) break;
          afterSeq = batch.at(-1)!.seq;
        }
        firstBroken ??= verifier.end(head);
        return { entries: count, ok: firstBroken === null, firstBroken };
      },
      { isolation: "repeatable read" },
    );
    stores.push({ storeId, ...result });
  }
  return { stores, trustedKeys: keys.map((k) => k.fingerprint) };
}

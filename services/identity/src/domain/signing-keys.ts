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
import { TOKEN_ALGORITHM } from "@comptoir/contracts";
import { type Db, UnauthorizedError, newId, withTx } from "@comptoir/platform";
import type { JWTVerifyGetKey } from "jose";
import * as repo from "../db/signing-keys.repo";

/** How long a retired key stays published beyond the token lifetime (clock skew, caches). */
export const RETIRED_KEY_GRACE_SECONDS = 5 * 60;
/** How long an instance signs with the active key it knows before re-reading it (another instance may have rotated). */
const ACTIVE_KEY_CACHE_MS = 30_000;
/** An unknown `kid` reloads the published keys at most this often. */
const RELOAD_COOLDOWN_MS = 1_000;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface Jwks {
  keys: repo.PublicJwk[];
}

/** AES-256-GCM under a key derived (HKDF-SHA256) from KEYS_SECRET; the kid is authenticated data. */
function encryptionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "comptoir-identity", "signing-keys/aes-256-gcm", 32));
}

export function encryptPrivateKey(secret: string, kid: string, pkcs8: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(secret), iv);
  cipher.setAAD(Buffer.from(kid));
  const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptPrivateKey(secret: string, kid: string, sealed: Buffer): KeyObject {
  try {
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey(secret), sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(sealed.subarray(12, 28));
    const pkcs8 = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    return createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  } catch (error) {
    throw new Error(`cannot decrypt signing key ${kid}: KEYS_SECRET differs from the one that encrypted it`, {
      cause: error,
    });
  }
}

function generateKey(secret: string) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = newId();
  const jwk = publicKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string };
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  return {
    kid,
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: TOKEN_ALGORITHM, use: "sig" },
    privateKeyEncrypted: encryptPrivateKey(secret, kid, pkcs8),
  };
}

/**
 * The signing keys, kept in the database so that every identity instance signs and verifies with
 * the same ones. Caches are only caches: the active key is re-read every 30 s, the public keys when a
 * token names a kid this instance has not seen.
 */
export class KeyStore {
  private active: { key: SigningKey; readAt: number } | undefined;
  private published = new Map<string, KeyObject>();
  private lastReload = 0;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    /** The longest lifetime of a token these keys sign (access or service token). */
    private readonly tokenTtlSeconds: number,
  ) {}

  /**
   * Makes sure an active key exists, creating the first one, or rotating when it is older than
   * `rotationDays` (0: never). Several instances starting together create a single key.
   */
  async ensureActiveKey(rotationDays: number): Promise<void> {
    await withTx(this.db, async (tx) => {
      await repo.lockSigningKeys(tx);
      const active = await repo.findActiveKey(tx);
      if (active && !(rotationDays > 0 && (await repo.activeKeyOlderThan(tx, rotationDays)))) return;
      await repo.retireActiveKey(tx);
      await repo.insertActiveKey(tx, generateKey(this.secret));
    });
    this.forget();
  }

  /** A new active key; the previous one is retired but stays published while its tokens may live. */
  async rotate(): Promise<{ kid: string }> {
    const key = generateKey(this.secret);
    await withTx(this.db, async (tx) => {
      await repo.lockSigningKeys(tx);
      await repo.retireActiveKey(tx);
      await repo.insertActiveKey(tx, key);
    });
    this.forget();
    return { kid: key.kid };
  }

  /** The key new tokens are signed with. */
  async signingKey(): Promise<SigningKey> {
    if (this.active && Date.now() - this.active.readAt < ACTIVE_KEY_CACHE_MS) return this.active.key;
    const row = await repo.findActiveKey(this.db);
    if (!row) throw new Error("no active signing key: ensureActiveKey() was not called");
    const key = { kid: row.kid, privateKey: decryptPrivateKey(this.secret, row.kid, row.private_key_encrypted) };
    this.active = { key, readAt: Date.now() };
    return key;
  }

  /** The JWKS: the active key and the retired keys whose tokens may not have expired yet. */
  async jwks(): Promise<Jwks> {
    const rows = await repo.listPublishedKeys(this.db, this.graceSeconds());
    return { keys: rows.map((r) => r.public_jwk) };
  }

  /** A jose key resolver for identity's own token verifier. */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    const kid = header.kid;
    if (!kid) throw new UnauthorizedError("The access token names no key.", "invalid_token");
    let key = this.published.get(kid);
    if (!key) {
      await this.reload();
      key = this.published.get(kid);
    }
    if (!key) throw new UnauthorizedError("The access token was signed with an unknown key.", "invalid_token");
    return key;
  };

  private graceSeconds(): number {
    return this.tokenTtlSeconds + RETIRED_KEY_GRACE_SECONDS;
  }

  private forget(): void {
    this.active = undefined;
    this.lastReload = 0;
  }

  /**
   * Re-reads the published keys. Reloads are shared by concurrent callers and spaced by at least
   * RELOAD_COOLDOWN_MS (a flood of made-up kids costs one query a second); a caller inside the
   * cooldown waits for the next reload rather than being refused, so a key just created by another
   * instance is always found.
   */
  private async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      try {
        const wait = RELOAD_COOLDOWN_MS - (Date.now() - this.lastReload);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const rows = await repo.listPublishedKeys(this.db, this.graceSeconds());
        this.published = new Map(
          rows.map((r) => [r.kid, createPublicKey({ key: { ...r.public_jwk }, format: "jwk" })]),
        );
        this.lastReload = Date.now();
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }
}

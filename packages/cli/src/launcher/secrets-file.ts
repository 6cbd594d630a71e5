import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_KEYS_SECRET } from "@comptoir/contracts";
import { UserError } from "../errors";

export const SECRETS_FILE = "secrets.json";

/** The secrets of the platform a data folder holds; only identity is given them. */
export interface PlatformSecrets {
  /** Identity's master of the service credentials (INTERNAL_SECRET). */
  internalSecret: string;
  /** Encrypts identity's signing keys at rest (KEYS_SECRET): losing it makes them unreadable. */
  keysSecret: string;
}

export interface SecretsFile {
  path: string;
  secrets: PlatformSecrets;
  /** Written by this call (first start of this data folder). */
  created: boolean;
  /** Its permissions were wider than 0600 and have been narrowed. */
  narrowed: boolean;
}

/**
 * The data folder's secrets: read from `<data>/secrets.json`, or generated (32 random bytes each,
 * base64url) and written there with mode 0600 on its first start. A data folder where identity has
 * already run without this file (created before it existed) has its signing keys encrypted under
 * the development KEYS_SECRET: that one is kept (and recorded), so the keys stay readable; the
 * caller says so at each start.
 */
export function loadOrCreateSecrets(dataDir: string): SecretsFile {
  const path = join(dataDir, SECRETS_FILE);
  if (existsSync(path)) return read(path);
  const secrets: PlatformSecrets = {
    internalSecret: randomSecret(),
    keysSecret: identityRanHere(dataDir) ? DEFAULT_KEYS_SECRET : randomSecret(),
  };
  try {
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600); // whatever the umask
  } catch (error) {
    throw new UserError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return { path, secrets, created: true, narrowed: false };
}

/** The data folder's secrets.json when there is one (read only: never created here). */
export function findSecrets(dataDir: string): SecretsFile | undefined {
  const path = join(dataDir, SECRETS_FILE);
  return existsSync(path) ? read(path) : undefined;
}

/** Identity has started with this data folder before (its cluster or its log is there). */
function identityRanHere(dataDir: string): boolean {
  return existsSync(join(dataDir, "postgres", "PG_VERSION")) || existsSync(join(dataDir, "logs", "identity-1.log"));
}

function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

function read(path: string): SecretsFile {
  let secrets: Partial<PlatformSecrets> | undefined;
  let narrowed = false;
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      chmodSync(path, 0o600);
      narrowed = true;
    }
    secrets = JSON.parse(readFileSync(path, "utf8")) as Partial<PlatformSecrets>;
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (
    typeof secrets?.internalSecret !== "string" ||
    !secrets.internalSecret ||
    typeof secrets.keysSecret !== "string" ||
    !secrets.keysSecret
  ) {
    throw new UserError(
      `${path} must hold {"internalSecret": "…", "keysSecret": "…"}; restore it — identity's signing keys are encrypted with its keysSecret`,
    );
  }
  return {
    path,
    secrets: { internalSecret: secrets.internalSecret, keysSecret: secrets.keysSecret },
    created: false,
    narrowed,
  };
}

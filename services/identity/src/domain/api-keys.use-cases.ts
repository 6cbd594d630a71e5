import { API_KEY_PATTERN, type ApiKeyTier, type ResolvedApiKey } from "@comptoir/contracts";
import { type Db, NotFoundError, newId, type Queryable } from "@comptoir/platform";
import * as repo from "../db/api-keys.repo";
import { randomSecret, sha256 } from "./tokens";

export interface ApiKeysDeps {
  db: Db;
}

/** An API key as listed: never the key, never its hash. */
export interface ApiKey {
  id: string;
  name: string;
  tier: ApiKeyTier;
  /** The key's first characters, to recognise it. */
  prefix: string;
  createdBy: string | null;
  demo: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  tier: ApiKeyTier;
  /** The secret, shown this once. */
  key: string;
  prefix: string;
  createdAt: string;
}

const KEY = new RegExp(API_KEY_PATTERN);

/** Mints a key (`ck_<tier>_<43 base64url>`) and keeps only its SHA-256. In the caller's transaction or pool. */
export async function insertNewApiKey(
  db: Queryable,
  input: { name: string; tier: ApiKeyTier; createdBy: string | null; demo?: boolean },
): Promise<CreatedApiKey> {
  const secret = randomSecret();
  const key = `ck_${input.tier}_${secret}`;
  const stored = await repo.insertApiKey(db, {
    id: newId(),
    name: input.name.trim(),
    tier: input.tier,
    keyHash: sha256(key),
    // `ck_<tier>_` and four characters of the secret: enough to recognise a key, useless to guess it.
    prefix: `ck_${input.tier}_${secret.slice(0, 4)}`,
    createdBy: input.createdBy,
    demo: input.demo ?? false,
  });
  return {
    id: stored.id,
    name: stored.name,
    tier: stored.tier,
    key,
    prefix: stored.prefix,
    createdAt: stored.createdAt,
  };
}

export function createApiKey(
  deps: ApiKeysDeps,
  createdBy: string,
  input: { name: string; tier: ApiKeyTier },
): Promise<CreatedApiKey> {
  return insertNewApiKey(deps.db, { ...input, createdBy });
}

export function listApiKeys(deps: ApiKeysDeps): Promise<ApiKey[]> {
  return repo.listApiKeys(deps.db);
}

const apiKeyNotFound = (detail = "No such API key, or it has been revoked.") =>
  new NotFoundError("api_key_not_found", detail);

export async function revokeApiKey(deps: ApiKeysDeps, id: string): Promise<void> {
  if (!(await repo.revokeApiKey(deps.db, id))) throw apiKeyNotFound(`No API key with id ${id}.`);
}

/** The gateway's lookup: the consumer and tier of a valid key; 404 for an unknown or revoked one. */
export async function resolveApiKey(deps: ApiKeysDeps, key: string): Promise<ResolvedApiKey> {
  if (!KEY.test(key)) throw apiKeyNotFound();
  const resolved = await repo.resolveApiKey(deps.db, sha256(key));
  if (!resolved) throw apiKeyNotFound();
  return resolved;
}

import type { ApiKeyTier, ResolvedApiKey } from "@comptoir/contracts";
import { type Db, NotFoundError, newId, type Queryable } from "@comptoir/platform";
import * as repo from "../db/api-keys.repo";
import { type ApiKey, type CreatedApiKey, isWellFormedKey, mintKey } from "../model/api-key";
import { randomSecret, sha256 } from "./tokens";

export interface ApiKeysDeps {
  db: Db;
}

/** Mints a key (`ck_<tier>_<43 base64url>`) and keeps only its SHA-256. In the caller's transaction or pool. */
export async function insertNewApiKey(
  db: Queryable,
  input: { name: string; tier: ApiKeyTier; createdBy: string | null; demo?: boolean },
): Promise<CreatedApiKey> {
  const { key, prefix } = mintKey(input.tier, randomSecret());
  const stored = await repo.insertApiKey(db, {
    id: newId(),
    name: input.name.trim(),
    tier: input.tier,
    keyHash: sha256(key),
    prefix,
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
  if (!isWellFormedKey(key)) throw apiKeyNotFound();
  const resolved = await repo.resolveApiKey(deps.db, sha256(key));
  if (!resolved) throw apiKeyNotFound();
  return resolved;
}

import type { ApiKeyTier, ResolvedApiKey } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import type { ApiKey } from "../model/api-key";

interface ApiKeyRow {
  id: string;
  name: string;
  tier: ApiKeyTier;
  prefix: string;
  created_by: string | null;
  demo: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = "id, name, tier, prefix, created_by, demo, created_at, last_used_at, revoked_at";

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    prefix: row.prefix,
    createdBy: row.created_by,
    demo: row.demo,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

export async function insertApiKey(
  db: Queryable,
  k: {
    id: string;
    name: string;
    tier: ApiKeyTier;
    keyHash: string;
    prefix: string;
    createdBy: string | null;
    demo: boolean;
  },
): Promise<ApiKey> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, name, tier, key_hash, prefix, created_by, demo)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [k.id, k.name, k.tier, k.keyHash, k.prefix, k.createdBy, k.demo],
  );
  return toApiKey(rows[0]!);
}

export async function listApiKeys(db: Queryable): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC`);
  return rows.map(toApiKey);
}

/** Revokes the key (keeping the first revocation time); false when there is no such key. */
export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", [
    id,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * The unrevoked key with this hash. Its last use is recorded at most once a minute, so that a busy
 * key does not turn every gateway lookup into a write.
 */
export async function resolveApiKey(db: Queryable, keyHash: string): Promise<ResolvedApiKey | undefined> {
  const { rows } = await db.query<ResolvedApiKey>(
    `WITH found AS (
       SELECT id, name, tier, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL
     ), touched AS (
       UPDATE api_keys k SET last_used_at = now() FROM found
        WHERE k.id = found.id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
     )
     SELECT id, name, tier FROM found`,
    [keyHash],
  );
  return rows[0];
}

export async function demoTiersPresent(db: Queryable): Promise<Set<ApiKeyTier>> {
  const { rows } = await db.query<{ tier: ApiKeyTier }>("SELECT DISTINCT tier FROM api_keys WHERE demo");
  return new Set(rows.map((r) => r.tier));
}

export async function countUnrevokedDemoKeys(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM api_keys WHERE demo AND revoked_at IS NULL",
  );
  return rows[0]!.n;
}

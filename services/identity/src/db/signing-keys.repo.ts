import type { Queryable } from "@comptoir/platform";

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: string;
  use: string;
}

export interface SigningKeyRow {
  kid: string;
  public_jwk: PublicJwk;
  private_key_encrypted: Buffer;
  status: "active" | "retired";
  created_at: Date;
  retired_at: Date | null;
}

const COLUMNS = "kid, public_jwk, private_key_encrypted, status, created_at, retired_at";

export async function findActiveKey(db: Queryable): Promise<SigningKeyRow | undefined> {
  const { rows } = await db.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys WHERE status = 'active'`);
  return rows[0];
}

/** The active key and the keys retired less than `graceSeconds` ago: tokens they signed may still be valid. */
export async function listPublishedKeys(db: Queryable, graceSeconds: number): Promise<SigningKeyRow[]> {
  const { rows } = await db.query<SigningKeyRow>(
    `SELECT ${COLUMNS} FROM signing_keys
      WHERE status = 'active' OR retired_at > now() - make_interval(secs => $1)
      ORDER BY (status = 'active') DESC, created_at DESC`,
    [graceSeconds],
  );
  return rows;
}

export async function retireActiveKey(db: Queryable): Promise<void> {
  await db.query("UPDATE signing_keys SET status = 'retired', retired_at = now() WHERE status = 'active'");
}

export async function insertActiveKey(
  db: Queryable,
  key: { kid: string; publicJwk: PublicJwk; privateKeyEncrypted: Buffer },
): Promise<void> {
  await db.query(
    "INSERT INTO signing_keys (kid, public_jwk, private_key_encrypted, status) VALUES ($1, $2, $3, 'active')",
    [key.kid, key.publicJwk, key.privateKeyEncrypted],
  );
}

/** Serialises key creation and rotation across identity instances (until the transaction ends). */
export async function lockSigningKeys(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))");
}

/** Whether the active key is older than `days` (false when there is none). */
export async function activeKeyOlderThan(db: Queryable, days: number): Promise<boolean> {
  const { rows } = await db.query<{ old: boolean }>(
    "SELECT created_at < now() - make_interval(days => $1) AS old FROM signing_keys WHERE status = 'active'",
    [days],
  );
  return rows[0]?.old ?? false;
}

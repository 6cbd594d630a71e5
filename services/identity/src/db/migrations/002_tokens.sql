-- Ed25519 keys that sign access tokens. The private key is encrypted with KEYS_SECRET
-- (AES-256-GCM: 12-byte IV, 16-byte tag, ciphertext). One active key at a time; retired keys stay
-- published until the tokens they signed have expired.
CREATE TABLE signing_keys (
  kid                   text PRIMARY KEY,
  public_jwk            jsonb NOT NULL,
  private_key_encrypted bytea NOT NULL,
  status                text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at            timestamptz NOT NULL DEFAULT now(),
  retired_at            timestamptz,
  CONSTRAINT signing_keys_retired_at CHECK ((status = 'retired') = (retired_at IS NOT NULL))
);

CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE status = 'active';

-- Opaque refresh tokens, stored as their SHA-256. Each login starts a family; each refresh spends
-- one token and adds the next to the family. Presenting a spent token revokes the whole family.
CREATE TABLE refresh_tokens (
  id         uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id  uuid NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  revoked_at timestamptz,
  CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins, per normalised e-mail and per client address: the throttle reads the recent ones.
-- Shared by every identity instance.
CREATE TABLE login_failures (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email     text NOT NULL,
  ip        text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

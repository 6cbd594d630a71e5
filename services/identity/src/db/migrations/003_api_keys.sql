-- API keys of client applications (consumers) and their rate-limit tier. The key itself is shown
-- once at creation; only its SHA-256 is kept, and a short prefix to recognise it in lists.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  tier         text NOT NULL CHECK (tier IN ('admin', 'frontend', 'mobile', 'partner')),
  key_hash     text NOT NULL,
  prefix       text NOT NULL,
  created_by   uuid,
  demo         boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
);

CREATE INDEX api_keys_created_idx ON api_keys (created_at);

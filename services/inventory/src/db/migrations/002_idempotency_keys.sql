-- Idempotency-Key of writes that must not happen twice (a stock adjustment retried by a client).
-- The first request claims the key in its own transaction; a concurrent one waits on the primary
-- key, then reads the stored answer. A failed request leaves no row (its transaction rolled back).
CREATE TABLE idempotency_keys (
  actor_id     uuid NOT NULL,
  key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  operation    text NOT NULL,
  request_hash text NOT NULL,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The built-in test provider's own books (PAYMENTS_PROVIDER=test): what a real provider keeps on its
-- servers. Kept here, not in a process's memory, so that they outlive a payments instance (killed,
-- restarted) and every instance sees the same ones: a capture or a refund of an authorization made
-- by another instance, or by one that crashed, works as it would at a real provider. Only the test
-- provider reads or writes these tables; of a card they hold the brand and last four digits only.

-- Each call's answer, by operation and idempotency key: the same key again gets it back (a failure
-- included) and changes nothing. The first call inserts the row in the transaction that does the
-- work; a concurrent one with the same key waits on it, then reads the answer.
CREATE TABLE test_provider_calls (
  operation       text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
  idempotency_key text NOT NULL,
  result          jsonb,
  -- A ProviderError's message: the answer to that key (result is then null).
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operation, idempotency_key)
);

CREATE TABLE test_provider_authorizations (
  reference          text PRIMARY KEY,
  -- Ours: the payment id (a technical cancel finds the authorization by it).
  merchant_reference text NOT NULL,
  amount             bigint NOT NULL,
  currency           text NOT NULL,
  brand              text NOT NULL,
  last4              text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  status             text NOT NULL CHECK (status IN ('authorized', 'captured', 'voided')),
  captured           bigint NOT NULL DEFAULT 0,
  refunded           bigint NOT NULL DEFAULT 0 CHECK (refunded BETWEEN 0 AND captured),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX test_provider_authorizations_merchant_idx ON test_provider_authorizations (merchant_reference, created_at DESC);

-- Technical cancels received before (or without) an authorization for that merchant reference.
CREATE TABLE test_provider_cancels (
  merchant_reference text PRIMARY KEY,
  created_at         timestamptz NOT NULL DEFAULT now()
);

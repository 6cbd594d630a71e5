-- Payments (SPEC §3.8): card payments and their refunds against a provider. Of a card only its
-- brand and last four digits are kept: never the number, never the CVC.

CREATE TABLE payments (
  id                 uuid PRIMARY KEY,
  order_id           uuid NOT NULL,
  status             text NOT NULL
                     CHECK (status IN ('authorized', 'captured', 'voided', 'failed', 'partially_refunded', 'refunded')),
  -- Integer minor units of currency: what was authorized (or attempted, for a failed payment).
  amount             bigint NOT NULL CHECK (amount > 0),
  currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  method             text NOT NULL CHECK (method = 'card'),
  brand              text NOT NULL CHECK (brand IN ('visa', 'mastercard', 'amex', 'other')),
  last4              text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  provider           text NOT NULL,
  -- The provider's id of the authorization; null when no answer came (provider_timeout).
  provider_reference text,
  captured_amount    bigint NOT NULL DEFAULT 0 CHECK (captured_amount BETWEEN 0 AND amount),
  refunded_amount    bigint NOT NULL DEFAULT 0 CHECK (refunded_amount BETWEEN 0 AND captured_amount),
  failure_code       text,
  failure_reason     text,
  created_by         uuid NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payments_failure CHECK ((status = 'failed') = (failure_code IS NOT NULL)),
  CONSTRAINT payments_captured CHECK (
    (status IN ('captured', 'partially_refunded', 'refunded')) = (captured_amount > 0)
  ),
  CONSTRAINT payments_refunded CHECK (
    (status IN ('partially_refunded', 'refunded')) = (refunded_amount > 0)
    AND (status <> 'refunded' OR refunded_amount = captured_amount)
  )
);
CREATE INDEX payments_order_idx ON payments (order_id, created_at DESC, id DESC);
CREATE INDEX payments_status_idx ON payments (status, created_at DESC, id DESC);
CREATE INDEX payments_created_idx ON payments (created_at DESC, id DESC);

CREATE TABLE refunds (
  id                 uuid PRIMARY KEY,
  payment_id         uuid NOT NULL REFERENCES payments (id),
  amount             bigint NOT NULL CHECK (amount > 0),
  reason             text CHECK (char_length(reason) BETWEEN 1 AND 500),
  provider_reference text NOT NULL,
  created_by         uuid NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at, id);

-- Idempotency-Key of the writes that must not happen twice (creating a payment, a refund), per
-- endpoint and caller. The first request inserts the row in the transaction that does the work; a
-- concurrent one with the same key waits on the primary key until it commits, then replays the
-- stored answer (status and body). A request that failed without effect leaves no row (rolled back).
-- Kept 24 hours.
CREATE TABLE idempotency_keys (
  endpoint     text NOT NULL,
  actor_id     uuid NOT NULL,
  key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  -- SHA-256 of the request as it matters (for a card: brand, last four digits, expiry; never the number).
  request_hash text NOT NULL,
  status_code  integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint, actor_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

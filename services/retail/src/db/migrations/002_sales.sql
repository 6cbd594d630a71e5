-- Till sales, returns, voids and store credits (issue 18). Amounts are bigint cents, VAT included.
-- A sale exists only once its saga completed: its row, its receipt number, its journal entry and its
-- event are written in one transaction (services/retail/src/domain/sale.saga.ts).

-- Receipt numbers per store and kind ('sale', 'return'): a number is taken in the transaction that
-- records the document, so a sale that fails (rolled back) leaves no gap.
CREATE TABLE receipt_counters (
  store_id    uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('sale', 'return')),
  last_number bigint NOT NULL CHECK (last_number > 0),
  PRIMARY KEY (store_id, kind)
);

-- One key per database for request fingerprints (HMAC of a request without any card number or CVC).
CREATE TABLE sale_fingerprint_key (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  key        bytea NOT NULL CHECK (octet_length(key) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sale_fingerprint_key (key)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- One row per request that started a sale, a return or a void (id = its saga's id): the key is the
-- Idempotency-Key, or the client's sale id, per caller scope; a replay finds it — running, completed
-- or failed (then with the problem it answered).
CREATE TABLE retail_requests (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('sale', 'return', 'void')),
  scope           text NOT NULL,
  idempotency_key text NOT NULL,
  fingerprint     text NOT NULL,
  -- The sale (or return) the request makes or acts on.
  document_id     uuid NOT NULL,
  status          text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  problem         jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  UNIQUE (kind, scope, idempotency_key)
);

CREATE TABLE sales (
  id              uuid PRIMARY KEY,
  store_id        uuid NOT NULL,
  register_id     uuid NOT NULL,
  session_id      uuid NOT NULL,
  cashier_id      uuid NOT NULL,
  receipt_seq     bigint NOT NULL,
  receipt_number  text NOT NULL,
  status          text NOT NULL CHECK (status IN ('completed', 'voided')),
  currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- [{variantId, productId, sku, name, quantity, unitPrice, vatRate, lineDiscount, basketDiscount, discount, lineTotal}]
  lines           jsonb NOT NULL,
  -- The basket discount as asked ({percent} or {amount}), null without one.
  basket_discount jsonb,
  subtotal        bigint NOT NULL CHECK (subtotal >= 0),
  discount_total  bigint NOT NULL CHECK (discount_total >= 0),
  total           bigint NOT NULL CHECK (total >= 0),
  vat             jsonb NOT NULL,
  -- [{method, amount, paymentId?, last4?, code?}]
  tenders         jsonb NOT NULL,
  cash_tendered   bigint NOT NULL DEFAULT 0 CHECK (cash_tendered >= 0),
  change_given    bigint NOT NULL DEFAULT 0 CHECK (change_given >= 0),
  reprints        integer NOT NULL DEFAULT 0,
  completed_at    timestamptz NOT NULL DEFAULT now(),
  voided_at       timestamptz,
  voided_by       uuid,
  void_reason     text,
  -- [{method, amount, paymentId?, code?}]: what the void gave back.
  void_refunds    jsonb,
  void_cash_refunded bigint NOT NULL DEFAULT 0,
  UNIQUE (store_id, receipt_seq),
  CONSTRAINT sales_total CHECK (total = subtotal - discount_total)
);
CREATE INDEX sales_store_idx ON sales (store_id, completed_at DESC, id DESC);
CREATE INDEX sales_session_idx ON sales (session_id);
CREATE INDEX sales_completed_idx ON sales (completed_at DESC, id DESC);

CREATE TABLE returns (
  id             uuid PRIMARY KEY,
  -- Null for a return without receipt.
  sale_id        uuid REFERENCES sales (id),
  store_id       uuid NOT NULL,
  register_id    uuid NOT NULL,
  -- The session the return was recorded in (not necessarily the sale's).
  session_id     uuid NOT NULL,
  cashier_id     uuid NOT NULL,
  -- running: the refund is under way (its quantities are held against the sale); completed; failed.
  status         text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  receipt_seq    bigint,
  receipt_number text,
  currency       text NOT NULL,
  -- [{variantId, productId, sku, name, quantity, unitPrice, vatRate, lineTotal}]
  lines          jsonb NOT NULL,
  total          bigint NOT NULL CHECK (total >= 0),
  vat            jsonb NOT NULL,
  -- [{method, amount, paymentId?, code?}]
  refunds        jsonb NOT NULL,
  cash_refunded  bigint NOT NULL DEFAULT 0,
  refund_method  text,
  reason         text,
  reprints       integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  completed_at   timestamptz,
  UNIQUE (store_id, receipt_seq)
);
CREATE INDEX returns_sale_idx ON returns (sale_id) WHERE sale_id IS NOT NULL;
CREATE INDEX returns_session_idx ON returns (session_id);
CREATE INDEX returns_store_idx ON returns (store_id, created_at DESC, id DESC);

-- Store credit (a return without receipt refunded as credit): a code usable as a sale's tender.
CREATE TABLE store_credits (
  code       text PRIMARY KEY,
  store_id   uuid NOT NULL,
  return_id  uuid NOT NULL,
  amount     bigint NOT NULL CHECK (amount > 0),
  balance    bigint NOT NULL CHECK (balance >= 0 AND balance <= amount),
  currency   text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

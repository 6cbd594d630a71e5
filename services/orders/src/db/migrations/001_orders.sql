-- Orders (SPEC §3.7): the orders taken by checkout, with the snapshot of what was bought, and the
-- checkouts themselves (one per Idempotency-Key and caller: a replayed key finds its checkout).

CREATE TABLE orders (
  id                 uuid PRIMARY KEY,
  checkout_id        uuid NOT NULL UNIQUE,
  -- Null for a guest checkout.
  customer_id        uuid,
  email              text NOT NULL,
  language           text NOT NULL CHECK (language IN ('fr', 'en')),
  channel            text NOT NULL CHECK (channel IN ('online', 'store')),
  store_id           uuid,
  -- Click-and-collect: the store location the goods were reserved at and are picked up from.
  pickup_location_id uuid,
  status             text NOT NULL
                     CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
  -- [{variantId, productId, sku, name, quantity, unitPrice}] as they were at checkout.
  lines              jsonb NOT NULL,
  subtotal           integer NOT NULL CHECK (subtotal >= 0),
  shipping           integer NOT NULL CHECK (shipping >= 0),
  total              integer NOT NULL,
  currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  shipping_address   jsonb,
  reservation_id     uuid NOT NULL,
  -- Where inventory took each line from ([{variantId, locationId, quantity}]): where a cancelled
  -- paid order's goods go back to.
  allocation         jsonb NOT NULL,
  payment_id         uuid NOT NULL,
  refunded_amount    integer NOT NULL DEFAULT 0 CHECK (refunded_amount BETWEEN 0 AND total),
  carrier            text,
  tracking_number    text,
  cancel_reason      text CHECK (char_length(cancel_reason) <= 1000),
  cancelled_by       uuid,
  placed_at          timestamptz NOT NULL DEFAULT now(),
  paid_at            timestamptz,
  shipped_at         timestamptz,
  delivered_at       timestamptz,
  cancelled_at       timestamptz,
  refunded_at        timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_total CHECK (total = subtotal + shipping)
);
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_status_idx ON orders (status, placed_at DESC, id DESC);
CREATE INDEX orders_placed_idx ON orders (placed_at DESC, id DESC);

-- One row per checkout call that started (its id is the saga's): the Idempotency-Key is unique per
-- caller (a customer, or a guest's cart), so a replay finds it — running, completed or failed.
CREATE TABLE checkouts (
  id              uuid PRIMARY KEY,
  scope           text NOT NULL,
  idempotency_key text NOT NULL,
  -- sha256 of the request body: the same key with another body is refused.
  request_hash    text NOT NULL,
  order_id        uuid NOT NULL,
  status          text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  -- The problem a failed checkout answered (replayed as is).
  problem         jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  UNIQUE (scope, idempotency_key)
);

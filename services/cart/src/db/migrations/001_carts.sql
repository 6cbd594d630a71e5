-- Carts (SPEC §3.6) in PostgreSQL, the default store (Redis when REDIS_URL is set). A cart is one
-- row; its lines are a JSON array (read and written whole, under the row's lock).
CREATE TABLE carts (
  id           uuid PRIMARY KEY,
  -- The owner of a customer cart; null for a guest cart.
  customer_id  uuid,
  -- sha256 (hex) of a guest cart's secret token; the token itself is never stored.
  token_hash   text,
  -- [{variantId, quantity, priceAtAdd, currency, productId, sku, name, thumbnailUrl, addedAt}]
  items        jsonb NOT NULL DEFAULT '[]',
  -- Orders already taken out of the cart (POST …/ordered is idempotent by orderId).
  order_ids    text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  CONSTRAINT carts_guest_or_customer CHECK ((customer_id IS NULL) <> (token_hash IS NULL)),
  CONSTRAINT carts_items_array CHECK (jsonb_typeof(items) = 'array')
);

-- One cart per customer (an expired one is deleted before a new one takes its place).
CREATE UNIQUE INDEX carts_customer_key ON carts (customer_id) WHERE customer_id IS NOT NULL;
-- The sweep of expired carts.
CREATE INDEX carts_expires_idx ON carts (expires_at);

-- Inventory (SPEC §3.4): locations, the variants catalog announced, stock levels per (variant, location),
-- the append-only movement ledger, reservations, transfers and low-stock alerts.
-- Invariants held by the database itself: on_hand >= 0, reserved >= 0, reserved <= on_hand, and a
-- ledger that can only grow.

CREATE TABLE locations (
  id         uuid PRIMARY KEY,
  code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$'),
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  kind       text NOT NULL CHECK (kind IN ('central', 'store', 'online')),
  store_id   uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT locations_code_key UNIQUE (code),
  CONSTRAINT locations_store_id_key UNIQUE (store_id),
  CONSTRAINT locations_store_id_only_for_stores CHECK (store_id IS NULL OR kind = 'store')
);

-- The two locations every installation has (ids fixed: src/domain/locations.ts). Demo stores are
-- added at start-up when COMPTOIR_DEMO is on (seedDemoStock), not here.
INSERT INTO locations (id, code, name, kind) VALUES
  ('0192f5a0-0000-7000-8000-00000000c001', 'CENTRAL', 'Entrepôt central', 'central'),
  ('0192f5a0-0000-7000-8000-00000000c002', 'ONLINE', 'Préparation des commandes en ligne', 'online');

-- Read model of catalog's variants (catalog.product.*, catalog.variant.created).
CREATE TABLE known_variants (
  id           uuid PRIMARY KEY,
  product_id   uuid NOT NULL,
  sku          text NOT NULL,
  name         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_variants_product_idx ON known_variants (product_id);

CREATE TABLE stock_levels (
  variant_id          uuid NOT NULL REFERENCES known_variants (id),
  location_id         uuid NOT NULL REFERENCES locations (id),
  on_hand             integer NOT NULL DEFAULT 0,
  reserved            integer NOT NULL DEFAULT 0,
  low_stock_threshold integer CHECK (low_stock_threshold >= 0),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (variant_id, location_id),
  CONSTRAINT stock_levels_on_hand_not_negative CHECK (on_hand >= 0),
  CONSTRAINT stock_levels_reserved_not_negative CHECK (reserved >= 0),
  CONSTRAINT stock_levels_reserved_within_on_hand CHECK (reserved <= on_hand)
);
CREATE INDEX stock_levels_location_idx ON stock_levels (location_id, variant_id);

CREATE TABLE reservations (
  id           uuid PRIMARY KEY,
  reference    text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 200),
  status       text NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
  strategy     text NOT NULL CHECK (strategy IN ('single', 'split')),
  location_id  uuid REFERENCES locations (id),
  actor_id     uuid,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  settled_at   timestamptz,
  CONSTRAINT reservations_reference_key UNIQUE (reference)
);
CREATE INDEX reservations_due_idx ON reservations (expires_at) WHERE status = 'active';

CREATE TABLE reservation_lines (
  reservation_id uuid NOT NULL REFERENCES reservations (id),
  variant_id     uuid NOT NULL,
  location_id    uuid NOT NULL,
  quantity       integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (reservation_id, variant_id, location_id),
  FOREIGN KEY (variant_id, location_id) REFERENCES stock_levels (variant_id, location_id)
);
CREATE INDEX reservation_lines_level_idx ON reservation_lines (variant_id, location_id);

CREATE TABLE transfers (
  id               uuid PRIMARY KEY,
  reference        text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 200),
  from_location_id uuid NOT NULL REFERENCES locations (id),
  to_location_id   uuid NOT NULL REFERENCES locations (id),
  reservation_id   uuid REFERENCES reservations (id),
  status           text NOT NULL CHECK (status IN ('completed', 'reversed')),
  actor_id         uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  reversed_at      timestamptz,
  CONSTRAINT transfers_reference_key UNIQUE (reference),
  CONSTRAINT transfers_distinct_locations CHECK (from_location_id <> to_location_id)
);

CREATE TABLE transfer_lines (
  transfer_id uuid NOT NULL REFERENCES transfers (id),
  variant_id  uuid NOT NULL REFERENCES known_variants (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (transfer_id, variant_id)
);

-- The ledger: on_hand of a level is always the sum of its movements' quantities.
CREATE TABLE stock_movements (
  id             uuid PRIMARY KEY,
  variant_id     uuid NOT NULL,
  location_id    uuid NOT NULL,
  type           text NOT NULL CHECK (type IN
                   ('receipt', 'sale', 'return', 'adjustment', 'transfer_out', 'transfer_in', 'reservation_commit')),
  quantity       integer NOT NULL CHECK (quantity <> 0),
  reason         text CHECK (char_length(reason) <= 500),
  actor_id       uuid,
  reference      text CHECK (char_length(reference) <= 200),
  reservation_id uuid REFERENCES reservations (id),
  transfer_id    uuid REFERENCES transfers (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (variant_id, location_id) REFERENCES stock_levels (variant_id, location_id)
);
CREATE INDEX stock_movements_level_idx ON stock_movements (variant_id, location_id, created_at);
CREATE INDEX stock_movements_location_idx ON stock_movements (location_id, created_at);
CREATE INDEX stock_movements_transfer_idx ON stock_movements (transfer_id) WHERE transfer_id IS NOT NULL;

CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock_movements is an append-only ledger: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER stock_movements_no_update_or_delete BEFORE UPDATE OR DELETE ON stock_movements
  FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only();
CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
  FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only();

CREATE TABLE alerts (
  id          uuid PRIMARY KEY,
  variant_id  uuid NOT NULL,
  location_id uuid NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'resolved')),
  threshold   integer NOT NULL,
  available   integer NOT NULL,
  raised_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  FOREIGN KEY (variant_id, location_id) REFERENCES stock_levels (variant_id, location_id)
);
CREATE UNIQUE INDEX alerts_one_open_per_level ON alerts (variant_id, location_id) WHERE status = 'open';
CREATE INDEX alerts_status_idx ON alerts (status, raised_at DESC);

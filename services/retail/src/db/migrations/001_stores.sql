-- Retail (issue 18): the stores, their cash registers, the registers' cash sessions (one open at a
-- time per register) and the cash put in or taken out of a drawer during a session.

CREATE TABLE stores (
  id            uuid PRIMARY KEY,
  code          text NOT NULL UNIQUE,
  name          text NOT NULL,
  -- {line1, line2?, postalCode, city, country}
  address       jsonb NOT NULL,
  phone         text NOT NULL,
  email         text NOT NULL,
  manager_id    uuid,
  -- {mon: [{open: "09:00", close: "19:00"}], ..., sun: []}, in the store's time zone.
  opening_hours jsonb NOT NULL,
  timezone      text NOT NULL,
  -- The store's stock location at inventory (kind store), created with the store.
  location_id   uuid NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registers (
  id         uuid PRIMARY KEY,
  store_id   uuid NOT NULL REFERENCES stores (id),
  code       text NOT NULL,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT registers_store_code_key UNIQUE (store_id, code)
);

CREATE TABLE sessions (
  id             uuid PRIMARY KEY,
  register_id    uuid NOT NULL REFERENCES registers (id),
  store_id       uuid NOT NULL REFERENCES stores (id),
  status         text NOT NULL CHECK (status IN ('open', 'closed')),
  opened_by      uuid NOT NULL,
  opened_at      timestamptz NOT NULL,
  opening_float  bigint NOT NULL CHECK (opening_float >= 0),
  -- Still open after this instant, the session was left open overnight (the store's closing time
  -- of the opening day, in its time zone, or the next local midnight): it is flagged.
  flag_after     timestamptz NOT NULL,
  closed_by      uuid,
  closed_at      timestamptz,
  -- {"<denomination in cents>": count}
  counted        jsonb,
  counted_cash   bigint,
  expected_cash  bigint,
  variance       bigint,
  close_note     text,
  z_report       jsonb,
  CONSTRAINT sessions_closed CHECK ((status = 'open') = (closed_at IS NULL))
);
-- One open session per register: a second open is refused by this index (409 session_already_open).
CREATE UNIQUE INDEX sessions_one_open_per_register ON sessions (register_id) WHERE status = 'open';
CREATE INDEX sessions_store_idx ON sessions (store_id, opened_at DESC, id DESC);
CREATE INDEX sessions_register_idx ON sessions (register_id, opened_at DESC, id DESC);
CREATE INDEX sessions_opened_idx ON sessions (opened_at DESC, id DESC);

CREATE TABLE cash_movements (
  id         uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id),
  direction  text NOT NULL CHECK (direction IN ('in', 'out')),
  amount     bigint NOT NULL CHECK (amount > 0),
  reason     text NOT NULL CHECK (reason IN ('bank_drop', 'petty_cash', 'float_top_up', 'other')),
  note       text CHECK (char_length(note) <= 500),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX cash_movements_session_idx ON cash_movements (session_id, created_at, id);

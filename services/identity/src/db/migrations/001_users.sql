-- People who sign in: staff (admin, manager, clerk) and customers. E-mails are stored lower-cased
-- and unique whatever their case.
CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'clerk', 'customer')),
  store_id      uuid,
  language      text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_customer_without_store CHECK (role <> 'customer' OR store_id IS NULL)
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role, created_at);

-- A customer's postal addresses; at most one default shipping and one default billing address each.
CREATE TABLE addresses (
  id               uuid PRIMARY KEY,
  user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  label            text CHECK (char_length(label) <= 60),
  name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  line1            text NOT NULL CHECK (char_length(line1) BETWEEN 1 AND 200),
  line2            text CHECK (char_length(line2) <= 200),
  postal_code      text NOT NULL CHECK (char_length(postal_code) BETWEEN 1 AND 20),
  city             text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 120),
  country          text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone            text CHECK (char_length(phone) <= 40),
  default_shipping boolean NOT NULL DEFAULT false,
  default_billing  boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX addresses_user_idx ON addresses (user_id, created_at);
CREATE UNIQUE INDEX addresses_one_default_shipping ON addresses (user_id) WHERE default_shipping;
CREATE UNIQUE INDEX addresses_one_default_billing ON addresses (user_id) WHERE default_billing;

-- Checkout idempotency without card data (security finding 5).
--
-- Until now `checkouts.request_hash` was an unsalted SHA-256 of the whole request body, card number,
-- expiry and CVC included: a card number is guessable (a BIN, Luhn, the last four digits in a
-- receipt), so the hash gave it back in seconds, and PCI DSS forbids keeping it. From now on a
-- checkout keeps a `fingerprint` instead: an HMAC-SHA-256, under this database's own random key
-- (below), of the body with the card reduced to its last four digits and expiry, never its number or
-- CVC (services/orders/src/domain/checkout.use-cases.ts, `fingerprintOf`).
--
-- What becomes of the old hashes: they cannot be turned into fingerprints (that needs the card), and
-- they must go. A checkout row itself must stay: it is what makes a key answer its first outcome
-- instead of a second order, and orders keeps those rows without an end (a key has no expiry here).
-- So every existing hash is set to NULL, and a checkout without a fingerprint is replayed on its key
-- alone: the same key again answers its order (or its problem) whatever the body, where it used to
-- answer 422 idempotency_key_reused for another body. Only keys used before this migration lose that
-- check; a client retrying a checkout across the upgrade still gets its one order.
--
-- The column is renamed (request_hash → fingerprint) so that an instance of the previous version
-- still running during a rolling upgrade fails its inserts instead of writing new card hashes.
-- UPDATE leaves the old values in dead row versions until VACUUM, in the WAL and in backups taken
-- before: after the upgrade an operator should run `VACUUM checkouts` on orders' database and let
-- older backups and WAL archives expire (a migration runs in a transaction, where VACUUM cannot).

-- One key per database, 32 bytes from two random UUIDs (gen_random_uuid uses the server's strong
-- random source; 244 random bits), created here and never shown by the API.
CREATE TABLE checkout_fingerprint_key (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  key        bytea NOT NULL CHECK (octet_length(key) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO checkout_fingerprint_key (key)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

ALTER TABLE checkouts RENAME COLUMN request_hash TO fingerprint;
ALTER TABLE checkouts ALTER COLUMN fingerprint DROP NOT NULL;
UPDATE checkouts SET fingerprint = NULL;
COMMENT ON COLUMN checkouts.fingerprint IS
  'HMAC-SHA-256 (key: checkout_fingerprint_key) of the request without the card number or CVC; NULL for a checkout made before migration 002: replayed on its key alone';

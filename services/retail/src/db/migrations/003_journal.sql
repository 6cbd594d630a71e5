-- The inalterable sales journal (issue 18; docs/adr: the journal ADR). Every sale, return, void, reprint
-- and session close of a store is appended, in the transaction that records the document, as one entry
-- chained to the one before by SHA-256 and signed with Ed25519 (the hashing and signing are done by the
-- service, src/model/journal.ts; the database only keeps and guards).

-- The signing keys. The private key is stored encrypted (AES-256-GCM under a key derived with HKDF from
-- the service's SERVICE_CREDENTIAL, which is never stored here); the public key is published by
-- GET /api/retail/journal/keys and its fingerprint printed at every start, for `comptoir retail verify --key`.
CREATE TABLE journal_keys (
  id                    uuid PRIMARY KEY,
  algorithm             text NOT NULL CHECK (algorithm = 'Ed25519'),
  public_key            text NOT NULL,              -- raw 32 bytes, base64url
  fingerprint           text NOT NULL,              -- SHA-256 (hex) of the raw public key
  encrypted_private_key bytea NOT NULL,             -- PKCS#8 DER, AES-256-GCM ciphertext
  kdf_salt              bytea NOT NULL,
  iv                    bytea NOT NULL,
  auth_tag              bytea NOT NULL,
  active                boolean NOT NULL DEFAULT true,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT journal_keys_fingerprint_key UNIQUE (fingerprint)
);
-- One active key: instances that start together each try to create it, one wins, the others read it.
CREATE UNIQUE INDEX journal_keys_one_active ON journal_keys ((true)) WHERE active;

-- One row per store: where its chain ends. Appending locks it (SELECT ... FOR UPDATE through an upsert),
-- so the appends of one store are serialized — no gap, no fork — while other stores' appends go on.
CREATE TABLE journal_heads (
  store_id        uuid PRIMARY KEY,
  seq             bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
  hash            text NOT NULL DEFAULT repeat('0', 64),
  grand_total     bigint NOT NULL DEFAULT 0,
  perpetual_total bigint NOT NULL DEFAULT 0 CHECK (perpetual_total >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journal_entries (
  store_id        uuid NOT NULL,
  seq             bigint NOT NULL CHECK (seq >= 1),
  kind            text NOT NULL CHECK (kind IN ('sale', 'return', 'void', 'session_close', 'reprint')),
  document_id     text NOT NULL,
  document_number text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  amount          bigint NOT NULL,
  vat             jsonb NOT NULL,
  payload         jsonb NOT NULL,
  grand_total     bigint NOT NULL,
  perpetual_total bigint NOT NULL,
  previous_hash   text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
  hash            text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  signature       text NOT NULL,
  key_id          uuid NOT NULL REFERENCES journal_keys (id),
  recorded_at     timestamptz NOT NULL,
  PRIMARY KEY (store_id, seq),
  -- A fork (two entries after the same one) cannot be written even by a bug.
  CONSTRAINT journal_entries_previous_hash_key UNIQUE (store_id, previous_hash)
);
CREATE INDEX journal_entries_document_idx ON journal_entries (document_id);

-- Inalterability: an entry once written is never changed nor removed, whoever asks.
CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the sales journal is inalterable: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'entries are only ever appended; a correction is a new entry (a return or a void)';
END
$$;

CREATE TRIGGER journal_entries_no_update_delete
  BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_entries_no_truncate
  BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();

-- A key that signed entries must stay verifiable: keys are never changed nor removed either.
CREATE TRIGGER journal_keys_no_update_delete
  BEFORE UPDATE OR DELETE ON journal_keys
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_keys_no_truncate
  BEFORE TRUNCATE ON journal_keys
  FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();

-- The Idempotency-Keys of a cart's recent keyed writes (adding units, setting or removing a line,
-- associating a guest cart): [{key, fingerprint}], newest last, at most 50. A write sent again under
-- its key (a gateway's retry on another instance) finds its key here and changes nothing.
ALTER TABLE carts ADD COLUMN recent_keys jsonb NOT NULL DEFAULT '[]';
ALTER TABLE carts ADD CONSTRAINT carts_recent_keys_array CHECK (jsonb_typeof(recent_keys) = 'array');

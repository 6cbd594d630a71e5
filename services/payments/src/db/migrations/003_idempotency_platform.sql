-- The Idempotency-Keys of payments and refunds move to the platform's idempotency module, which keeps
-- them in a table of the same name, scoped by actor, operation and key. The rows are converted rather
-- than dropped: orders retrying an authorization across the upgrade still gets its first answer
-- instead of a second charge.
-- - endpoint becomes operation: "POST /api/payments/payments" → "payments.authorize",
--   "POST /api/payments/payments/:id/refunds" → "payments.refund"; actor_id (a uuid) becomes actor.
-- - status_code and response are kept as they are (the same status and body are replayed).
-- - The old request hashes were of the request's JSON in the order it was written, not the module's
--   canonical form: they cannot be compared with the new fingerprints, so they are set to NULL and
--   those keys are answered on the key alone until they are pruned (24 hours).
-- The platform's migration (idempotency-001) then finds the table in its shape (CREATE IF NOT EXISTS).
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys RENAME COLUMN endpoint TO operation;
ALTER TABLE idempotency_keys RENAME COLUMN actor_id TO actor;
ALTER TABLE idempotency_keys ALTER COLUMN actor TYPE text;
ALTER TABLE idempotency_keys RENAME COLUMN request_hash TO fingerprint;
ALTER TABLE idempotency_keys ALTER COLUMN fingerprint DROP NOT NULL;
-- A row without an answer cannot be committed (the key and its answer were one statement).
DELETE FROM idempotency_keys WHERE status_code IS NULL;
UPDATE idempotency_keys
   SET fingerprint = NULL,
       operation = CASE operation
                     WHEN 'POST /api/payments/payments' THEN 'payments.authorize'
                     WHEN 'POST /api/payments/payments/:id/refunds' THEN 'payments.refund'
                     ELSE operation
                   END;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (actor, operation, key);

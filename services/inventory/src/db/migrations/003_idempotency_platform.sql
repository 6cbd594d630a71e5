-- The Idempotency-Keys of stock adjustments move to the platform's idempotency module, which keeps
-- them in a table of the same name, scoped by actor, operation and key, with the answer's status.
-- The rows are converted rather than dropped: a client retrying an adjustment across the upgrade
-- still gets its first answer instead of moving stock twice.
-- - actor_id (a uuid) becomes actor (text); the operation was "stock.adjust", now
--   "inventory.stock.adjust"; every stored answer was a 201 (refusals rolled back, leaving no row).
-- - The old request hashes were of the body's JSON in the order it was written, not the module's
--   canonical form: they cannot be compared with the new fingerprints, so they are set to NULL and
--   those keys are answered on the key alone until they are pruned (24 hours).
-- The platform's migration (idempotency-001) then finds the table in its shape (CREATE IF NOT EXISTS).
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys RENAME COLUMN actor_id TO actor;
ALTER TABLE idempotency_keys ALTER COLUMN actor TYPE text;
ALTER TABLE idempotency_keys RENAME COLUMN request_hash TO fingerprint;
ALTER TABLE idempotency_keys ALTER COLUMN fingerprint DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN status_code integer;
-- A row without an answer cannot be committed (the key and its answer were one transaction).
DELETE FROM idempotency_keys WHERE response IS NULL;
UPDATE idempotency_keys
   SET fingerprint = NULL, status_code = 201,
       operation = CASE operation WHEN 'stock.adjust' THEN 'inventory.stock.adjust' ELSE operation END;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (actor, operation, key);

import { applyMigrations, inlineMigration, type MigrateOptions } from "../db/migrate";
import type { Db } from "../db/pool";
import type { Logger } from "../logging/logger";

/**
 * The table of a service whose writes take an Idempotency-Key (see `once`), in its own database.
 * Applied by `runService({ idempotency: true })` (history in `platform_migrations`). `IF NOT EXISTS`:
 * inventory and payments kept keys in a table of this name before the module moved to the platform;
 * their own migrations convert it to this shape first.
 */
export const IDEMPOTENCY_TABLES_MIGRATIONS = [
  inlineMigration(
    "idempotency-001",
    "idempotency_keys",
    `
-- One row per (actor, operation, key): inserted by the first request in the transaction that does the
-- work, and committed with its answer. A concurrent duplicate waits on the primary key until that
-- transaction ends, then replays the answer (or claims the key if it rolled back or its process died).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  actor       text NOT NULL,
  operation   text NOT NULL,
  key         text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  -- SHA-256 (or HMAC) of the request as the operation declares it; NULL for a key converted from
  -- before the module (answered on its key alone until it is pruned).
  fingerprint text,
  -- The first answer: its status and body (a result, or a refusal's problem document).
  status_code integer,
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, operation, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_idx ON idempotency_keys (created_at);
`,
  ),
];

export async function migrateIdempotencyTables(db: Db, logger?: Logger, options: MigrateOptions = {}): Promise<void> {
  await applyMigrations(db, IDEMPOTENCY_TABLES_MIGRATIONS, { table: "platform_migrations", logger, ...options });
}

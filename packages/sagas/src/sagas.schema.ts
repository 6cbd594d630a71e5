import { applyMigrations, type Db, inlineMigration, type MigrateOptions } from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";

/**
 * The tables of a service that runs sagas (createSagaRunner): each saga's state, persisted after
 * every step, and its history. Applied by `runService({ parts: [sagasPart] })` (history in
 * `platform_migrations`). `IF NOT EXISTS`: supply created the same tables in its own first
 * migration, before the runner moved to the platform.
 */
export const SAGA_TABLES_MIGRATIONS = [
  inlineMigration(
    "saga-001",
    "sagas",
    `
-- A saga: steps of {run, compensate} carried out in order; persisted after every step so that a
-- crashed instance's work is resumed (or compensated) by the next one to claim it.
CREATE TABLE IF NOT EXISTS sagas (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL,
  status          text NOT NULL CHECK (status IN ('running', 'compensating', 'completed', 'failed')),
  input           jsonb NOT NULL,
  -- running: the index of the next step to run; compensating: of the next step to compensate.
  step            integer NOT NULL DEFAULT 0 CHECK (step >= -1),
  -- Each finished step's output (what its compensation needs), by step name.
  outputs         jsonb NOT NULL DEFAULT '{}',
  -- The step whose outcome is unknown (it kept failing for lack of an answer): compensation runs it
  -- again first (every step is idempotent), then undoes it.
  uncertain       boolean NOT NULL DEFAULT false,
  reason          text,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_by       text,
  locked_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sagas_due_idx ON sagas (next_attempt_at) WHERE status IN ('running', 'compensating');

-- What each saga did, in order.
CREATE TABLE IF NOT EXISTS saga_history (
  saga_id  uuid NOT NULL REFERENCES sagas (id),
  seq      integer NOT NULL,
  step     text NOT NULL,
  action   text NOT NULL CHECK (action IN ('run', 'compensate')),
  outcome  text NOT NULL CHECK (outcome IN ('done', 'failed', 'retry', 'skipped')),
  detail   text,
  at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (saga_id, seq)
);
`,
  ),
  inlineMigration(
    "saga-002",
    "saga_failure",
    `
-- The refusal that made a saga turn back ({step, code, message, details}): what a caller is told.
ALTER TABLE sagas ADD COLUMN IF NOT EXISTS failure jsonb;
`,
  ),
  inlineMigration(
    "saga-003",
    "saga_fillfactor",
    `
-- A saga's row is updated after every step: room left in each page lets the new version stay on
-- the same page (a HOT update, without new index entries).
ALTER TABLE sagas SET (fillfactor = 70);
`,
  ),
];

export async function migrateSagaTables(db: Db, logger?: Logger, options: MigrateOptions = {}): Promise<void> {
  await applyMigrations(db, SAGA_TABLES_MIGRATIONS, { table: "platform_migrations", logger, ...options });
}

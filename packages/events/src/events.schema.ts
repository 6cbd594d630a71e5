import { inlineMigration } from "@comptoir/platform/db";

/**
 * The tables every service with events keeps in its own database, next to its business tables:
 * the outbox it publishes through, the inbox of events it has handled, its dead letters, and the
 * state of its consumer groups. Applied by `runService` (history in `platform_migrations`).
 */
export const EVENT_TABLES_MIGRATIONS = [
  inlineMigration(
    "001",
    "events",
    `
CREATE TABLE outbox (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  subject text NOT NULL,
  partition smallint NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_unsent ON outbox (position) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE inbox (
  consumer_group text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

CREATE TABLE dead_letters (
  id uuid PRIMARY KEY,
  consumer_group text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  stream text NOT NULL,
  partition smallint NOT NULL,
  sequence bigint NOT NULL,
  envelope jsonb NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz
);
CREATE INDEX dead_letters_pending ON dead_letters (consumer_group, failed_at) WHERE replayed_at IS NULL;

CREATE TABLE consumer_groups (
  consumer_group text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false,
  reset_at timestamptz
);
`,
  ),
];

/** NOTIFY channel that wakes the outbox relay when a transaction that published commits. */
export const OUTBOX_CHANNEL = "comptoir_outbox";

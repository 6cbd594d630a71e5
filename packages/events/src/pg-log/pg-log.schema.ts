import { inlineMigration } from "@comptoir/platform/db";

/**
 * The embedded event log's own database (`<base>_events`). Append-only: rows are never updated.
 * Each stream has a gap-free commit order because appends to one stream hold its `streams` row
 * lock until they commit, so a reader that has seen sequence N never misses an event below N.
 */
export const PG_LOG_MIGRATIONS = [
  inlineMigration(
    "001",
    "event_log",
    `
CREATE TABLE streams (
  name text PRIMARY KEY,
  last_sequence bigint NOT NULL DEFAULT 0
);

CREATE TABLE events (
  stream text NOT NULL REFERENCES streams (name),
  sequence bigint NOT NULL,
  partition smallint NOT NULL,
  id uuid NOT NULL,
  type text NOT NULL,
  envelope jsonb NOT NULL,
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, sequence)
);
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_by_partition ON events (stream, partition, sequence);

CREATE TABLE consumer_offsets (
  consumer_group text NOT NULL,
  stream text NOT NULL,
  partition smallint NOT NULL,
  sequence bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, stream, partition)
);
`,
  ),
];

/** The NOTIFY channel; the payload is the stream name. */
export const EVENTS_CHANNEL = "comptoir_events";

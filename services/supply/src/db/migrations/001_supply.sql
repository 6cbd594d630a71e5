-- Supply (SPEC §3.5): replenishment requests from a store to the central warehouse, and the sagas
-- that carry out approved ones.

CREATE TABLE supply_requests (
  id               uuid PRIMARY KEY,
  store_id         uuid NOT NULL,
  -- The store's stock location (where the goods go) and the central warehouse's (where they come from).
  location_id      uuid NOT NULL,
  from_location_id uuid NOT NULL,
  status           text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'completed', 'failed')),
  note             text CHECK (char_length(note) <= 1000),
  requested_by     uuid NOT NULL,
  decided_by       uuid,
  -- Why it was rejected (mandatory then) or why it failed.
  reason           text CHECK (char_length(reason) BETWEEN 1 AND 1000),
  created_at       timestamptz NOT NULL DEFAULT now(),
  decided_at       timestamptz,
  finished_at      timestamptz,
  CONSTRAINT supply_requests_decision CHECK ((status = 'requested') = (decided_by IS NULL)),
  CONSTRAINT supply_requests_reason CHECK (status NOT IN ('rejected', 'failed') OR reason IS NOT NULL)
);
CREATE INDEX supply_requests_status_idx ON supply_requests (status, created_at DESC, id DESC);
CREATE INDEX supply_requests_location_idx ON supply_requests (location_id, created_at DESC, id DESC);

CREATE TABLE supply_request_lines (
  request_id uuid NOT NULL REFERENCES supply_requests (id),
  variant_id uuid NOT NULL,
  quantity   integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
  PRIMARY KEY (request_id, variant_id)
);

-- A saga: steps of {run, compensate} carried out in order; persisted after every step so that a
-- crashed instance's work is resumed (or compensated) by the next one to claim it.
CREATE TABLE sagas (
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
CREATE INDEX sagas_due_idx ON sagas (next_attempt_at) WHERE status IN ('running', 'compensating');

-- What each saga did, in order: the timeline shown with a request.
CREATE TABLE saga_history (
  saga_id  uuid NOT NULL REFERENCES sagas (id),
  seq      integer NOT NULL,
  step     text NOT NULL,
  action   text NOT NULL CHECK (action IN ('run', 'compensate')),
  outcome  text NOT NULL CHECK (outcome IN ('done', 'failed', 'retry', 'skipped')),
  detail   text,
  at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (saga_id, seq)
);

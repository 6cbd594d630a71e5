-- Notifications (SPEC §3.12): the e-mails written from events, and what the service needs to know to
-- address and word them (read models fed by identity's and catalog's events).

-- Users as identity announces them: staff are addressed by role and store (a store's managers get its
-- low-stock alerts), a requester by id. Rebuilt by replaying the "notifications-directory" group.
CREATE TABLE directory_users (
  id         uuid PRIMARY KEY,
  email      text NOT NULL,
  name       text NOT NULL,
  role       text NOT NULL CHECK (role IN ('admin', 'manager', 'clerk', 'customer')),
  store_id   uuid,
  language   text NOT NULL CHECK (language IN ('fr', 'en')),
  active     boolean NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX directory_users_staff_idx ON directory_users (role, store_id) WHERE active;

-- Variants as catalog announces them: a replenishment mail names the goods, not their ids.
CREATE TABLE directory_variants (
  id           uuid PRIMARY KEY,
  sku          text NOT NULL,
  product_name text NOT NULL,
  -- The variant's options, e.g. "M / navy"; empty when it has none.
  options      text NOT NULL DEFAULT ''
);

-- Events whose mails were decided (made, or deliberately none). The bus's inbox already skips an
-- event delivered twice, but a replay of the group from the start clears the inbox: this table is
-- not cleared, so an event never makes mails again, not even to people added since.
CREATE TABLE mailed_events (
  event_id   uuid PRIMARY KEY,
  event_type text NOT NULL,
  mails      integer NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now()
);

-- One e-mail to one recipient. Written by an event handler in the transaction that records the
-- event as handled, delivered later by the sender worker of any instance.
CREATE TABLE messages (
  id              uuid PRIMARY KEY,
  event_id        uuid NOT NULL,
  event_type      text NOT NULL,
  template        text NOT NULL,
  recipient       text NOT NULL,
  -- The user the mail is for, when known (the customer, the manager, the requester).
  user_id         uuid,
  language        text NOT NULL CHECK (language IN ('fr', 'en')),
  subject         text NOT NULL,
  body_text       text NOT NULL,
  body_html       text NOT NULL,
  -- What the mail is about ("order:<id>", "supply-request:<id>"): a later mail on the same topic may
  -- supersede a provisional one still waiting.
  topic           text,
  status          text NOT NULL CHECK (status IN ('queued', 'sent', 'stored', 'dead', 'superseded')),
  -- Send attempts made (SMTP); the next one is due at next_attempt_at while queued.
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  -- An event makes at most one mail per recipient, even when handled again after a replay.
  CONSTRAINT messages_once UNIQUE (event_id, recipient)
);
CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_newest_idx ON messages (created_at DESC, id DESC);
CREATE INDEX messages_status_idx ON messages (status, created_at DESC, id DESC);
CREATE INDEX messages_recipient_idx ON messages (lower(recipient), created_at DESC);
CREATE INDEX messages_topic_idx ON messages (topic) WHERE status = 'queued';

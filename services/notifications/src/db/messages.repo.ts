import { type Queryable, selectPage } from "@comptoir/platform";
import type { Message, MessageStatus, MessageSummary } from "../model/message";

interface Row {
  id: string;
  event_id: string;
  event_type: string;
  template: string;
  recipient: string;
  user_id: string | null;
  language: "fr" | "en";
  subject: string;
  body_text?: string;
  body_html?: string;
  status: MessageStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  updated_at: Date;
  delivered_at: Date | null;
}

function toSummary(row: Row): MessageSummary {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    template: row.template,
    to: row.recipient,
    userId: row.user_id,
    language: row.language,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.status === "queued" ? row.next_attempt_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: row.delivered_at ? row.delivered_at.toISOString() : null,
  };
}

const toMessage = (row: Row): Message => ({ ...toSummary(row), text: row.body_text!, html: row.body_html! });

const SUMMARY_COLUMNS = `id, event_id, event_type, template, recipient, user_id, language, subject, status, attempts,
  last_error, next_attempt_at, created_at, updated_at, delivered_at`;
const ALL_COLUMNS = `${SUMMARY_COLUMNS}, body_text, body_html`;

export type NewMessage = Pick<
  Message,
  "id" | "eventId" | "eventType" | "template" | "to" | "userId" | "language" | "subject" | "text" | "html"
> & {
  topic: string | null;
  /** Wait this long before the first attempt (a provisional mail that may be superseded). */
  holdMs: number;
};

/**
 * Queues the mails of an event, in one statement: records that its mails are decided (`mailed_events`),
 * marks the provisional mails of `supersede.topic` still waiting as superseded, and inserts the new
 * ones (at most one per event and recipient). Does nothing and returns undefined when the event's
 * mails were decided before (it is handled again after a replay from the start); else how many
 * messages were queued. (The supersede sees the rows as they were before the statement: never the new ones.)
 */
export async function queueMails(
  tx: Queryable,
  event: { id: string; type: string },
  mails: readonly NewMessage[],
  supersede?: { topic: string; templates: readonly string[] },
): Promise<number | undefined> {
  const column = <K extends keyof NewMessage>(key: K) => mails.map((m) => m[key]);
  const { rows } = await tx.query<{ recorded: boolean; queued: number }>(
    `WITH recorded AS (
       INSERT INTO mailed_events (event_id, event_type, mails) VALUES ($1, $2, $3)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id
     ), superseded AS (
       UPDATE messages SET status = 'superseded', updated_at = now()
        WHERE $4::text IS NOT NULL AND topic = $4 AND status = 'queued' AND template = ANY($5)
          AND EXISTS (SELECT 1 FROM recorded)
     ), queued AS (
       INSERT INTO messages (id, event_id, event_type, template, recipient, user_id, language, subject, body_text,
                             body_html, topic, status, next_attempt_at)
       SELECT m.id, $1, $2, m.template, m.recipient, m.user_id, m.language, m.subject, m.body_text, m.body_html,
              m.topic, 'queued', now() + make_interval(secs => m.hold_ms / 1000)
         FROM unnest($6::uuid[], $7::text[], $8::text[], $9::uuid[], $10::text[], $11::text[], $12::text[],
                     $13::text[], $14::text[], $15::float8[])
              AS m(id, template, recipient, user_id, language, subject, body_text, body_html, topic, hold_ms)
        WHERE EXISTS (SELECT 1 FROM recorded)
       ON CONFLICT ON CONSTRAINT messages_once DO NOTHING
       RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM recorded) AS recorded, (SELECT count(*)::int FROM queued) AS queued`,
    [
      event.id,
      event.type,
      mails.length,
      supersede?.topic ?? null,
      supersede?.templates ?? [],
      column("id"),
      column("template"),
      column("to"),
      column("userId"),
      column("language"),
      column("subject"),
      column("text"),
      column("html"),
      column("topic"),
      column("holdMs"),
    ],
  );
  return rows[0]!.recorded ? rows[0]!.queued : undefined;
}

/** A message ready to be sent. */
export interface Outgoing {
  id: string;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
}

/**
 * Takes the oldest due message for this sender until `leaseMs` from now (its next attempt is pushed
 * there: if this instance dies while sending, another one tries again then). Rows another instance
 * is claiming at the same moment are skipped, not waited for.
 */
export async function claimNext(db: Queryable, leaseMs: number): Promise<Outgoing | undefined> {
  const { rows } = await db.query<Outgoing>(
    `UPDATE messages m SET next_attempt_at = now() + make_interval(secs => $1::float8 / 1000), updated_at = now()
       FROM (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= now()
              ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) AS due
      WHERE m.id = due.id
      RETURNING m.id, m.template, m.recipient AS "to", m.subject, m.body_text AS text, m.body_html AS html, m.attempts`,
    [leaseMs],
  );
  return rows[0];
}

/** Without SMTP: up to `limit` due messages go to the embedded mailbox (status `stored`) at once. */
export async function storeDue(db: Queryable, limit: number): Promise<{ id: string; template: string }[]> {
  const { rows } = await db.query<{ id: string; template: string }>(
    `UPDATE messages m SET status = 'stored', delivered_at = now(), updated_at = now()
       FROM (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= now()
              ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) AS due
      WHERE m.id = due.id
      RETURNING m.id, m.template`,
    [limit],
  );
  return rows;
}

export async function markSent(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE messages SET status = 'sent', attempts = attempts + 1, last_error = NULL, delivered_at = now(),
            updated_at = now()
      WHERE id = $1 AND status = 'queued'`,
    [id],
  );
}

export async function markRetry(db: Queryable, id: string, error: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE messages SET attempts = attempts + 1, last_error = $2,
            next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
      WHERE id = $1 AND status = 'queued'`,
    [id, error, delayMs],
  );
}

export async function markDead(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE messages SET status = 'dead', attempts = attempts + 1, last_error = $2, updated_at = now()
      WHERE id = $1 AND status = 'queued'`,
    [id, error],
  );
}

/** A dead message back in the queue, due now, with a fresh set of attempts; undefined if it is not dead. */
export async function requeueDead(db: Queryable, id: string): Promise<Message | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE messages SET status = 'queued', attempts = 0, next_attempt_at = now(), updated_at = now()
      WHERE id = $1 AND status = 'dead'
      RETURNING ${ALL_COLUMNS}`,
    [id],
  );
  return rows[0] && toMessage(rows[0]);
}

export async function findMessage(db: Queryable, id: string): Promise<Message | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${ALL_COLUMNS} FROM messages WHERE id = $1`, [id]);
  return rows[0] && toMessage(rows[0]);
}

export interface MessageFilter {
  to?: string;
  template?: string;
  status?: MessageStatus;
  limit: number;
  offset: number;
}

export async function listMessages(
  db: Queryable,
  f: MessageFilter,
): Promise<{ data: MessageSummary[]; total: number }> {
  const where = `($1::text IS NULL OR lower(recipient) = lower($1)) AND ($2::text IS NULL OR template = $2)
                 AND ($3::text IS NULL OR status = $3)`;
  const params = [f.to ?? null, f.template ?? null, f.status ?? null];
  const { rows, total } = await selectPage<Row>(
    db,
    {
      text: `SELECT ${SUMMARY_COLUMNS}, count(*) OVER ()::int AS total FROM messages
              WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
      values: [...params, f.limit, f.offset],
    },
    { text: `SELECT count(*)::int AS total FROM messages WHERE ${where}`, values: params },
    f.offset,
  );
  return { data: rows.map(toSummary), total };
}

/** Messages waiting to be sent (held ones included) and dead ones: what `/metrics` shows. */
export async function queueFigures(db: Queryable): Promise<{ queued: number; due: number; dead: number }> {
  const { rows } = await db.query<{ queued: number; due: number; dead: number }>(
    `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
            count(*) FILTER (WHERE status = 'queued' AND next_attempt_at <= now())::int AS due,
            count(*) FILTER (WHERE status = 'dead')::int AS dead
       FROM messages WHERE status IN ('queued', 'dead')`,
  );
  return rows[0]!;
}

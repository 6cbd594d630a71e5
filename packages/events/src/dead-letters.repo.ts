import type { RawEnvelope } from "@comptoir/contracts";
import { type Queryable, selectPage } from "@comptoir/platform/db";
import { newId } from "@comptoir/platform";
import type { Delivery } from "./transport";

export interface DeadLetter {
  id: string;
  group: string;
  eventId: string;
  eventType: string;
  stream: string;
  partition: number;
  sequence: number;
  envelope: RawEnvelope;
  error: string;
  attempts: number;
  failedAt: string;
  replayedAt: string | null;
}

const COLUMNS = `id, consumer_group AS "group", event_id AS "eventId", event_type AS "eventType", stream, partition,
  sequence::float8 AS sequence, envelope, error, attempts, failed_at AS "failedAt", replayed_at AS "replayedAt"`;

export async function insert(
  db: Queryable,
  entry: { group: string; delivery: Delivery; partition: number; error: string; attempts: number },
): Promise<void> {
  const envelope = entry.delivery.envelope as Partial<RawEnvelope> | null;
  const type = typeof envelope?.type === "string" && envelope.type ? envelope.type : "unknown";
  await db.query(
    `INSERT INTO dead_letters (id, consumer_group, event_id, event_type, stream, partition, sequence, envelope, error, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      newId(),
      entry.group,
      typeof envelope?.id === "string" ? envelope.id : "",
      type,
      type.includes(".") ? type.slice(0, type.indexOf(".")) : "unknown",
      entry.partition,
      entry.delivery.sequence,
      JSON.stringify(entry.delivery.envelope ?? null),
      entry.error.slice(0, 8000),
      entry.attempts,
    ],
  );
}

export async function list(
  db: Queryable,
  filter: { group?: string; includeReplayed?: boolean; limit: number; offset: number },
): Promise<{ data: DeadLetter[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR consumer_group = $1) AND ($2 OR replayed_at IS NULL)`;
  const params = [filter.group ?? null, filter.includeReplayed ?? false];
  const { rows, total } = await selectPage<DeadLetter>(
    db,
    {
      text: `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM dead_letters ${where}
              ORDER BY failed_at, id LIMIT $3 OFFSET $4`,
      values: [...params, filter.limit, filter.offset],
    },
    { text: `SELECT count(*)::int AS total FROM dead_letters ${where}`, values: params },
    filter.offset,
  );
  return { data: rows, total };
}

export async function findForReplay(db: Queryable, id: string): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<DeadLetter>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export async function pendingIds(db: Queryable, group: string | undefined): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM dead_letters WHERE replayed_at IS NULL AND ($1::text IS NULL OR consumer_group = $1) ORDER BY failed_at, id",
    [group ?? null],
  );
  return rows.map((r) => r.id);
}

export async function markReplayed(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE dead_letters SET replayed_at = now() WHERE id = $1", [id]);
}

export async function recordReplayFailure(db: Queryable, id: string, error: string): Promise<void> {
  await db.query("UPDATE dead_letters SET attempts = attempts + 1, error = $2, failed_at = now() WHERE id = $1", [
    id,
    error.slice(0, 8000),
  ]);
}

export async function countPending(db: Queryable): Promise<{ group: string; count: number }[]> {
  const { rows } = await db.query<{ group: string; count: number }>(
    `SELECT consumer_group AS "group", count(*)::int AS count FROM dead_letters WHERE replayed_at IS NULL GROUP BY 1`,
  );
  return rows;
}

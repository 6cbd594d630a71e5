import { EVENT_PARTITIONS, type RawEnvelope } from "@comptoir/contracts";
import {
  applyMigrations,
  createPool,
  type Db,
  ensureDatabase,
  pingDatabase,
  redactUrl,
  waitForDatabase,
} from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";
import type { AppendedEvent, Delivery, EventTransport, PartitionReader } from "../transport";
import { Notifier } from "./notifier";
import { EVENTS_CHANNEL, PG_LOG_MIGRATIONS } from "./pg-log.schema";

export interface PgLogOptions {
  /** The event log's database (created if missing, migrated). */
  url: string;
  logger: Logger;
  /** Connection name in pg_stat_activity. */
  name?: string;
  poolSize?: number;
  /** How long startup waits for the database. */
  connectTimeoutMs?: number;
}

/**
 * The embedded transport: an append-only event log in a PostgreSQL database of its own, shared by
 * every service process. Appends take the stream's row lock (one writer per stream at a time, in
 * commit order), consumers keep one offset per (group, stream, partition), and LISTEN/NOTIFY wakes
 * readers as soon as an append commits.
 */
export async function createPgLogTransport(options: PgLogOptions): Promise<EventTransport> {
  await ensureDatabase(options.url).catch(() => {});
  const db = createPool(options.url, {
    max: options.poolSize ?? 2,
    applicationName: options.name ?? "comptoir-events",
  });
  try {
    await waitForDatabase(db, options.url, options.connectTimeoutMs ?? 30_000, (error) =>
      options.logger.warn(`${error.message}; retrying`),
    );
    await applyMigrations(db, PG_LOG_MIGRATIONS, { table: "event_log_migrations", logger: options.logger });
  } catch (error) {
    await db.end().catch(() => {});
    throw error;
  }
  // The LISTEN connection opens with the first reader: a service that only publishes never needs it.
  const notifier = new Notifier(options.url, options.logger);
  return new PgLogTransport(db, notifier, redactUrl(options.url));
}

class PgLogTransport implements EventTransport {
  readonly kind = "postgres";
  /**
   * Readers are woken by NOTIFY at each append to their partition (and all of them once the
   * listener is back after a lost connection): looking on their own is only a safety net. At 1 s,
   * the platform's idle readers made up about a fifth of its idle CPU.
   */
  readonly idleWaitMs = 10_000;

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    readonly description: string,
  ) {}

  async append(stream: string, events: readonly AppendedEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One statement, one round trip. The upsert of the stream's row takes its lock and the block of
    // sequence numbers; the lock is held until the commit, so appends to a stream commit in
    // sequence order. Ids already in the log (a batch re-sent after a crash) are skipped; their
    // numbers are not reused, so a stream's sequences are increasing but may have holes. The
    // notification names the stream and the partitions written (a bit mask): only their readers wake.
    await this.db.query(
      `WITH block AS (
         INSERT INTO streams AS s (name, last_sequence) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET last_sequence = s.last_sequence + $2
         RETURNING last_sequence - $2 AS last
       ), appended AS (
         INSERT INTO events (stream, sequence, partition, id, type, envelope)
         SELECT $1, block.last + t.n, t.partition, t.id, t.type, t.envelope
           FROM block, unnest($3::uuid[], $4::text[], $5::smallint[], $6::jsonb[]) WITH ORDINALITY
                AS t(id, type, partition, envelope, n)
          ORDER BY t.n
         ON CONFLICT (id) DO NOTHING
         RETURNING partition
       )
       SELECT CASE WHEN count(*) > 0 THEN pg_notify($7, $1 || ':' || bit_or(1 << partition)) END FROM appended`,
      [
        stream,
        events.length,
        events.map((e) => e.envelope.id),
        events.map((e) => e.envelope.type),
        events.map((e) => e.partition),
        events.map((e) => JSON.stringify(e.envelope)),
        EVENTS_CHANNEL,
      ],
    );
  }

  async openReader(group: string, stream: string, partition: number): Promise<PartitionReader> {
    await this.notifier.start();
    await this.db.query(
      `INSERT INTO consumer_offsets (consumer_group, stream, partition) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [group, stream, partition],
    );
    const { rows } = await this.db.query<{ sequence: string }>(
      "SELECT sequence FROM consumer_offsets WHERE consumer_group = $1 AND stream = $2 AND partition = $3",
      [group, stream, partition],
    );
    return new PgLogReader(this.db, this.notifier, group, stream, partition, Number(rows[0]!.sequence));
  }

  async resetGroup(group: string, streams: readonly string[]): Promise<void> {
    await this.db.query("DELETE FROM consumer_offsets WHERE consumer_group = $1 AND stream = ANY($2)", [
      group,
      streams,
    ]);
  }

  async lag(group: string, streams: readonly string[]): Promise<Record<string, number>> {
    // Per partition, an index range scan of what lies beyond the group's offset: cost follows the
    // lag, not the size of the log.
    const { rows } = await this.db.query<{ stream: string; lag: string }>(
      `SELECT s.stream, sum((
                SELECT count(*) FROM events e
                 WHERE e.stream = s.stream AND e.partition = p.partition AND e.sequence > coalesce(o.sequence, 0)
              )) AS lag
         FROM unnest($2::text[]) AS s(stream)
        CROSS JOIN generate_series(0, $3 - 1) AS p(partition)
         LEFT JOIN consumer_offsets o
           ON o.consumer_group = $1 AND o.stream = s.stream AND o.partition = p.partition
        GROUP BY s.stream`,
      [group, streams, EVENT_PARTITIONS],
    );
    return Object.fromEntries(rows.map((r) => [r.stream, Number(r.lag)]));
  }

  async *tail(signal: AbortSignal): AsyncIterable<RawEnvelope> {
    await this.notifier.start();
    const positions = new Map<string, number>();
    const { rows } = await this.db.query<{ name: string; last: string }>(
      "SELECT name, last_sequence AS last FROM streams",
    );
    for (const row of rows) positions.set(row.name, Number(row.last));
    while (!signal.aborted) {
      const wake = this.notifier.wait(undefined, 1000, signal);
      const { rows: streams } = await this.db.query<{ name: string; last: string }>(
        "SELECT name, last_sequence AS last FROM streams",
      );
      for (const { name, last } of streams) {
        const from = positions.get(name) ?? 0;
        if (Number(last) <= from) continue;
        const { rows: events } = await this.db.query<{ sequence: string; envelope: RawEnvelope }>(
          "SELECT sequence, envelope FROM events WHERE stream = $1 AND sequence > $2 ORDER BY sequence LIMIT 1000",
          [name, from],
        );
        for (const event of events) {
          positions.set(name, Number(event.sequence));
          yield event.envelope;
        }
      }
      await wake;
    }
  }

  async ping(): Promise<void> {
    await pingDatabase(this.db);
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.db.end();
  }
}

class PgLogReader implements PartitionReader {
  /** Acknowledged but not yet written: offsets are saved in one statement at the next fetch or close. */
  private acked: number;
  private saved: number;
  private readonly delivered = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    private readonly group: string,
    private readonly stream: string,
    private readonly partition: number,
    offset: number,
  ) {
    this.acked = offset;
    this.saved = offset;
  }

  async fetch(max: number, waitMs: number, signal?: AbortSignal): Promise<Delivery[]> {
    await this.save();
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (signal?.aborted) return []; // stopping: what is left goes to the partition's next reader
      const wake = this.notifier.wait(this.stream, Math.max(0, deadline - Date.now()), signal, this.partition);
      const { rows } = await this.db.query<{ sequence: string; envelope: RawEnvelope }>(
        `SELECT sequence, envelope FROM events
          WHERE stream = $1 AND partition = $2 AND sequence > $3
          ORDER BY sequence LIMIT $4`,
        [this.stream, this.partition, this.acked, max],
      );
      if (rows.length > 0 || Date.now() >= deadline) {
        wake.cancel();
        return rows.map((row) => {
          const sequence = Number(row.sequence);
          const count = (this.delivered.get(sequence) ?? 0) + 1;
          this.delivered.set(sequence, count);
          return { envelope: row.envelope, sequence, deliveryCount: count };
        });
      }
      await wake;
    }
  }

  async ack(delivery: Delivery): Promise<void> {
    if (delivery.sequence > this.acked) this.acked = delivery.sequence;
    this.delivered.delete(delivery.sequence);
  }

  async working(): Promise<void> {
    // Nothing to extend: only the holder of the partition's lease reads it.
  }

  private async save(): Promise<void> {
    if (this.acked === this.saved) return;
    const sequence = this.acked;
    await this.db.query(
      `UPDATE consumer_offsets SET sequence = $4, updated_at = now()
        WHERE consumer_group = $1 AND stream = $2 AND partition = $3 AND sequence < $4`,
      [this.group, this.stream, this.partition, sequence],
    );
    this.saved = sequence;
  }

  async close(): Promise<void> {
    await this.save();
  }
}

import type { RawEnvelope } from "@comptoir/contracts";
import { type DatabaseSession, type Db, withTx } from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";
import { OUTBOX_CHANNEL } from "./events.schema";
import { advisoryKey } from "./leases";
import type { EventTransport } from "./transport";

export interface RelayOptions {
  service: string;
  db: Db;
  /** The instance's database session, which LISTENs for commits to the outbox. */
  session: DatabaseSession;
  transport: EventTransport;
  logger: Logger;
  batchSize?: number;
  /**
   * Safety-net polling while the session listens (default 5 s); every second while it does not
   * (it is reconnecting). A commit's NOTIFY wakes the relay at once either way.
   */
  pollIntervalMs?: number;
  /**
   * Batches start at least this far apart (default 50 ms). Idle, a commit is sent at once; under
   * load, the commits of those milliseconds go in one batch — one append, one wake-up of each
   * consumer — instead of one batch each.
   */
  minBatchIntervalMs?: number;
  /** Sent rows are kept this long (to re-publish after a broker loss), then pruned. */
  retentionMs?: number;
  /** Inbox rows older than this are pruned (redeliveries come much sooner). */
  inboxRetentionMs?: number;
  /** How often pruning runs (default 1 min). */
  pruneIntervalMs?: number;
}

/**
 * Sends the outbox to the transport, oldest first, in batches. Every instance of a service runs a
 * relay; a transaction-scoped advisory lock lets one of them send at a time, which keeps the
 * order. A batch is marked sent only after the transport has stored it, so a crash in between
 * sends it again (the transport and the inbox drop the duplicate) and never loses it.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly minBatchIntervalMs: number;
  private stopPacing: (() => void) | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  /** A commit notified us while a batch was being sent: look again at once instead of sleeping. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private lastPrune = 0;
  private failures = 0;
  /** Total events sent by this instance (for tests and the status endpoint). */
  sent = 0;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.minBatchIntervalMs = options.minBatchIntervalMs ?? 50;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.options.session.listen(OUTBOX_CHANNEL, () => {
      this.notified = true;
      this.wake?.();
    });
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      const started = Date.now();
      this.notified = false;
      try {
        sent = await this.relayBatch();
        this.failures = 0;
        await this.pruneIfDue();
      } catch (error) {
        this.failures++;
        const delay = Math.min(5000, 100 * 2 ** Math.min(this.failures, 6));
        this.options.logger.warn(
          { err: error, retryInMs: delay },
          `outbox relay could not send to ${this.options.transport.description}`,
        );
        await this.sleep(delay);
        continue;
      }
      if (sent < this.batchSize) {
        await this.sleep(this.options.session.connected ? this.pollIntervalMs : Math.min(this.pollIntervalMs, 1000));
      }
      await this.pace(started + this.minBatchIntervalMs - Date.now());
    }
  }

  /** Waits `ms` (notifications do not cut it short; stopping does). */
  private pace(ms: number): Promise<void> {
    if (ms <= 0 || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopPacing = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopPacing = done;
    });
  }

  /** Sends one batch if this instance holds the relay lock; returns how many were sent. */
  async relayBatch(): Promise<number> {
    const { db, service, transport } = this.options;
    return withTx(db, async (tx) => {
      const { rows: lock } = await tx.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_xact_lock($1, $2) AS locked",
        advisoryKey("relay", service),
      );
      if (!lock[0]!.locked) return 0;
      const { rows } = await tx.query<{ position: string; partition: number; envelope: RawEnvelope }>(
        "SELECT position, partition, envelope FROM outbox WHERE sent_at IS NULL ORDER BY position LIMIT $1",
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      await transport.append(
        service,
        rows.map((row) => ({ envelope: row.envelope, partition: row.partition })),
      );
      await tx.query("UPDATE outbox SET sent_at = now() WHERE position = ANY($1::bigint[])", [
        rows.map((row) => row.position),
      ]);
      this.sent += rows.length;
      return rows.length;
    });
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < (this.options.pruneIntervalMs ?? 60_000)) return;
    this.lastPrune = Date.now();
    const retention = this.options.retentionMs ?? 7 * 24 * 3600_000;
    const inboxRetention = this.options.inboxRetentionMs ?? 30 * 24 * 3600_000;
    const outbox = await this.options.db.query("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", [
      retention / 1000,
    ]);
    const inbox = await this.options.db.query(
      "DELETE FROM inbox WHERE handled_at < now() - make_interval(secs => $1)",
      [inboxRetention / 1000],
    );
    if (outbox.rowCount || inbox.rowCount) {
      this.options.logger.info(
        { outbox: outbox.rowCount, inbox: inbox.rowCount },
        "pruned sent outbox and old inbox rows",
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stopPacing?.();
    await this.loop;
  }
}

import { EVENT_PARTITIONS, type EventType } from "@comptoir/contracts";
import pg from "pg";
import { applyMigrations, DatabaseSession, type Db, type MigrateOptions, type Tx, withTx } from "@comptoir/platform/db";
import { ConflictError, type Logger, NotFoundError } from "@comptoir/platform";
import { ConsumerGroup, type EventHandler, PartitionWorker, type RetryPolicy } from "./consumer";
import * as deadLetters from "./dead-letters.repo";
import { EventMetrics } from "./events.metrics";
import { EVENT_TABLES_MIGRATIONS } from "./events.schema";
import { advisoryKey, PartitionLeases } from "./leases";
import { createOutbox, type Outbox } from "./outbox";
import { OutboxRelay } from "./relay";
import type { EventTransport } from "./transport";

export interface EventBusOptions {
  service: string;
  instance: string;
  /** The service's own database (outbox, inbox, dead letters, consumer leases). */
  db: Db;
  /**
   * Where the instance's session connects (LISTEN, consumer leases, replays): PostgreSQL itself or
   * a session-mode pooler — DATABASE_SESSION_URL, else DATABASE_URL.
   */
  databaseUrl: string;
  transport: EventTransport;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** How often consumer instances re-balance partitions (default 1 s). */
  rebalanceMs?: number;
  /** Events fetched at once by a partition reader (default 100). */
  batchSize?: number;
  /**
   * How long an idle reader waits before looking for new events on its own (default: the
   * transport's `idleWaitMs`, else 1 s). Stopping does not wait for it.
   */
  waitMs?: number;
  /** Relay tuning (batch size, polling, retention, pacing). */
  relay?: {
    batchSize?: number;
    pollIntervalMs?: number;
    retentionMs?: number;
    inboxRetentionMs?: number;
    pruneIntervalMs?: number;
    minBatchIntervalMs?: number;
  };
}

export interface SubscribeOptions {
  /** Clears the read model the handler builds, before `replay --from-start` delivers everything again. */
  onReset?: (tx: Tx) => Promise<void>;
}

/** The session's application_name: how the instances of a service find each other (consumer leases). */
function sessionName(service: string, instance: string): string {
  return `comptoir-session:${service}:${instance}`.slice(0, 63);
}

/** Creates the outbox, inbox, dead-letter and consumer-group tables in a service's database. */
export async function migrateEventTables(db: Db, logger?: Logger, options: MigrateOptions = {}): Promise<void> {
  await applyMigrations(db, EVENT_TABLES_MIGRATIONS, { table: "platform_migrations", logger, ...options });
}

/**
 * A service's side of the event backbone: it publishes through its outbox (sent by the relay)
 * and consumes through consumer groups whose partitions are shared between its instances.
 * Build it, `subscribe(...)` in buildApp, `start()` once the app listens, `stop()` on shutdown.
 */
export class EventBus {
  readonly outbox: Outbox;
  readonly relay: OutboxRelay;
  /** The instance's one dedicated connection (see DatabaseSession). */
  readonly session: DatabaseSession;
  readonly metrics: EventMetrics;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly leases = new Map<string, PartitionLeases>();
  private readonly workers = new Map<string, PartitionWorker>();
  private readonly retry: RetryPolicy;
  private started = false;

  constructor(private readonly options: EventBusOptions) {
    this.outbox = createOutbox(options.service);
    this.retry = { maxAttempts: options.retry?.maxAttempts ?? 5, baseDelayMs: options.retry?.baseDelayMs ?? 200 };
    this.session = new DatabaseSession({
      url: options.databaseUrl,
      applicationName: sessionName(options.service, options.instance),
      logger: options.logger,
    });
    this.relay = new OutboxRelay({
      service: options.service,
      db: options.db,
      session: this.session,
      transport: options.transport,
      logger: options.logger,
      ...options.relay,
    });
    this.metrics = new EventMetrics({
      outboxBacklog: async () => {
        const { rows } = await options.db.query<{ count: number; age: number }>(
          `SELECT count(*)::int AS count, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
             FROM outbox WHERE sent_at IS NULL`,
        );
        return { count: rows[0]!.count, oldestAgeSeconds: rows[0]!.age };
      },
      consumerLag: async () => {
        const lags = [];
        for (const group of this.groups.values()) {
          const byStream = await options.transport.lag(group.name, group.streams);
          for (const [stream, lag] of Object.entries(byStream)) lags.push({ group: group.name, stream, lag });
        }
        return lags;
      },
      deadLetters: () => deadLetters.countPending(options.db),
    });
  }

  get transport(): EventTransport {
    return this.options.transport;
  }

  /** Publishes within the caller's transaction (see Outbox). */
  publish: Outbox["publish"] = (tx, event) => this.outbox.publish(tx, event);

  /**
   * Handles `types` in consumer group `group` (usually the service's name): each event is handled
   * by one instance of the group, once in effect, in order per subject.
   */
  subscribe<T extends EventType>(
    group: string,
    types: readonly T[],
    handler: EventHandler<T>,
    options: SubscribeOptions = {},
  ): void {
    if (this.started) throw new Error("subscribe before the event bus starts");
    if (!/^[a-z][a-z0-9-]*$/.test(group)) throw new Error(`invalid consumer group name "${group}"`);
    let consumer = this.groups.get(group);
    if (!consumer) {
      consumer = new ConsumerGroup(group, {
        db: this.options.db,
        logger: this.options.logger,
        metrics: this.metrics,
        retry: this.retry,
      });
      this.groups.set(group, consumer);
    }
    consumer.on(types, handler as EventHandler<never>, options.onReset);
  }

  async start(): Promise<void> {
    this.started = true;
    await this.session.start();
    await this.relay.start();
    for (const group of this.groups.values()) {
      const keys = group.streams.flatMap((stream) =>
        Array.from({ length: EVENT_PARTITIONS }, (_, partition) => `${stream}/${partition}`),
      );
      const leases = new PartitionLeases({
        session: this.session,
        members: `${sessionName(this.options.service, "")}%`,
        group: group.name,
        keys,
        logger: this.options.logger,
        rebalanceMs: this.options.rebalanceMs,
        onAcquire: (key) => {
          const [stream, partition] = key.split("/") as [string, string];
          const worker = new PartitionWorker(
            group,
            this.options.transport,
            stream,
            Number(partition),
            this.options.logger,
            {
              batchSize: this.options.batchSize ?? 100,
              waitMs: this.options.waitMs ?? this.options.transport.idleWaitMs ?? 1000,
            },
          );
          this.workers.set(`${group.name}/${key}`, worker);
          worker.start();
        },
        onRelease: async (key) => {
          const worker = this.workers.get(`${group.name}/${key}`);
          this.workers.delete(`${group.name}/${key}`);
          await worker?.stop();
        },
      });
      this.leases.set(group.name, leases);
      leases.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.leases.values()].map((leases) => leases.stop()));
    await this.relay.stop();
    await this.session.close();
    await this.options.transport.close();
  }

  ping(): Promise<void> {
    return this.options.transport.ping();
  }

  /** The consumer groups of this service and the partitions this instance reads. */
  consumerGroups(): { group: string; types: string[]; partitions: readonly string[] }[] {
    return [...this.groups.values()].map((group) => ({
      group: group.name,
      types: group.types,
      partitions: this.leases.get(group.name)?.owned ?? [],
    }));
  }

  listDeadLetters(filter: Parameters<typeof deadLetters.list>[1]) {
    return deadLetters.list(this.options.db, filter);
  }

  /**
   * Hands a dead letter to its handler again (after a fix). The inbox still guarantees one effect:
   * an event handled meanwhile is not applied twice. Fails with 409 if the handler fails again.
   */
  async replayDeadLetter(id: string): Promise<{ id: string; outcome: string }> {
    const result = await withTx(this.options.db, async (tx) => {
      const letter = await deadLetters.findForReplay(tx, id);
      if (!letter) throw new NotFoundError("dead_letter_not_found", `No dead letter with id ${id}.`);
      if (letter.replayedAt) return { id, outcome: "already_replayed" };
      const group = this.groups.get(letter.group);
      if (!group) {
        throw new ConflictError(
          "consumer_group_unknown",
          `This service has no consumer group "${letter.group}" to replay the dead letter to.`,
        );
      }
      try {
        const outcome = await group.handle(letter.envelope, letter.attempts + 1);
        await deadLetters.markReplayed(tx, id);
        return { id, outcome };
      } catch (error) {
        return { id, outcome: "failed", error: (error as Error).message, stack: (error as Error).stack ?? "" };
      }
    });
    if (result.outcome === "failed") {
      const failure = result as { error: string; stack: string };
      await deadLetters.recordReplayFailure(this.options.db, id, failure.stack);
      throw new ConflictError("dead_letter_replay_failed", `The handler failed again: ${failure.error}`);
    }
    return result;
  }

  /** Replays every pending dead letter (of one group, or all), oldest first; reports each outcome. */
  async replayDeadLetters(group?: string): Promise<{ id: string; outcome: string; error?: string }[]> {
    const results = [];
    for (const id of await deadLetters.pendingIds(this.options.db, group)) {
      try {
        results.push(await this.replayDeadLetter(id));
      } catch (error) {
        results.push({ id, outcome: "failed", error: (error as Error).message });
      }
    }
    return results;
  }

  /**
   * Rebuilds a read model: every instance stops reading the group (it is paused in the database),
   * this one takes all its partitions, clears the model (`onReset`) and the group's inbox, rewinds
   * the group on the transport, and un-pauses. Events then flow again from the first one.
   */
  async replayGroup(name: string, timeoutMs = 30_000): Promise<{ group: string; streams: string[] }> {
    const group = this.groups.get(name);
    if (!group) throw new NotFoundError("consumer_group_not_found", `This service has no consumer group "${name}".`);
    const { db, databaseUrl } = this.options;
    await db.query(
      `INSERT INTO consumer_groups (consumer_group, paused) VALUES ($1, true)
       ON CONFLICT (consumer_group) DO UPDATE SET paused = true`,
      [name],
    );
    const client = new pg.Client({ connectionString: databaseUrl, application_name: "comptoir-replay" });
    // Lost mid-replay (a server restart): its next query fails, and the replay with it; no crash.
    client.on("error", () => {});
    await client.connect();
    try {
      await this.leases.get(name)?.tick();
      await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      for (const stream of group.streams) {
        for (let partition = 0; partition < EVENT_PARTITIONS; partition++) {
          await client.query(
            "SELECT pg_advisory_lock($1, $2)",
            advisoryKey("partition", `${name}/${stream}/${partition}`),
          );
        }
      }
      await withTx(db, (tx) => group.reset(tx));
      await this.options.transport.resetGroup(name, group.streams);
      this.options.logger.info({ group: name, streams: group.streams }, "consumer group rewound to the first event");
      return { group: name, streams: group.streams };
    } finally {
      await db
        .query("UPDATE consumer_groups SET paused = false, reset_at = now() WHERE consumer_group = $1", [name])
        .catch(() => {});
      await client.end().catch(() => {});
    }
  }

  /** Figures for the status endpoint and `comptoir events status`. */
  async status() {
    const { rows } = await this.options.db.query<{ unsent: number; sent: number; oldest: number }>(
      `SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent, count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent,
              coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE sent_at IS NULL)), 0)::float8 AS oldest
         FROM outbox`,
    );
    const groups = [];
    for (const group of this.groups.values()) {
      groups.push({
        group: group.name,
        types: group.types,
        lag: await this.options.transport.lag(group.name, group.streams),
        partitionsHere: this.leases.get(group.name)?.owned.length ?? 0,
      });
    }
    return {
      service: this.options.service,
      instance: this.options.instance,
      transport: { kind: this.options.transport.kind, description: this.options.transport.description },
      outbox: { unsent: rows[0]!.unsent, sentRetained: rows[0]!.sent, oldestUnsentSeconds: rows[0]!.oldest },
      groups,
      deadLetters: await deadLetters.countPending(this.options.db),
    };
  }
}

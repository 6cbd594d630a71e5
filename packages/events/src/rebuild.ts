import { EVENT_PARTITIONS, type EventEnvelope } from "@comptoir/contracts";
import { ConflictError, type Db, type Logger, type Queryable, type Tx } from "@comptoir/platform";
import { BatchScope } from "./batch-scope";
import type { EventBus } from "./bus";
import { parseEnvelope } from "./envelope";
import * as shadow from "./rebuild.repo";

/*
 * A read model's rebuild (`comptoir search rebuild`, `comptoir reporting rebuild`): replays the streams
 * the model reads from the first event into copies of its tables, then swaps them in (rebuild.repo.ts)
 * and catches up on what arrived during the swap. The live model keeps answering and following events
 * the whole time. The rebuild reads the streams as its own consumer group (`<service>-rebuild`),
 * forgotten when it ends. After the swap, the events the live handlers applied to the old tables while
 * it ran are applied again to the new ones: the service's `apply` must make a second application of an
 * event change nothing (search: every write guarded by the event's instant; reporting: a table of the
 * events applied, inside the model).
 */

/**
 * Applies one event to the read model, in the caller's transaction; `batch`: the events applied in that
 * transaction, whose deferred work runs at its end (as a consumer group's batch, batch-scope.ts).
 */
export type ApplyEvent = (tx: Tx, event: EventEnvelope, batch: BatchScope) => Promise<void>;

export type RebuildPhase = "idle" | "replaying" | "indexing" | "swapping" | "catching_up" | "done" | "failed";

export interface RebuildState {
  phase: RebuildPhase;
  /** Events read so far (applied, or of a type the model ignores). */
  read: number;
  /** Events in the streams when the rebuild started. */
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Events applied after the swap (those that arrived while it was being built). */
  caughtUp: number;
  error: string | null;
}

export interface ReadModelRebuildOptions {
  /** The service whose read model it is: names the group, schemas and lock (`search`). */
  service: string;
  db: Db;
  bus: EventBus;
  logger: Logger;
  /** The streams the read model reads, in the order they are replayed. */
  streams: readonly string[];
  /** The events the model handles, by type; other types are read past. */
  apply: Readonly<Record<string, ApplyEvent>>;
  /** The read model's tables in `public` (what is copied and swapped). */
  tables: (db: Queryable) => Promise<string[]>;
  /** Events handed to `apply` in one transaction (default 200). */
  batchSize?: number;
  /**
   * For tests: awaited when the rebuild enters a phase (`indexing`, `swapping`, `catching_up`), so
   * that a test can act between two phases.
   */
  onPhase?: (phase: RebuildPhase) => Promise<void>;
}

/** One rebuild at a time per instance (and per service, through a lock); its progress for `GET .../rebuild`. */
export class ReadModelRebuilder {
  private state: RebuildState = {
    phase: "idle",
    read: 0,
    total: 0,
    startedAt: null,
    finishedAt: null,
    caughtUp: 0,
    error: null,
  };
  private running: Promise<void> | null = null;
  private readonly schemas: shadow.ShadowSchemas;
  private readonly group: string;

  constructor(private readonly options: ReadModelRebuildOptions) {
    this.schemas = shadow.shadowSchemasOf(options.service);
    this.group = `${options.service}-rebuild`;
  }

  get progress(): RebuildState {
    return { ...this.state };
  }

  /**
   * Starts a rebuild in the background; 409 if one is running, here or on another instance (a session
   * advisory lock held until it ends). `done` settles when it ends.
   */
  async start(): Promise<{ state: RebuildState; done: Promise<void> }> {
    const { service, db, bus, logger, streams } = this.options;
    const busy = () => new ConflictError("rebuild_in_progress", `A rebuild of the ${service} read model is running.`);
    if (this.running) throw busy();
    const lock = await shadow.holdRebuildLock(bus.session, this.schemas);
    if (!lock) throw busy();
    if (this.running) {
      await lock.release();
      throw busy();
    }
    this.state = {
      phase: "replaying",
      read: 0,
      total: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      caughtUp: 0,
      error: null,
    };
    const done = this.run()
      .then(() => {
        this.state = { ...this.state, phase: "done", finishedAt: new Date().toISOString() };
      })
      .catch(async (error: Error) => {
        logger.error({ err: error }, `${service} rebuild failed`);
        this.state = { ...this.state, phase: "failed", error: error.message, finishedAt: new Date().toISOString() };
        await shadow.dropShadowTables(db, this.schemas).catch(() => {});
      })
      .finally(async () => {
        await bus.transport.resetGroup(this.group, streams).catch(() => {});
        await lock.release();
        this.running = null;
      });
    this.running = done;
    return { state: this.progress, done };
  }

  private async enter(phase: RebuildPhase): Promise<void> {
    this.state.phase = phase;
    await this.options.onPhase?.(phase);
  }

  private async run(): Promise<void> {
    const { service, db, bus, logger, streams } = this.options;
    await bus.transport.resetGroup(this.group, streams);
    const lag = await bus.transport.lag(this.group, streams);
    this.state.total = Object.values(lag).reduce((sum, n) => sum + n, 0);
    logger.info({ events: this.state.total }, `${service} rebuild: replaying into copies of the read model`);
    const tables = await this.options.tables(db);
    await shadow.createShadowTables(db, this.schemas, tables);
    const intoCopies = (batch: readonly EventEnvelope[]) =>
      shadow.inShadow(db, this.schemas, (tx) => this.applyAll(tx, batch));
    await this.drain(intoCopies, (n) => (this.state.read += n));
    await this.enter("indexing");
    await shadow.indexShadowTables(db, this.schemas, tables);
    // What arrived while indexing, still into the copies.
    await this.drain(intoCopies, (n) => (this.state.read += n));
    await this.enter("swapping");
    await shadow.swapShadowTables(db, this.schemas, tables);
    // Events the live handlers applied to the old tables after the last read above: once more, on the new ones.
    await this.enter("catching_up");
    await this.drain(
      (batch) => this.applyLive(batch),
      (n) => (this.state.caughtUp += n),
    );
    logger.info({ events: this.state.read, caughtUp: this.state.caughtUp }, `${service} rebuild: swapped in`);
  }

  private async applyLive(batch: readonly EventEnvelope[]): Promise<void> {
    const client = await this.options.db.connect();
    try {
      await client.query("BEGIN");
      await this.applyAll(client, batch);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async applyAll(tx: Tx, batch: readonly EventEnvelope[]): Promise<void> {
    const scope = new BatchScope();
    for (const event of batch) await this.options.apply[event.type]!(tx, event, scope);
    await scope.flush(tx);
  }

  /** Reads every partition of the streams up to its end, handing over the events the model handles. */
  private async drain(
    apply: (batch: readonly EventEnvelope[]) => Promise<void>,
    count: (n: number) => void,
  ): Promise<void> {
    const { bus, streams } = this.options;
    for (const stream of streams) {
      for (let partition = 0; partition < EVENT_PARTITIONS; partition++) {
        const reader = await bus.transport.openReader(this.group, stream, partition);
        try {
          for (;;) {
            const deliveries = await reader.fetch(this.options.batchSize ?? 200, 0);
            if (deliveries.length === 0) break;
            const events = deliveries
              .filter((d) => (d.envelope as { type: string }).type in this.options.apply)
              .map((d) => parseEnvelope(d.envelope));
            if (events.length > 0) await apply(events);
            for (const d of deliveries) await reader.ack(d);
            count(deliveries.length);
          }
        } finally {
          await reader.close();
        }
      }
    }
  }
}

export interface StreamFreshness {
  stream: string;
  /** Events of the stream the live read model has not applied yet. */
  eventsBehind: number;
  /** When the latest change the read model holds from this stream happened (null: none yet). */
  lastAppliedAt: string | null;
  /**
   * How far behind in time: 0 when no event waits; else the time since the last change applied, an
   * upper bound of the age of the oldest event waiting; -1 when events wait and none was applied.
   */
  secondsBehind: number;
}

/**
 * How far behind each stream a live read model (consumer group `group`) is, from its lag and the
 * instant of the latest change it holds from each stream.
 */
export async function readModelFreshness(
  bus: EventBus,
  group: string,
  streams: readonly string[],
  lastAppliedAt: () => Promise<Record<string, string | null>>,
): Promise<StreamFreshness[]> {
  const [lag, last] = await Promise.all([bus.transport.lag(group, streams), lastAppliedAt()]);
  const now = Date.now();
  return streams.map((stream) => {
    const eventsBehind = lag[stream] ?? 0;
    const applied = last[stream] ?? null;
    const secondsBehind = eventsBehind === 0 ? 0 : applied ? Math.max(0, (now - Date.parse(applied)) / 1000) : Infinity;
    return {
      stream,
      eventsBehind,
      lastAppliedAt: applied,
      secondsBehind: Number.isFinite(secondsBehind) ? secondsBehind : -1,
    };
  });
}

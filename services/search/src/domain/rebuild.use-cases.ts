import { EVENT_PARTITIONS, type EventEnvelope } from "@comptoir/contracts";
import { type EventBus, parseEnvelope } from "@comptoir/events";
import { ConflictError, type Db, type Logger, type Queryable } from "@comptoir/platform";
import * as rebuild from "../db/rebuild.repo";
import * as categories from "./categories.use-cases";
import * as products from "./products.use-cases";

/*
 * `comptoir search rebuild`: replays catalog's and inventory's events from the first into copies of the
 * read model's tables, then swaps them in (db/rebuild.repo.ts) and catches up on what arrived during
 * the swap. The live model keeps answering and following events the whole time. The rebuild reads the
 * streams as its own consumer group (`search-rebuild`), forgotten when it ends; every write of the read
 * model is guarded by the event's instant, so an event applied twice (live, then by the catch-up)
 * changes nothing the second time.
 */

export const STREAMS = ["catalog", "inventory"] as const;
const GROUP = "search-rebuild";
const BATCH = 200;

type Apply = (tx: Queryable, event: EventEnvelope) => Promise<void>;
/** The same use cases as the live handlers (events/*.handlers.ts), by event type. */
const APPLY: Record<string, Apply> = {
  "catalog.category.created": (tx, e) => categories.applyCategoryChanged(tx, e as never),
  "catalog.category.updated": (tx, e) => categories.applyCategoryChanged(tx, e as never),
  "catalog.category.deleted": (tx, e) => categories.applyCategoryDeleted(tx, e.data as never),
  "catalog.product.created": (tx, e) => products.applyProductChanged(tx, e as never),
  "catalog.product.updated": (tx, e) => products.applyProductChanged(tx, e as never),
  "catalog.product.archived": (tx, e) => products.applyProductArchived(tx, e as never),
  "catalog.variant.created": (tx, e) => products.applyVariantCreated(tx, e as never),
  "catalog.variant.price_changed": (tx, e) => products.applyPriceChanged(tx, e as never),
  "inventory.stock.changed": (tx, e) => products.applyStockChanged(tx, e as never),
};

export type RebuildPhase = "idle" | "replaying" | "indexing" | "swapping" | "catching_up" | "done" | "failed";

export interface RebuildState {
  phase: RebuildPhase;
  /** Events read so far (applied, or of a type search ignores). */
  read: number;
  /** Events in the streams when the rebuild started. */
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Events applied after the swap (those that arrived while it was being built). */
  caughtUp: number;
  error: string | null;
}

export interface RebuildDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
}

/** One rebuild at a time per instance; its progress for `GET /admin/rebuild`. */
export class Rebuilder {
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

  constructor(private readonly deps: RebuildDeps) {}

  get progress(): RebuildState {
    return { ...this.state };
  }

  /**
   * Starts a rebuild in the background; 409 if one is running, here or on another instance (a session
   * advisory lock held until it ends). `done` settles when it ends.
   */
  async start(): Promise<{ state: RebuildState; done: Promise<void> }> {
    const busy = () => new ConflictError("rebuild_in_progress", "A rebuild of the search read model is running.");
    if (this.running) throw busy();
    const lock = await rebuild.holdRebuildLock(this.deps.bus.session);
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
        this.deps.logger.error({ err: error }, "search rebuild failed");
        this.state = { ...this.state, phase: "failed", error: error.message, finishedAt: new Date().toISOString() };
        await rebuild.dropShadowTables(this.deps.db).catch(() => {});
      })
      .finally(async () => {
        await this.deps.bus.transport.resetGroup(GROUP, STREAMS).catch(() => {});
        await lock.release();
        this.running = null;
      });
    this.running = done;
    return { state: this.progress, done };
  }

  private async run(): Promise<void> {
    const { db, bus, logger } = this.deps;
    const transport = bus.transport;
    await transport.resetGroup(GROUP, STREAMS);
    const lag = await transport.lag(GROUP, STREAMS);
    this.state.total = Object.values(lag).reduce((sum, n) => sum + n, 0);
    logger.info({ events: this.state.total }, "search rebuild: replaying into copies of the read model");
    const tables = await rebuild.readModelTables(db);
    await rebuild.createShadowTables(db, tables);
    await this.drain(
      (batch) => rebuild.inShadow(db, (tx) => this.applyAll(tx, batch)),
      (n) => (this.state.read += n),
    );
    this.state.phase = "indexing";
    await rebuild.indexShadowTables(db, tables);
    // What arrived while indexing, still into the copies.
    await this.drain(
      (batch) => rebuild.inShadow(db, (tx) => this.applyAll(tx, batch)),
      (n) => (this.state.read += n),
    );
    this.state.phase = "swapping";
    await rebuild.swapShadowTables(db, tables);
    // Events the live handlers applied to the old tables after the last read above: once more, on the new ones.
    this.state.phase = "catching_up";
    await this.drain(
      (batch) => this.applyLive(batch),
      (n) => (this.state.caughtUp += n),
    );
    logger.info({ events: this.state.read, caughtUp: this.state.caughtUp }, "search rebuild: swapped in");
  }

  private async applyLive(batch: readonly EventEnvelope[]): Promise<void> {
    const client = await this.deps.db.connect();
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

  private async applyAll(tx: Queryable, batch: readonly EventEnvelope[]): Promise<void> {
    for (const event of batch) await APPLY[event.type]!(tx, event);
  }

  /** Reads every partition of both streams up to its end, handing over the events search handles. */
  private async drain(
    apply: (batch: readonly EventEnvelope[]) => Promise<void>,
    count: (n: number) => void,
  ): Promise<void> {
    const transport = this.deps.bus.transport;
    for (const stream of STREAMS) {
      for (let partition = 0; partition < EVENT_PARTITIONS; partition++) {
        const reader = await transport.openReader(GROUP, stream, partition);
        try {
          for (;;) {
            const deliveries = await reader.fetch(BATCH, 0);
            if (deliveries.length === 0) break;
            const events = deliveries
              .filter((d) => (d.envelope as { type: string }).type in APPLY)
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
   * upper bound of the age of the oldest event waiting.
   */
  secondsBehind: number;
}

/** How far behind catalog's and inventory's streams the live read model is. */
export async function freshness(deps: { db: Db; bus: EventBus }): Promise<StreamFreshness[]> {
  const [lag, last] = await Promise.all([deps.bus.transport.lag("search", STREAMS), rebuild.lastAppliedAt(deps.db)]);
  const now = Date.now();
  return STREAMS.map((stream) => {
    const eventsBehind = lag[stream] ?? 0;
    const lastAppliedAt = last[stream];
    const secondsBehind =
      eventsBehind === 0 ? 0 : lastAppliedAt ? Math.max(0, (now - Date.parse(lastAppliedAt)) / 1000) : Infinity;
    return { stream, eventsBehind, lastAppliedAt, secondsBehind: Number.isFinite(secondsBehind) ? secondsBehind : -1 };
  });
}

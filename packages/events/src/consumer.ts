import { type EventEnvelope, type EventType, streamOf } from "@comptoir/contracts";
import { parseTraceparent } from "@comptoir/platform/context";
import { inSpan } from "@comptoir/platform/tracing";
import { DatabaseUnavailableError, type Db, type Tx, withTx } from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";
import { BatchScope } from "./batch-scope";
import * as deadLetters from "./dead-letters.repo";
import { InvalidEventError, parseEnvelope } from "./envelope";
import type { EventMetrics } from "./events.metrics";
import type { Delivery, EventTransport, PartitionReader } from "./transport";

export interface HandlerContext {
  logger: Logger;
  /** How many times this event has been tried by this group (1 on the first try). */
  attempt: number;
  /** The batch the event is handled in: writes a handler defers to its end, folded with others' (batch-scope.ts). */
  batch: BatchScope;
}

/** Runs inside the consumer's transaction: write the effect with `tx`, throw to retry. */
export type EventHandler<T extends EventType = EventType> = (
  event: EventEnvelope<T>,
  tx: Tx,
  context: HandlerContext,
) => Promise<void>;

export interface RetryPolicy {
  /** Attempts before an event goes to the dead letters (default 5). */
  maxAttempts: number;
  /** First retry delay; doubled each time, with jitter, capped at 10 s (under JetStream's ack wait). */
  baseDelayMs: number;
}

export type HandleOutcome = "handled" | "duplicate" | "ignored";

/** A batch either committed whole, or nothing of it did and `failedIndex` is the event whose first try failed. */
export type BatchResult = { ok: true } | { ok: false; failedIndex: number; error: unknown };

/**
 * The handlers of one consumer group (one consuming service, or a named group within it) and the
 * way every event reaches them exactly once in effect: the handler's writes and the inbox row of
 * the event id commit in one transaction, so a redelivered event finds its id and is skipped.
 */
export class ConsumerGroup {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly resets: ((tx: Tx) => Promise<void>)[] = [];

  constructor(
    readonly name: string,
    private readonly deps: { db: Db; logger: Logger; metrics: EventMetrics; retry: RetryPolicy },
  ) {}

  on(types: readonly EventType[], handler: EventHandler<never>, onReset?: (tx: Tx) => Promise<void>): void {
    for (const type of types) {
      if (this.handlers.has(type)) throw new Error(`group ${this.name} already handles ${type}`);
      this.handlers.set(type, handler as EventHandler);
    }
    if (onReset) this.resets.push(onReset);
  }

  get types(): string[] {
    return [...this.handlers.keys()];
  }

  get streams(): string[] {
    return [...new Set(this.types.map(streamOf))];
  }

  async reset(tx: Tx): Promise<void> {
    for (const reset of this.resets) await reset(tx);
    await tx.query("DELETE FROM inbox WHERE consumer_group = $1", [this.name]);
  }

  /** Handles one event once, in its own transaction: validates it, runs its handler with the inbox row. */
  async handle(raw: unknown, attempt: number): Promise<HandleOutcome> {
    if (this.ignores(raw)) return "ignored";
    return withTx(this.deps.db, async (tx) => {
      const batch = new BatchScope();
      const event = parseEnvelope(raw);
      const [isNew] = await this.recordInInbox(tx, [event]);
      const outcome = isNew ? await this.run(tx, event, attempt, batch) : this.skip(event);
      await batch.flush(tx);
      return outcome;
    });
  }

  /**
   * Handles a batch in one transaction: every event validated, their inbox rows written in one
   * statement, each new one's handler run in order, then the work the handlers deferred to the batch's
   * end (BatchScope). Returns false, with nothing written, if an event is invalid or a handler (or the
   * deferred work: `failedIndex` -1) throws: the caller then takes the events one by one, with retries
   * and dead letters. Infrastructure errors propagate.
   */
  async handleBatch(raws: readonly unknown[]): Promise<BatchResult> {
    let current = -1;
    try {
      await withTx(this.deps.db, async (tx) => {
        const events: { index: number; event: EventEnvelope }[] = [];
        for (current = 0; current < raws.length; current++) {
          if (!this.ignores(raws[current])) events.push({ index: current, event: parseEnvelope(raws[current]) });
        }
        current = -1;
        const fresh = await this.recordInInbox(
          tx,
          events.map((e) => e.event),
        );
        const batch = new BatchScope();
        for (const [i, { index, event }] of events.entries()) {
          current = index;
          if (fresh[i]) await this.run(tx, event, 1, batch);
          else this.skip(event);
        }
        current = -1;
        await batch.flush(tx);
      });
      return { ok: true };
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      return { ok: false, failedIndex: current, error };
    }
  }

  /** Types this group does not handle pass by unvalidated (a newer producer's new type included). */
  private ignores(raw: unknown): boolean {
    const type = (raw as { type?: unknown } | null)?.type;
    return typeof type === "string" && !this.handlers.has(type);
  }

  /**
   * Writes the events' inbox rows in one statement; for each event, whether it is new to the group (an
   * id already there, or met earlier in the same list, is a duplicate).
   */
  private async recordInInbox(tx: Tx, events: readonly EventEnvelope[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const { rows } = await tx.query<{ event_id: string }>(
      `INSERT INTO inbox (consumer_group, event_id, event_type)
       SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS e(id, type, n) ORDER BY e.n
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.name, events.map((e) => e.id), events.map((e) => e.type)],
    );
    const fresh = new Set(rows.map((r) => r.event_id));
    return events.map((e) => fresh.delete(e.id.toLowerCase()));
  }

  private skip(event: EventEnvelope): HandleOutcome {
    this.deps.logger.debug(
      { group: this.name, eventId: event.id, eventType: event.type },
      "event already handled; skipped",
    );
    this.deps.metrics.handled(this.name, event.type, "duplicate", 0);
    return "duplicate";
  }

  private async run(tx: Tx, event: EventEnvelope, attempt: number, batch: BatchScope): Promise<HandleOutcome> {
    const handler = this.handlers.get(event.type)!;
    const logger = this.deps.logger.child({ group: this.name, eventId: event.id, eventType: event.type });
    const started = performance.now();
    // A CONSUMER span, child of the producer's span (the trace goes on from the request that
    // published it) and linked to it, as OpenTelemetry's messaging conventions ask; the handler's
    // queries, calls and events are its children.
    const producer = parseTraceparent(event.traceparent);
    return inSpan(
      `process ${event.type}`,
      {
        kind: "consumer",
        parent: producer ?? null,
        ...(producer && { links: [producer] }),
        requestId: event.id,
        attributes: {
          "messaging.operation.type": "process",
          "messaging.destination.name": event.type,
          "messaging.consumer.group.name": this.name,
          "messaging.message.id": event.id,
          "comptoir.attempt": attempt,
        },
      },
      async () => {
        await handler(event, tx, { logger, attempt, batch });
        this.deps.metrics.handled(this.name, event.type, "handled", (performance.now() - started) / 1000);
        return "handled" as const;
      },
    );
  }

  /**
   * Retries a failing event with backoff, then dead-letters it; never throws for a handler error.
   * `firstTry` is the failure of a first attempt already made (in a batch), which counts.
   */
  async process(
    delivery: Delivery,
    reader: PartitionReader | undefined,
    partition: number,
    firstTry?: { error: unknown },
  ): Promise<void> {
    const { retry, logger, metrics } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1 && firstTry) throw firstTry.error;
        await this.handle(delivery.envelope, attempt);
        return;
      } catch (error) {
        if (isInfrastructureError(error)) throw error; // not the event's fault: the worker waits and retries it
        const type = typeof delivery.envelope?.type === "string" ? delivery.envelope.type : "unknown";
        metrics.failed(this.name, type);
        const invalid = error instanceof InvalidEventError;
        if (invalid || attempt >= retry.maxAttempts) {
          logger.error(
            { err: error, group: this.name, eventId: delivery.envelope?.id, eventType: type, attempts: attempt },
            invalid ? "invalid event: dead-lettered" : "event handler failed too many times: dead-lettered",
          );
          await deadLetters.insert(this.deps.db, {
            group: this.name,
            delivery,
            partition,
            error: describe(error),
            attempts: attempt,
          });
          metrics.deadLettered(this.name, type);
          return;
        }
        const delay = backoff(retry.baseDelayMs, attempt);
        logger.warn(
          { err: error, group: this.name, eventId: delivery.envelope?.id, eventType: type, attempt, retryInMs: delay },
          "event handler failed; retrying",
        );
        await reader?.working(delivery);
        await sleep(delay);
        await reader?.working(delivery);
      }
    }
  }
}

export function backoff(baseMs: number, attempt: number): number {
  const exp = Math.min(10_000, baseMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  const err = error as Error;
  return err?.stack ?? String(error);
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P02", "57P03"]);

/** The database is unreachable: retrying the event later is right, dead-lettering it is not. */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const err = error as { code?: string; message?: string };
  if (err?.code && (CONNECTION_CODES.has(err.code) || err.code.startsWith("08"))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err?.message ?? "",
  );
}

/** Reads one partition of one stream for a group, in order, until stopped. */
export class PartitionWorker {
  private stopped = false;
  private done: Promise<void> | undefined;
  /** Cuts an idle fetch's wait short when the worker stops. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly group: ConsumerGroup,
    private readonly transport: EventTransport,
    private readonly stream: string,
    private readonly partition: number,
    private readonly logger: Logger,
    private readonly options: { batchSize: number; waitMs: number },
  ) {}

  start(): void {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let reader: PartitionReader | undefined;
      try {
        reader = await this.transport.openReader(this.group.name, this.stream, this.partition);
        while (!this.stopped) {
          const deliveries = await reader.fetch(this.options.batchSize, this.options.waitMs, this.stopping.signal);
          // The whole batch in one transaction; if an event fails, one by one from the start of the
          // batch (nothing of it was written), with that event's failed try counted.
          const batch =
            deliveries.length > 1 ? await this.group.handleBatch(deliveries.map((d) => d.envelope)) : undefined;
          if (batch?.ok) {
            for (const delivery of deliveries) await reader.ack(delivery);
            failures = 0;
            continue;
          }
          for (const [index, delivery] of deliveries.entries()) {
            if (this.stopped) break; // unacknowledged: the next owner gets it again
            const firstTry = batch && !batch.ok && batch.failedIndex === index ? { error: batch.error } : undefined;
            await this.group.process(delivery, reader, this.partition, firstTry);
            await reader.ack(delivery);
          }
          failures = 0;
        }
      } catch (error) {
        failures++;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
        this.logger.warn(
          { err: error, group: this.group.name, stream: this.stream, partition: this.partition, retryInMs: delay },
          "event consumer interrupted; resuming",
        );
        await sleep(delay);
      } finally {
        await reader?.close().catch(() => {});
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.done;
  }
}

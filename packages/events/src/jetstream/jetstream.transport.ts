import { EVENT_PARTITIONS, type RawEnvelope } from "@comptoir/contracts";
import {
  AckPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { Logger } from "@comptoir/platform";
import type { AppendedEvent, Delivery, EventTransport, PartitionReader } from "../transport";

export interface JetStreamTransportOptions {
  /** `nats://[user:pass@]host[:port]`, several separated by commas. */
  url: string;
  logger: Logger;
  /** Connection name shown by the server (`nats server report connections`), e.g. the instance id. */
  name: string;
  /**
   * Subject root and stream-name prefix (lower-case letters and digits, `comptoir` by default):
   * several platforms (or test runs) can share one NATS without seeing each other's events.
   */
  prefix?: string | undefined;
  /**
   * How long a delivered, unacknowledged message stays with its reader before JetStream gives it
   * to the next one (a reader that died without closing). 30 s by default; tests use less.
   */
  ackWaitMs?: number;
  /** How long a stream keeps events (limits retention). 30 days by default. */
  maxAgeMs?: number;
  /** Stream replicas (1 on a single server; 3 in a production cluster). */
  replicas?: number;
}

const DEFAULT_PREFIX = "comptoir";
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** The client refuses pull requests that expire sooner than this ("must be at least 1000ms"). */
const MIN_EXPIRES_MS = 1000;
/** Events a partition reader may hold unacknowledged: its largest batch. */
export const MAX_ACK_PENDING = 100;
const PING_TIMEOUT_MS = 2000;
/** How often `tail` looks for streams created after it started. */
const TAIL_RELIST_MS = 2000;

/**
 * NATS JetStream as the event transport (distributed mode).
 *
 * Mapping (with the default prefix `comptoir`):
 * - stream `catalog` → JetStream stream `COMPTOIR_CATALOG`, subjects `comptoir.catalog.>`, file
 *   storage, limits retention, `duplicate_window` 2 min (de-duplication by `Nats-Msg-Id` = envelope
 *   id), `max_age` 30 days;
 * - an event → subject `comptoir.<stream>.<partition>.<type>`, payload the JSON envelope, header
 *   `traceparent` when the envelope has one;
 * - (group, stream, partition) → durable pull consumer `<group>_<stream>_p<partition>` on that stream
 *   with `filter_subject` `comptoir.<stream>.<partition>.>`, explicit acks, `max_ack_pending`
 *   MAX_ACK_PENDING (a reader takes a batch at a time), `max_deliver` -1 (the consumer core
 *   dead-letters by itself). A reader that opens while events are still unacknowledged (their
 *   reader died) reads nothing until they are redelivered: JetStream serves redeliveries before new
 *   messages, so the partition's order holds across the takeover.
 */
export async function createJetStreamTransport(options: JetStreamTransportOptions): Promise<EventTransport> {
  const names = jetStreamNames(options.prefix ?? DEFAULT_PREFIX);
  const servers = parseServers(options.url);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: servers.hosts,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      ...(servers.user !== undefined ? { user: servers.user, pass: servers.pass } : {}),
      ...(servers.tls ? { tls: {} } : {}),
    });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${servers.hosts.join(",")}: ${reason(error)}`, { cause: error });
  }
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const transport = new JetStreamTransport(nc, js, jsm, names, options, redactNatsUrl(options.url));
    transport.watchStatus();
    return transport;
  } catch (error) {
    await nc.close().catch(() => {});
    throw new Error(`NATS at ${servers.hosts.join(",")} has no JetStream: ${reason(error)}`, { cause: error });
  }
}

class JetStreamTransport implements EventTransport {
  readonly kind = "jetstream";
  /** Streams known to exist (a promise per stream, so concurrent first uses create it once). */
  private readonly ensured = new Map<string, Promise<void>>();
  private readonly ackWaitMs: number;
  private readonly logger: Logger;
  private readonly tails = new Set<() => void>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: JetStreamNames,
    private readonly options: JetStreamTransportOptions,
    readonly description: string,
  ) {
    this.ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.logger = options.logger;
  }

  watchStatus(): void {
    void (async () => {
      for await (const status of this.nc.status()) {
        if (status.type === "disconnect")
          this.logger.warn({ server: status.server }, "NATS connection lost; reconnecting");
        else if (status.type === "reconnect") this.logger.info({ server: status.server }, "NATS connection restored");
        else if (status.type === "error") this.logger.error({ err: status.error }, "NATS error");
      }
    })().catch(() => {});
  }

  async append(stream: string, events: readonly AppendedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const subjectRoot = this.names.subject(stream);
    for (const event of events) checkPartition(event.partition);
    await this.ensureStream(stream);
    try {
      await this.publishAll(subjectRoot, events);
    } catch (error) {
      // No stream listens on the subject (deleted behind our back): create it again and resend the
      // whole batch — what was already stored is de-duplicated by id.
      if (!isNoStream(error)) throw error;
      this.ensured.delete(stream);
      await this.ensureStream(stream);
      await this.publishAll(subjectRoot, events);
    }
  }

  /**
   * Publishes pipelined, in waves: wave k holds the k-th event of every subject in the batch, all
   * written on the connection before their acks are awaited, and a wave starts only once the one
   * before it is fully stored. If a publish fails (a timeout while reconnecting), no later event of
   * its subject has been sent, so the relay's resend (already-stored ids are de-duplicated) keeps
   * every subject's order. A batch of distinct subjects is a single wave.
   */
  private async publishAll(subjectRoot: string, events: readonly AppendedEvent[]): Promise<void> {
    const waves: AppendedEvent[][] = [];
    const seen = new Map<string, number>();
    for (const event of events) {
      const k = seen.get(event.envelope.subject) ?? 0;
      seen.set(event.envelope.subject, k + 1);
      (waves[k] ??= []).push(event);
    }
    for (const wave of waves) {
      const acks = wave.map((event) => {
        const h = natsHeaders();
        if (event.envelope.traceparent) h.set("traceparent", event.envelope.traceparent);
        return this.js.publish(
          `${subjectRoot}.${event.partition}.${subjectToken(event.envelope.type)}`,
          JSON.stringify(event.envelope),
          { msgID: event.envelope.id, headers: h },
        );
      });
      const results = await Promise.allSettled(acks);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  async openReader(group: string, stream: string, partition: number): Promise<PartitionReader> {
    checkPartition(partition);
    await this.ensureStream(stream);
    const config: Partial<ConsumerConfig> = {
      durable_name: this.names.durable(group, stream, partition),
      filter_subject: `${this.names.subject(stream)}.${partition}.>`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      max_ack_pending: MAX_ACK_PENDING,
      max_deliver: -1,
    };
    // Creating an existing durable with the same filter is a no-op (NATS 2.9 also applies changes
    // to editable fields such as ack_wait), so this is safe for every reader of the group.
    const info = await this.jsm.consumers.add(this.names.stream(stream), config);
    return new JetStreamReader(
      this.js.consumers.getConsumerFromInfo(info),
      stream,
      () => this.nc.isClosed(),
      // Someone else's unacknowledged events: wait until they are back (redelivered after ack_wait).
      info.num_ack_pending > 0 ? Date.now() + this.ackWaitMs + 1000 : 0,
    );
  }

  async resetGroup(group: string, streams: readonly string[]): Promise<void> {
    for (const stream of streams) {
      await this.ensureStream(stream);
      await Promise.all(
        partitions().map((partition) => this.deleteConsumer(stream, this.names.durable(group, stream, partition))),
      );
    }
  }

  /**
   * Deletes a durable consumer; one that does not exist is fine. The server may fail a delete while
   * the consumer's store is still being written (seen under load: error 10051, "unlinkat …
   * directory not empty"), so a failure is tried again twice, 200 ms apart, before it is reported.
   */
  private async deleteConsumer(stream: string, durable: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.jsm.consumers.delete(this.names.stream(stream), durable);
        return;
      } catch (error) {
        if (isApiError(error, JetStreamApiCodes.ConsumerNotFound, JetStreamApiCodes.StreamNotFound)) return;
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Per stream, the sum over partitions of the consumer's `num_pending + num_ack_pending`. For a
   * partition whose consumer does not exist yet (never read, or just reset), every message the
   * stream holds for that partition counts (from the stream's per-subject counts), as the
   * group will read them all. A stream that does not exist has no lag.
   */
  async lag(group: string, streams: readonly string[]): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    await Promise.all(
      streams.map(async (stream) => {
        let perPartition: Promise<number[]> | undefined;
        const counts = await Promise.all(
          partitions().map(async (partition) => {
            try {
              const info = await this.jsm.consumers.info(
                this.names.stream(stream),
                this.names.durable(group, stream, partition),
              );
              return info.num_pending + info.num_ack_pending;
            } catch (error) {
              if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound, JetStreamApiCodes.StreamNotFound)) throw error;
              perPartition ??= this.messagesPerPartition(stream);
              return (await perPartition)[partition] ?? 0;
            }
          }),
        );
        result[stream] = counts.reduce((a, b) => a + b, 0);
      }),
    );
    return result;
  }

  private async messagesPerPartition(stream: string): Promise<number[]> {
    const counts = partitions().map(() => 0);
    try {
      const info = await this.jsm.streams.info(this.names.stream(stream), {
        subjects_filter: `${this.names.subject(stream)}.>`,
      });
      for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
        const partition = Number(subject.split(".")[2]);
        if (Number.isInteger(partition) && partition >= 0 && partition < EVENT_PARTITIONS) counts[partition]! += count;
      }
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    return counts;
  }

  /**
   * One ordered consumer (ephemeral, no acks) per `COMPTOIR_*` stream, starting after the stream's
   * last message at the time `tail` starts. Streams are listed again every 2 s: a stream created
   * later is followed from its first message (all of which are newer than the tail).
   */
  async *tail(signal: AbortSignal): AsyncIterable<RawEnvelope> {
    const queue: RawEnvelope[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const followed = new Map<string, ConsumerMessages>();
    let listing = false;
    const follow = async (initial: boolean) => {
      if (listing) return;
      listing = true;
      try {
        await followNew(initial);
      } finally {
        listing = false;
      }
    };
    const followNew = async (initial: boolean) => {
      for await (const name of this.jsm.streams.names()) {
        if (!name.startsWith(this.names.streamPrefix) || followed.has(name) || signal.aborted) continue;
        const startSeq = initial ? (await this.jsm.streams.info(name)).state.last_seq + 1 : 1;
        const consumer = await this.js.consumers.get(name, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: startSeq,
        });
        const messages = await consumer.consume({
          callback: (msg) => {
            queue.push(decodeEnvelope(msg, name));
            notify();
          },
        });
        followed.set(name, messages);
      }
    };
    const onAbort = () => notify();
    signal.addEventListener("abort", onAbort);
    this.tails.add(notify);
    let relist: NodeJS.Timeout | undefined;
    try {
      await follow(true);
      relist = setInterval(() => {
        follow(false).catch((error: unknown) => {
          // Not fatal (NATS may be reconnecting): the streams already followed keep flowing.
          this.logger.warn({ err: error }, "event tail: cannot list JetStream streams; retrying");
        });
      }, TAIL_RELIST_MS);
      while (!signal.aborted && !this.nc.isClosed()) {
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      if (relist) clearInterval(relist);
      signal.removeEventListener("abort", onAbort);
      this.tails.delete(notify);
      await Promise.all([...followed.values()].map((m) => m.close().catch(() => {})));
    }
  }

  async ping(): Promise<void> {
    if (this.nc.isClosed()) throw new Error(`NATS connection to ${this.description} is closed`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.nc.flush(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`NATS at ${this.description} did not answer within ${PING_TIMEOUT_MS} ms`)),
            PING_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => {});
    }
    for (const notify of this.tails) notify();
  }

  /** Creates the stream on first use; an existing stream with our subjects is left as it is. */
  private ensureStream(stream: string): Promise<void> {
    let ensured = this.ensured.get(stream);
    if (!ensured) {
      ensured = this.createStream(stream);
      const attempt = ensured;
      attempt.catch(() => {
        if (this.ensured.get(stream) === attempt) this.ensured.delete(stream); // try again next time
      });
      this.ensured.set(stream, ensured);
    }
    return ensured;
  }

  private async createStream(stream: string): Promise<void> {
    const name = this.names.stream(stream);
    const subjects = [`${this.names.subject(stream)}.>`];
    try {
      await this.jsm.streams.add({
        name,
        subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        max_age: nanos(this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS),
        num_replicas: this.options.replicas ?? 1,
      });
    } catch (error) {
      // "stream name already in use with a different configuration" (another max_age, replicas…):
      // fine as long as it carries our subjects; an operator may have tuned it.
      const info = await this.jsm.streams.info(name).catch(() => undefined);
      if (!info) throw error;
      const missing = subjects.filter((s) => !info.config.subjects?.includes(s));
      if (missing.length > 0) {
        throw new Error(`JetStream stream ${name} exists without the subjects ${missing.join(", ")}`, { cause: error });
      }
    }
  }
}

class JetStreamReader implements PartitionReader {
  private readonly inFlight = new Map<Delivery, JsMsg>();
  private closed = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly stream: string,
    private readonly connectionClosed: () => boolean,
    /** Until then (ms epoch), a previous reader's unacknowledged events may still be pending. */
    private takeoverUntil: number,
  ) {}

  /**
   * Waits for one event (`next`, a pull that always completes), then takes as many more as the
   * first one says are waiting (`info.pending`), up to `max`, with a pull that completes as soon as
   * they have arrived. Waits under 1000 ms (the client's minimum pull expiry) are raised to 1000.
   */
  async fetch(max: number, waitMs: number): Promise<Delivery[]> {
    if (this.closed) throw new Error("the partition reader is closed");
    if (this.connectionClosed()) throw new Error("the NATS connection is closed");
    if (this.takeoverUntil > 0 && !(await this.takenOver(waitMs))) return [];
    const first = await this.consumer.next({ expires: Math.max(MIN_EXPIRES_MS, Math.ceil(waitMs)) });
    if (!first) return [];
    const messages = [first];
    const more = Math.min(max - 1, MAX_ACK_PENDING - 1, first.info.pending);
    if (more > 0 && !this.closed) {
      const batch = await this.consumer.fetch({ max_messages: more, expires: 5000 });
      for await (const msg of batch) messages.push(msg);
    }
    if (this.closed) {
      for (const msg of messages) msg.nak(); // closed while waiting: hand them straight back
      return [];
    }
    return messages.map((msg) => {
      const delivery: Delivery = {
        envelope: decodeEnvelope(msg, this.stream),
        sequence: msg.info.streamSequence,
        deliveryCount: msg.info.deliveryCount,
      };
      this.inFlight.set(delivery, msg);
      return delivery;
    });
  }

  /**
   * A previous reader left events unacknowledged (it died, or closed mid-batch): pulling now would
   * get newer events first. Reading starts once none are pending any more or ack_wait has passed
   * (they are then queued for redelivery, which JetStream serves before anything new).
   */
  private async takenOver(waitMs: number): Promise<boolean> {
    const deadline = Date.now() + Math.max(waitMs, 200);
    for (;;) {
      const info = await this.consumer.info(false);
      if (info.num_ack_pending === 0 || Date.now() >= this.takeoverUntil) {
        this.takeoverUntil = 0;
        return true;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
    }
  }

  async ack(delivery: Delivery): Promise<void> {
    const msg = this.inFlight.get(delivery);
    if (!msg) throw new Error(`delivery ${delivery.sequence} is not in flight on this reader`);
    this.inFlight.delete(delivery);
    // Acks travel in order on one connection: confirming the last one of a batch confirms them all.
    if (this.inFlight.size === 0) await msg.ackAck();
    else msg.ack();
  }

  async working(delivery: Delivery): Promise<void> {
    this.inFlight.get(delivery)?.working();
  }

  /** Unacknowledged deliveries are given back (nak) so that they are redelivered first. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.connectionClosed()) {
      const pending = [...this.inFlight.values()].sort((a, b) => a.info.streamSequence - b.info.streamSequence);
      for (const msg of pending) msg.nak();
    }
    this.inFlight.clear();
  }
}

/**
 * The envelope as published; a payload that is not JSON still comes out, as an envelope the
 * consumer core's validation rejects (it dead-letters it with the raw text as data).
 */
function decodeEnvelope(msg: JsMsg, stream: string): RawEnvelope {
  const text = msg.string();
  try {
    return JSON.parse(text) as RawEnvelope;
  } catch {
    return {
      id: "",
      type: "",
      source: stream,
      subject: "",
      occurredAt: new Date(0).toISOString(),
      version: 0,
      data: text,
    };
  }
}

function partitions(): number[] {
  return Array.from({ length: EVENT_PARTITIONS }, (_, i) => i);
}

function checkStream(stream: string): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(stream)) {
    throw new Error(`invalid event stream name "${stream}" (lower-case letters, digits, _ and - only)`);
  }
}

function checkPartition(partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= EVENT_PARTITIONS) {
    throw new Error(`invalid partition ${partition} (0..${EVENT_PARTITIONS - 1})`);
  }
}

export interface JetStreamNames {
  /** `COMPTOIR_`: every stream of this prefix starts with it (`tail` follows them all). */
  streamPrefix: string;
  /** `catalog` → `COMPTOIR_CATALOG` */
  stream(stream: string): string;
  /** `catalog` → `comptoir.catalog` (events are `comptoir.catalog.<partition>.<type>`) */
  subject(stream: string): string;
  /** The durable consumer of a group on one partition: `<group>_<stream>_p<partition>`. */
  durable(group: string, stream: string, partition: number): string;
}

/** How streams, subjects and consumers are named for a prefix (`comptoir` by default). */
export function jetStreamNames(prefix: string = DEFAULT_PREFIX): JetStreamNames {
  if (!/^[a-z][a-z0-9]*$/.test(prefix)) {
    throw new Error(`invalid JetStream prefix "${prefix}" (lower-case letters and digits, starting with a letter)`);
  }
  const streamPrefix = `${prefix.toUpperCase()}_`;
  return {
    streamPrefix,
    stream: (stream) => {
      checkStream(stream);
      return `${streamPrefix}${stream.toUpperCase()}`;
    },
    subject: (stream) => {
      checkStream(stream);
      return `${prefix}.${stream}`;
    },
    durable: (group, stream, partition) => `${group}_${stream}_p${partition}`.replace(/[^A-Za-z0-9_-]/g, "-"),
  };
}

/** An event type as subject tokens: dots kept, anything a subject cannot hold replaced. */
function subjectToken(type: string): string {
  const tokens = type.split(".").map((t) => t.replace(/[^A-Za-z0-9_-]/g, "_") || "_");
  return tokens.join(".") || "_";
}

function isApiError(error: unknown, ...codes: number[]): boolean {
  return error instanceof JetStreamApiError && codes.includes(error.code);
}

/** The publish had no responder: JetStream is there but no stream takes the subject. */
function isNoStream(error: unknown): boolean {
  const err = error as { name?: string; message?: string };
  return err?.name === "JetStreamNotEnabled" || /no responders|jetstream is not enabled/i.test(err?.message ?? "");
}

function parseServers(url: string): { hosts: string[]; tls: boolean; user?: string; pass?: string } {
  const hosts: string[] = [];
  let tls = false;
  let user: string | undefined;
  let pass: string | undefined;
  for (const raw of url
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const u = new URL(raw.includes("://") ? raw : `nats://${raw}`);
      if (u.protocol === "tls:") tls = true;
      if (u.username) {
        user = decodeURIComponent(u.username);
        pass = decodeURIComponent(u.password);
      }
      hosts.push(`${u.hostname}:${u.port || "4222"}`);
    } catch {
      hosts.push(raw);
    }
  }
  return user !== undefined ? { hosts, tls, user, pass: pass ?? "" } : { hosts, tls };
}

function redactNatsUrl(url: string): string {
  return url
    .split(",")
    .map((raw) => raw.trim().replace(/\/\/([^:@/]*):[^@/]*@/, "//$1@"))
    .join(",");
}

function reason(error: unknown): string {
  const err = error as { code?: string; message?: string };
  const message = err?.message ?? String(error);
  return err?.code && !message.includes(err.code) ? `${message} (${err.code})` : message;
}

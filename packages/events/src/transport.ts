import type { RawEnvelope } from "@comptoir/contracts";

/**
 * What carries events between services. Two implementations share this interface:
 * `pg-log/` (the embedded default: an append-only event log in its own PostgreSQL database) and
 * `jetstream/` (NATS JetStream when NATS_URL is set). The outbox relay appends through it and the
 * consumer reads through it; neither knows which one it has.
 *
 * Vocabulary: a *stream* is a producing service's events (`catalog`); each stream is split in
 * EVENT_PARTITIONS *partitions* by a hash of the subject; a *group* is a consuming service (every
 * instance of it shares the group's position: each event is handled by one of them).
 */
export interface EventTransport {
  readonly kind: "postgres" | "jetstream";
  /** Where it is, for logs and the banner, without secrets. */
  readonly description: string;
  /**
   * How long an idle reader waits before looking again on its own, when the bus is not told
   * (`EventBusOptions.waitMs`). A transport that wakes its readers when events arrive can afford a
   * long one (it is only a safety net); one whose wait is the poll itself wants a short one.
   */
  readonly idleWaitMs?: number;
  /**
   * Stores the events durably, in the given order, before resolving. An id already stored is
   * ignored (the relay may send a batch twice after a crash). All events belong to `stream`.
   */
  append(stream: string, events: readonly AppendedEvent[]): Promise<void>;
  /** A reader of one partition of one stream for one group, starting after the group's position. */
  openReader(group: string, stream: string, partition: number): Promise<PartitionReader>;
  /** Forgets the group's position on these streams: its next readers start from the beginning. */
  resetGroup(group: string, streams: readonly string[]): Promise<void>;
  /**
   * Events not yet handled by the group, per stream (its lag). Cheap enough for a metrics scrape.
   */
  lag(group: string, streams: readonly string[]): Promise<Record<string, number>>;
  /**
   * Every new event of all streams as it is appended, from now on (for `comptoir events tail`).
   * Ends when `signal` aborts.
   */
  tail(signal: AbortSignal): AsyncIterable<RawEnvelope>;
  /** Throws when the transport cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AppendedEvent {
  envelope: RawEnvelope;
  /** partitionOf(envelope.subject), computed once by the outbox. */
  partition: number;
}

/** One delivery of one event to one group. */
export interface Delivery {
  envelope: RawEnvelope;
  /** The event's position in its stream (monotonic within a partition). */
  sequence: number;
  /** 1 on first delivery; higher when the transport delivers it again (after a crash or a timeout). */
  deliveryCount: number;
}

export interface PartitionReader {
  /**
   * The next deliveries in order, waiting up to `waitMs` when there are none (an empty array
   * then). The caller settles every delivery with `ack` in order before calling `fetch` again.
   * `signal` cuts the wait short (the reader is being stopped); a transport may ignore it if its
   * waits are short.
   */
  fetch(max: number, waitMs: number, signal?: AbortSignal): Promise<Delivery[]>;
  /** The delivery was handled (or dead-lettered): never deliver it to this group again. */
  ack(delivery: Delivery): Promise<void>;
  /** Still working on it (long retries): keep it from being redelivered elsewhere meanwhile. */
  working(delivery: Delivery): Promise<void>;
  close(): Promise<void>;
}

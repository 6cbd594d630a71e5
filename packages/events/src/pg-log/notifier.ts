import pg from "pg";
import { jitteredBackoff } from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";
import { EVENTS_CHANNEL } from "./pg-log.schema";

interface Waiter {
  stream: string | undefined;
  partition: number | undefined;
  wake: () => void;
}

/**
 * One LISTEN connection per process, shared by every reader: `wait(stream, ms)` resolves when an
 * append to that stream commits, or after `ms` (readers poll at that pace as a safety net). While
 * the connection is lost notifications are missed, so every waiter is woken when it drops and
 * again once it listens anew, to read what was appended in between.
 */
export class Notifier {
  private client: pg.Client | undefined;
  private readonly waiters = new Set<Waiter>();
  private closed = false;
  private connecting: Promise<void> | undefined;
  private everConnected = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.client) return;
    // A failed attempt is forgotten, so the next reader tries again.
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: "comptoir-events-listener",
      connectionTimeoutMillis: 5_000,
    });
    client.on("notification", (message) => this.wakeAll(message.payload));
    client.on("error", (error) => {
      if (this.closed) return;
      this.logger.warn({ err: error }, "event log listener lost its connection; reconnecting");
      this.client = undefined;
      this.connecting = undefined;
      this.wakeAll(undefined);
      this.reconnectLater(1);
    });
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    const reconnected = this.everConnected;
    this.client = client;
    this.everConnected = true;
    if (reconnected) this.wakeAll(undefined);
  }

  /**
   * Tries again, with jittered backoff up to a second, until it listens (or is closed): readers
   * only look on their own every few seconds meanwhile.
   */
  private reconnectLater(attempt: number): void {
    setTimeout(() => {
      if (this.closed || this.client) return;
      this.start().catch(() => this.reconnectLater(attempt + 1));
    }, jitteredBackoff(attempt)).unref();
  }

  /**
   * Resolves at the next append to `stream` (any stream if undefined) — to its `partition` if given —
   * or after `ms`. `cancel()` resolves it at once and forgets it: a reader that found rows without
   * waiting must call it, or its waiter (a timer, an abort listener) would linger until then.
   */
  wait(
    stream: string | undefined,
    ms: number,
    signal?: AbortSignal,
    partition?: number,
  ): Promise<void> & { cancel: () => void } {
    let waiter!: Waiter;
    const promise = new Promise<void>((resolve) => {
      const timing: { timer?: NodeJS.Timeout } = {};
      waiter = {
        stream,
        partition,
        wake: () => {
          clearTimeout(timing.timer);
          signal?.removeEventListener("abort", waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      if (signal?.aborted) return resolve();
      timing.timer = setTimeout(waiter.wake, ms);
      signal?.addEventListener("abort", waiter.wake, { once: true });
      this.waiters.add(waiter);
    });
    return Object.assign(promise, { cancel: () => waiter.wake() });
  }

  /**
   * A notification's payload is `stream:mask`, the mask's bit n set when partition n was written
   * (a bare `stream` — or none at all, after a reconnect — wakes every reader concerned).
   */
  private wakeAll(payload: string | undefined): void {
    const colon = payload?.lastIndexOf(":") ?? -1;
    const stream = colon >= 0 ? payload!.slice(0, colon) : payload;
    const mask = colon >= 0 ? Number(payload!.slice(colon + 1)) : NaN;
    for (const waiter of [...this.waiters]) {
      if (stream !== undefined && waiter.stream !== undefined && waiter.stream !== stream) continue;
      if (waiter.partition !== undefined && Number.isInteger(mask) && (mask & (1 << waiter.partition)) === 0) continue;
      waiter.wake();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll(undefined);
    await this.client?.end().catch(() => {});
  }
}

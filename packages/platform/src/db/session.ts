import pg from "pg";
import type { Logger } from "../logging/logger";
import { explainDatabaseError } from "./pool";
import { jitteredBackoff } from "./backoff";

export interface DatabaseSessionOptions {
  /** A URL that gives a real session: PostgreSQL itself, or a session-mode pooler (DATABASE_SESSION_URL). */
  url: string;
  /** Shown in pg_stat_activity; instances of a service count each other by it (consumer leases). */
  applicationName: string;
  logger: Logger;
  /** Reconnection delays: doubling from `baseMs` up to `maxMs`, each drawn at random in its upper half. */
  backoff?: { baseMs: number; maxMs: number };
}

type Listener = (payload: string | undefined) => void;

/**
 * The one dedicated connection of a service instance, for what a pooled connection cannot do:
 * LISTEN (the outbox relay is woken by commits) and session advisory locks (consumer leases).
 * It connects at `start()` and, when the connection is lost (a PostgreSQL restart or fail-over),
 * tells `onLost` subscribers (their locks are gone with it), reconnects with jittered backoff,
 * listens again, and wakes every listener once (a notification may have been missed meanwhile).
 * Queries while it is down fail at once; nothing waits for it.
 */
export class DatabaseSession {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly lostHandlers = new Set<() => void>();
  private closed = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everConnected = false;
  /** Connections opened so far (1 + reconnections). */
  connections = 0;

  constructor(private readonly options: DatabaseSessionOptions) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects now (resolves once connected or after the first failure; retries go on in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Calls `handler` at each notification on `channel`, and with no payload after a reconnection. */
  async listen(channel: string, handler: Listener): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
    let handlers = this.listeners.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.listeners.set(channel, handlers);
      if (this.client) await this.client.query(`LISTEN ${channel}`);
    }
    handlers.add(handler);
  }

  /** Called when the connection is lost: every session lock and LISTEN went with it. */
  onLost(handler: () => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const client = this.client;
    if (!client) {
      throw explainDatabaseError(
        this.options.url,
        Object.assign(new Error("session not connected"), { code: "ECONNREFUSED" }),
      );
    }
    return client.query<R>(text, values);
  }

  private connect(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.open()
      .catch((error: unknown) => {
        this.failures++;
        const delay = jitteredBackoff(this.failures, this.options.backoff);
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.options.logger.warn(
            { attempt: this.failures, retryInMs: delay },
            `${explainDatabaseError(this.options.url, error).message}; the session reconnects`,
          );
        }
        this.scheduleRetry(delay);
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delayMs);
    this.retryTimer.unref();
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: 5_000,
      // A dead peer (host gone, network cut) is noticed by TCP keepalives, not only at the next query.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on("notification", (message) => this.dispatch(message.channel, message.payload));
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connections++;
    if (this.failures > 0 || this.everConnected) {
      this.options.logger.info({ afterAttempts: this.failures }, "database session reconnected");
    }
    this.failures = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    // What was notified while we were away is looked for now.
    if (reconnected) for (const channel of this.listeners.keys()) this.dispatch(channel, undefined);
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.closed) return;
    this.options.logger.warn({ err: error }, "database session lost; reconnecting");
    for (const handler of this.lostHandlers) handler();
    this.failures = 0;
    this.scheduleRetry(jitteredBackoff(1, this.options.backoff));
  }

  private dispatch(channel: string, payload: string | undefined): void {
    for (const handler of this.listeners.get(channel) ?? []) handler(payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

import type { Logger } from "@comptoir/platform";
import { createPgLogTransport } from "./pg-log/pg-log.transport";
import type { EventTransport } from "./transport";

export interface TransportSettings {
  /** NATS JetStream (distributed mode) when set. */
  natsUrl?: string;
  /** Otherwise the PostgreSQL event log's database. */
  eventLogUrl?: string;
  /** The event log's pool (EVENT_LOG_POOL_SIZE; part of the instance's connection budget). */
  eventLogPoolSize?: number;
  logger: Logger;
  /** This process, for connection names. */
  name: string;
  /** JetStream subject and stream prefix (NATS_PREFIX, default `comptoir`): several platforms can share one NATS. */
  prefix?: string;
}

/**
 * The transport the environment asks for: JetStream if NATS_URL is set, else the PostgreSQL log.
 * The JetStream transport (and @nats-io/*) is imported on demand, so nothing else in this package
 * may import it statically (test/nats-on-demand.test.ts checks it).
 */
export async function createTransport(settings: TransportSettings): Promise<EventTransport> {
  if (settings.natsUrl) {
    const { createJetStreamTransport } = await import("./jetstream/jetstream.transport");
    return createJetStreamTransport({
      url: settings.natsUrl,
      logger: settings.logger,
      name: settings.name,
      prefix: settings.prefix,
    });
  }
  if (settings.eventLogUrl) {
    return createPgLogTransport({
      url: settings.eventLogUrl,
      logger: settings.logger,
      name: settings.name,
      poolSize: settings.eventLogPoolSize,
    });
  }
  throw new Error(
    "no event transport: set NATS_URL (NATS JetStream) or EVENT_LOG_URL (the PostgreSQL event log's database)",
  );
}

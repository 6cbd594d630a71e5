import type { ServicePart } from "@comptoir/platform";
import { EventBus, migrateEventTables } from "./bus";
import { createTransport } from "./transport.factory";

/**
 * The event bus as a part of a service (`runService({ events: eventsPart })`): the outbox/inbox
 * tables migrated with the service's, a bus on the transport the env names (NATS_URL or
 * EVENT_LOG_URL, see EventsEnv) handed to buildApp as `bus`, started once the app listens and
 * stopped after it closed.
 */
export const eventsPart: ServicePart<EventBus> = {
  name: "event transport",
  migrate: migrateEventTables,
  async open({ service, instance, logger, env, db, sessionUrl }) {
    const transport = await createTransport({
      natsUrl: env.NATS_URL as string | undefined,
      eventLogUrl: env.EVENT_LOG_URL as string | undefined,
      eventLogPoolSize: Number(env.EVENT_LOG_POOL_SIZE ?? 2),
      logger,
      name: instance,
      prefix: env.NATS_PREFIX as string | undefined,
    });
    const bus = new EventBus({
      service,
      instance,
      db,
      databaseUrl: sessionUrl,
      transport,
      logger,
      retry: {
        maxAttempts: Number(env.EVENTS_MAX_ATTEMPTS ?? 5),
        baseDelayMs: Number(env.EVENTS_RETRY_BASE_MS ?? 200),
      },
      relay: { retentionMs: Number(env.EVENTS_OUTBOX_RETENTION_HOURS ?? 168) * 3600_000 },
    });
    logger.info({ transport: transport.kind, at: transport.description }, "event transport connected");
    return {
      value: bus,
      start: () => bus.start(),
      stop: () => bus.stop(),
      sessionConnected: () => bus.session.connected,
    };
  },
};

import {
  EventBus,
  type EventBusOptions,
  type EventTransport,
  createPgLogTransport,
  migrateEventTables,
} from "@comptoir/events";
import { migrateSagaTables } from "@comptoir/sagas";
import { migrateIdempotencyTables } from "@comptoir/platform";
import type { Logger } from "@comptoir/platform";
import { createTestDatabase, type TestDatabase } from "./database";
import { testLogger } from "./http";

export interface ServiceTestbed {
  /** The service's own database: its migrations and the event tables (outbox, inbox, …). */
  database: TestDatabase;
  /** The PostgreSQL event log the bus talks to (the service's own, or the one it was given). */
  eventLog: TestDatabase;
  /**
   * The service's event bus, not started: the relay leaves the outbox rows exactly as the use
   * cases wrote them (tests read them), unless the test starts it.
   */
  bus: EventBus;
  logger: Logger;
  /** A new bus on the same database and event log (a restart: the old one stopped first). */
  newBus(instance: string): Promise<EventBus>;
  /** Stops the bus and drops the databases it created (not an event log it was given). */
  close(): Promise<void>;
}

export interface ServiceTestbedOptions {
  service: string;
  /** Distinguishes this file's databases (`<service>_<name>`). */
  name: string;
  migrationsDir: string;
  instance?: string;
  bus?: Pick<EventBusOptions, "rebalanceMs" | "waitMs">;
  /** The service runs sagas: its database also gets the saga tables (as runService({sagas: true})). */
  sagas?: boolean;
  /** Its writes take an Idempotency-Key: its database also gets `idempotency_keys` (as runService with idempotencyPart). */
  idempotency?: boolean;
  /** An event log shared with other services of the test (they see each other's events); else its own. */
  eventLog?: TestDatabase;
  /** Another transport than the PostgreSQL event log (NATS JetStream); `name` is the bus instance. */
  transport?: (name: string) => Promise<EventTransport>;
}

/**
 * What every service's component tests start from: a fresh database with the service's
 * migrations and the event tables, an event log, and the service's bus on them.
 */
export async function createServiceTestbed(options: ServiceTestbedOptions): Promise<ServiceTestbed> {
  const prefix = `${options.service}_${options.name}`;
  const database = await createTestDatabase(prefix, options.migrationsDir);
  await migrateEventTables(database.db);
  if (options.sagas) await migrateSagaTables(database.db);
  if (options.idempotency) await migrateIdempotencyTables(database.db);
  const eventLog = options.eventLog ?? (await createTestDatabase(`${prefix}_log`));
  const logger = testLogger(options.service);
  const transport = options.transport ?? ((name: string) => createPgLogTransport({ url: eventLog.url, logger, name }));
  const newBus = async (instance: string) =>
    new EventBus({
      service: options.service,
      instance,
      db: database.db,
      databaseUrl: database.url,
      transport: await transport(instance),
      logger,
      ...options.bus,
    });
  const testbed: ServiceTestbed = {
    database,
    eventLog,
    bus: await newBus(options.instance ?? `${options.service}-test`),
    logger,
    newBus,
    async close() {
      await testbed.bus.stop();
      await database.drop();
      if (!options.eventLog) await eventLog.drop();
    },
  };
  return testbed;
}

import { EventBus, type EventBusOptions, migrateEventTables } from "../events/bus";
import { createPgLogTransport } from "../events/pg-log/pg-log.transport";
import { migrateSagaTables } from "../sagas/sagas.schema";
import type { Logger } from "../logging/logger";
import { createTestDatabase, type TestDatabase, testLogger } from "./index";

export interface ServiceTestbed {
  /** The service's own database: its migrations and the event tables (outbox, inbox, …). */
  database: TestDatabase;
  /** The PostgreSQL event log the bus talks to. */
  eventLog: TestDatabase;
  /**
   * The service's event bus, not started: the relay leaves the outbox rows exactly as the use
   * cases wrote them (tests read them), unless the test starts it.
   */
  bus: EventBus;
  logger: Logger;
  /** Stops the bus and drops both databases. */
  close(): Promise<void>;
}

/**
 * What every service's component tests start from: a fresh database with the service's
 * migrations and the event tables, an event log, and the service's bus on them.
 */
export async function createServiceTestbed(options: {
  service: string;
  /** Distinguishes this file's databases (`<service>_<name>`). */
  name: string;
  migrationsDir: string;
  instance?: string;
  bus?: Pick<EventBusOptions, "rebalanceMs" | "waitMs">;
  /** The service runs sagas: its database also gets the saga tables (as runService({sagas: true})). */
  sagas?: boolean;
}): Promise<ServiceTestbed> {
  const prefix = `${options.service}_${options.name}`;
  const instance = options.instance ?? `${options.service}-test`;
  const database = await createTestDatabase(prefix, options.migrationsDir);
  await migrateEventTables(database.db);
  if (options.sagas) await migrateSagaTables(database.db);
  const eventLog = await createTestDatabase(`${prefix}_log`);
  const logger = testLogger(options.service);
  const bus = new EventBus({
    service: options.service,
    instance,
    db: database.db,
    databaseUrl: database.url,
    transport: await createPgLogTransport({ url: eventLog.url, logger, name: instance }),
    logger,
    ...options.bus,
  });
  return {
    database,
    eventLog,
    bus,
    logger,
    async close() {
      await bus.stop();
      await database.drop();
      await eventLog.drop();
    },
  };
}

import type { Db } from "../db/pool";
import type { MigrateOptions } from "../db/migrate";
import type { Logger } from "../logging/logger";

/**
 * Something a service runs beside its HTTP app that lives in a package above the kernel: the event
 * bus (`eventsPart` from @comptoir/events), the saga tables (`sagasPart` from @comptoir/sagas).
 * runService takes it through these steps without knowing what it is, so the kernel imports
 * neither package.
 */
export interface ServicePart<T = unknown> {
  /** Names it in a start-up failure (`<service>: <name>: <why>`). */
  name: string;
  /**
   * Creates its tables in the service's database, on the start-up connection, after the service's
   * migrations; with `check`, applies nothing and throws MigrationsPendingError if one is missing.
   */
  migrate?: (admin: Db, logger: Logger, options?: MigrateOptions) => Promise<void>;
  /** Opens it once the service's pool is ready, before buildApp. */
  open?: (context: PartContext) => Promise<OpenPart<T>>;
}

export interface PartContext {
  service: string;
  instance: string;
  logger: Logger;
  /** The service's validated config. */
  env: Record<string, unknown>;
  db: Db;
  /** Where a real session connects (LISTEN, advisory locks): DATABASE_SESSION_URL, else DATABASE_URL. */
  sessionUrl: string;
}

export interface OpenPart<T> {
  /** What buildApp receives (the event bus as `bus`). */
  value: T;
  /** Called once the app listens. */
  start: () => Promise<void>;
  /** Called after the app closed, before the pool ends. */
  stop: () => Promise<void>;
  /** Whether its own database session is connected (the `db_connections` metric); absent without one. */
  sessionConnected?: () => boolean;
}

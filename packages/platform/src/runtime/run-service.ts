import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Static, TObject } from "typebox";
import { createRevocations, identityRevocationsFetcher, revocationCheckingVerifier } from "../auth/revocations";
import { createTokenVerifier, type TokenVerifier } from "../auth/token-verifier";
import { ConfigError, identityUrlOf, loadConfig } from "../config/config";
import { registerDatabaseMetrics } from "../db/db.metrics";
import { migrate, MigrationsPendingError } from "../db/migrate";
import { type ConnectionBudget, connectionBudget } from "../db/budget";
import { createPool, DatabaseUnavailableError, type Db, ensureDatabase, waitForDatabase } from "../db/pool";
import type { App } from "../http/app";
import { createLogger, defaultInstanceId, type Logger } from "../logging/logger";
import { startTracing } from "../tracing/sdk";
import type { OpenPart, ServicePart } from "./service-part";

export interface ServiceContext<C, B = never> {
  config: C;
  logger: Logger;
  instance: string;
  /** The service's database, migrated; absent for services without one (the gateway). */
  db: Db | undefined;
  /** The event bus, when the definition has `events: eventsPart`; started once the app listens. */
  bus: B | undefined;
  /** Verifies access tokens against JWKS_URL, when the schema spreads AuthEnv. */
  auth: TokenVerifier | undefined;
  /**
   * Connections of the budget's pool set aside for a second pool buildApp opens on the service's
   * database (`sidePool` in the definition); 0 without one. `db` has the rest.
   */
  sidePoolSize: number;
}

export interface ServiceDefinition<S extends TObject, B = never> {
  name: string;
  /** The env schema; spread `BaseServiceEnv` (and `DatabaseEnv` if it has a database) into it. */
  configSchema: S;
  /** Folder of NNN_name.sql files; when set, the service has a database (DATABASE_URL). */
  migrationsDir?: string;
  /**
   * The service publishes or consumes events: `eventsPart` from @comptoir/events. Its database gets
   * the outbox/inbox tables and buildApp a bus on the transport the env names (NATS_URL or
   * EVENT_LOG_URL; spread EventsEnv).
   */
  events?: ServicePart<B>;
  /** Other parts with tables of their own: `sagasPart` from @comptoir/sagas for a service that runs sagas. */
  parts?: ServicePart[];
  /**
   * How many of DATABASE_POOL_SIZE's connections buildApp takes for a pool of its own on the same
   * database (given the pool size, at least 1 is left to `db`): the budget stays one number.
   */
  sidePool?: (poolSize: number) => number;
  /** Builds the app; called once the database is reachable and migrated. */
  buildApp: (ctx: ServiceContext<Static<S>, B>) => Promise<App>;
  /** Releases what buildApp acquired beyond the database (clients, timers), after the app closed. */
  onClose?: () => Promise<void>;
}

/**
 * Starts a service process: validated config, logger, database (created if missing, migrated under
 * a lock), the app on PORT/HOST, and a graceful shutdown on SIGTERM/SIGINT — or when the launcher
 * that spawned it goes away (its IPC channel closes). Invalid config or an unreachable database
 * stops it with one clear line and exit code 1.
 */
export async function runService<S extends TObject, B = never>(definition: ServiceDefinition<S, B>): Promise<void> {
  let config: Static<S>;
  try {
    config = loadConfig(definition.configSchema);
  } catch (error) {
    if (error instanceof ConfigError) fail(definition.name, `invalid configuration: ${error.message}`);
    throw error;
  }
  const env = config as Record<string, unknown>;
  const instance = (env.INSTANCE_ID as string | undefined) ?? defaultInstanceId(definition.name);
  const logger = createLogger({ service: definition.name, instance, level: String(env.LOG_LEVEL ?? "info") });
  // OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT is set (tracing/sdk.ts), before any pool
  // opens: each connection learns at its opening whether to trace its queries.
  const stopTracing = await startTracing({ service: definition.name, instance, logger });

  const parts = [...(definition.events ? [definition.events] : []), ...(definition.parts ?? [])];
  let db: Db | undefined;
  let budget: ConnectionBudget | undefined;
  let sidePoolSize = 0;
  const databaseUrl = String(env.DATABASE_URL);
  // What needs a real session (LISTEN, session advisory locks, migrations) connects here; the pool
  // may go through a transaction-mode pooler (DATABASE_POOL_MODE=transaction).
  const sessionUrl = (env.DATABASE_SESSION_URL as string | undefined) ?? databaseUrl;
  const migrations = (env.DATABASE_MIGRATIONS as "start" | "check" | "only" | undefined) ?? "start";
  if (migrations === "only" && !definition.migrationsDir) {
    logger.info("no database: nothing to migrate (DATABASE_MIGRATIONS=only)");
    process.exit(0);
  }
  if (definition.migrationsDir) {
    const transactionPooler = env.DATABASE_POOL_MODE === "transaction";
    if (transactionPooler && !env.DATABASE_SESSION_URL) {
      fail(
        definition.name,
        "DATABASE_POOL_MODE=transaction needs DATABASE_SESSION_URL: LISTEN, consumer leases and migrations need a real " +
          "session (PostgreSQL itself, or a pooler in session mode), which a transaction-mode pooler does not give",
      );
    }
    budget = connectionBudget({
      poolSize: Number(env.DATABASE_POOL_SIZE ?? 10),
      events: definition.events !== undefined,
      eventLogPoolSize: !env.NATS_URL && env.EVENT_LOG_URL ? Number(env.EVENT_LOG_POOL_SIZE ?? 2) : undefined,
      transactionPooler,
    });
    logger.info({ budget }, `at most ${budget.total} database connections (${describeBudget(budget)})`);
    const connectTimeoutMs = Number(env.DATABASE_CONNECT_TIMEOUT_MS ?? 30_000);
    const onRetry = (error: DatabaseUnavailableError, attempt: number) =>
      logger.warn({ attempt }, `${error.message}; retrying`);
    // Start-up work takes the budget's admin slot: one connection, closed before the pool opens.
    const admin = createPool(sessionUrl, { max: 1, applicationName: `${instance}:admin`, preparedStatements: false });
    try {
      await ensureDatabase(sessionUrl).catch((error: unknown) => {
        // Without CREATE DATABASE rights the database may still exist: the connection below tells.
        logger.debug({ err: error }, "could not ensure the database exists");
      });
      await waitForDatabase(admin, sessionUrl, connectTimeoutMs, onRetry);
      const check = migrations === "check";
      await migrate(admin, definition.migrationsDir, logger, { check });
      for (const part of parts) await part.migrate?.(admin, logger, { check });
      await admin.end();
      if (migrations === "only") {
        logger.info("migrations applied (DATABASE_MIGRATIONS=only): exiting");
        process.exit(0);
      }
      sidePoolSize = Math.max(0, Math.min(budget.pool - 1, definition.sidePool?.(budget.pool) ?? 0));
      db = createPool(databaseUrl, {
        max: budget.pool - sidePoolSize,
        applicationName: instance,
        idleTimeoutMs: Number(env.DATABASE_IDLE_TIMEOUT_MS ?? 10_000),
        preparedStatements: !transactionPooler,
        serverKeepalive: !transactionPooler,
      });
      if (databaseUrl !== sessionUrl) await waitForDatabase(db, databaseUrl, connectTimeoutMs, onRetry);
    } catch (error) {
      await admin.end().catch(() => {});
      await db?.end().catch(() => {});
      if (error instanceof DatabaseUnavailableError || error instanceof MigrationsPendingError) {
        fail(definition.name, error.message);
      }
      logger.fatal({ err: error }, "database setup failed");
      fail(definition.name, `database setup failed: ${(error as Error).message}`);
    }
  }

  if (parts.length > 0 && !db) fail(definition.name, `${parts[0]!.name} needs a database (migrationsDir)`);
  // Opened in order, stopped in reverse; the events part's value is buildApp's `bus`.
  const opened: OpenPart<unknown>[] = [];
  let bus: OpenPart<B> | undefined;
  for (const part of parts) {
    if (!part.open) continue;
    try {
      const open = await part.open({ service: definition.name, instance, logger, env, db: db!, sessionUrl });
      opened.push(open);
      if (part === definition.events) bus = open as OpenPart<B>;
    } catch (error) {
      for (const open of opened.reverse()) await open.stop().catch(() => {});
      await db!.end().catch(() => {});
      fail(definition.name, `${part.name}: ${(error as Error).message}`);
    }
  }
  const stopParts = async () => {
    for (const open of [...opened].reverse()) await open.stop();
  };

  // Tokens are verified locally; what identity revokes before they expire is read from its
  // revocation list every 2 seconds (revocations.ts).
  const revocations =
    typeof env.JWKS_URL === "string"
      ? createRevocations({
          fetchPage: identityRevocationsFetcher(
            identityUrlOf({ JWKS_URL: env.JWKS_URL, IDENTITY_URL: env.IDENTITY_URL as string | undefined }),
          ),
          logger,
        })
      : undefined;
  const auth =
    typeof env.JWKS_URL === "string"
      ? revocationCheckingVerifier(createTokenVerifier({ keys: env.JWKS_URL }), revocations!)
      : undefined;
  const app = await definition.buildApp({ config, logger, instance, db, bus: bus?.value, auth, sidePoolSize });
  if (db && budget) registerDatabaseMetrics(app.comptoir.metrics.registry, db, budget, () => bus?.sessionConnected?.());
  if (revocations) {
    revocations.start();
    app.addHook("onClose", () => revocations.stop());
  }
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    app.comptoir.health.shuttingDown = true;
    logger.info({ reason }, "shutting down: draining in-flight requests");
    const timeoutMs = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out; exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await app.close();
      await stopParts();
      await definition.onClose?.();
      await db?.end();
      await stopTracing?.();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "error during shutdown");
      process.exit(1);
    }
  };
  // Listening for the stop signals from here on, before the service is reachable: a SIGTERM that
  // arrives while it starts (the launcher stopping, a test that saw it ready) waits for the start to
  // end, then stops it gracefully, instead of killing the process where it stands.
  let started = false;
  let pending: string | undefined;
  const onSignal = (reason: string) => {
    if (started) void shutdown(reason);
    else pending ??= reason;
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  if (process.connected) process.once("disconnect", () => onSignal("launcher went away"));

  const port = Number(env.PORT);
  const host = String(env.HOST ?? "127.0.0.1");
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = (error as { code?: string }).code;
    fail(definition.name, code === "EADDRINUSE" ? `port ${port} is already in use (PORT)` : (error as Error).message);
  }
  for (const open of opened) await open.start();

  started = true;
  if (pending) void shutdown(pending);
}

function describeBudget(budget: ConnectionBudget): string {
  const parts = [`pool ${budget.pool}`, `session ${budget.session}`, `admin ${budget.admin}`];
  if (budget.eventLog) parts.push(`event log ${budget.eventLog}`);
  return parts.join(" + ");
}

function fail(service: string, message: string): never {
  process.stderr.write(`${service}: ${message}\n`);
  process.exit(1);
}

/**
 * The migrations folder of a service, found from any of its files: works both from the TypeScript
 * sources (tests) and from the bundle in dist/ (the package root is the nearest package.json).
 */
export function migrationsDirOf(moduleUrl: string): string {
  let dir = dirname(new URL(moduleUrl).pathname);
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${moduleUrl}`);
    dir = parent;
  }
  return join(dir, "src", "db", "migrations");
}

import { isAbsolute, resolve } from "node:path";
import { BACKEND_SERVICES, type BackendService } from "@comptoir/contracts";
import { UsageError } from "../errors";
import { redactNatsUrl, redactUrl } from "./databases";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LauncherConfig {
  /** The gateway's public port. */
  port: number;
  /** Absolute path of the data folder (embedded PostgreSQL, logs, lock). */
  dataDir: string;
  /** An external PostgreSQL server; when absent, the embedded one is used. */
  databaseUrl: URL | undefined;
  /** `<SERVICE>_DATABASE_URL`: the exact database of one service, used as is. */
  serviceDatabaseUrls: Partial<Record<BackendService, URL>>;
  /** Embedded PostgreSQL port; when absent, the first free port from 5433 upward. */
  pgPort: number | undefined;
  logLevel: LogLevel;
  /** EVENT_LOG_URL: the PostgreSQL event log's exact database, instead of `<base>_events` on the shared server. */
  eventLogUrl: URL | undefined;
  /** NATS_URL: events go through NATS JetStream, and there is no PostgreSQL event log. */
  natsUrl: string | undefined;
  /** NATS_PREFIX: the JetStream subject and stream prefix (the services' default when absent). */
  natsPrefix: string | undefined;
  /**
   * COMPTOIR_DEMO: seed the demo data and accounts of SPEC §6 (default on, except with
   * NODE_ENV=production, where the services refuse demo data anyway).
   */
  demo: boolean;
  /**
   * HOST: where the gateway listens. When absent, 127.0.0.1 in demo mode (the demo accounts' password
   * is public) and 0.0.0.0 otherwise.
   */
  host: string | undefined;
  /** INTERNAL_SECRET given explicitly (a distributed setup): wins over the data folder's secrets.json. */
  internalSecret: string | undefined;
  /** KEYS_SECRET given explicitly: wins over the data folder's secrets.json. */
  keysSecret: string | undefined;
  /** DATABASE_POOL_SIZE: each instance's pool, checked against the servers; sized to fit when absent. */
  poolSize: number | undefined;
  /** EVENT_LOG_POOL_SIZE: each instance's pool on the PostgreSQL event log (default 2). */
  eventLogPoolSize: number;
  /** DATABASE_POOL_MODE: `transaction` when DATABASE_URL is a PgBouncer in transaction mode. */
  poolMode: "session" | "transaction";
  /** DATABASE_SESSION_URL: the server itself (or a session-mode pooler), for what needs a session. */
  databaseSessionUrl: URL | undefined;
}

type Env = Record<string, string | undefined>;

/** `catalog` → `CATALOG_DATABASE_URL`. */
export function serviceDatabaseUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_DATABASE_URL`;
}

/**
 * Reads the launcher's configuration from the environment. The first invalid value throws a
 * UsageError whose message names the variable and what it expects, e.g.
 * `PORT must be a port number (1-65535), got "abc"`.
 */
export function loadLauncherConfig(env: Env, cwd: string): LauncherConfig {
  const serviceDatabaseUrls: Partial<Record<BackendService, URL>> = {};
  for (const service of BACKEND_SERVICES) {
    const name = serviceDatabaseUrlVariable(service);
    const url = optionalPostgresUrl(env, name);
    if (url) serviceDatabaseUrls[service] = url;
  }
  return {
    port: optionalPort(env, "PORT") ?? 8080,
    dataDir: dataDirectory(env, cwd),
    databaseUrl: optionalPostgresUrl(env, "DATABASE_URL"),
    serviceDatabaseUrls,
    pgPort: optionalPort(env, "COMPTOIR_PG_PORT"),
    logLevel: logLevel(env),
    eventLogUrl: optionalPostgresUrl(env, "EVENT_LOG_URL"),
    natsUrl: optionalNatsUrl(env, "NATS_URL"),
    natsPrefix: optionalNatsPrefix(env, "NATS_PREFIX"),
    demo: optionalBoolean(env, "COMPTOIR_DEMO") ?? read(env, "NODE_ENV") !== "production",
    host: optionalHost(env, "HOST"),
    internalSecret: readSecret(env, "INTERNAL_SECRET"),
    keysSecret: readSecret(env, "KEYS_SECRET"),
    poolSize: optionalInteger(env, "DATABASE_POOL_SIZE", 1, 200),
    eventLogPoolSize: optionalInteger(env, "EVENT_LOG_POOL_SIZE", 1, 50) ?? 2,
    poolMode: poolMode(env),
    databaseSessionUrl: optionalPostgresUrl(env, "DATABASE_SESSION_URL"),
  };
}

function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function poolMode(env: Env): "session" | "transaction" {
  const raw = read(env, "DATABASE_POOL_MODE");
  if (raw === undefined) return "session";
  if (raw === "session" || raw === "transaction") return raw;
  throw new UsageError(`DATABASE_POOL_MODE must be session or transaction, got "${raw}"`);
}

/** Unset and empty are the same: `PORT= npm start` means "the default". */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A secret as given, spaces included (identity reads it so); empty is "not set". */
export function readSecret(env: Env, name: string): string | undefined {
  return env[name] || undefined;
}

function optionalPort(env: Env, name: string): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}

function optionalPostgresUrl(env: Env, name: string): URL | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:") || !url.hostname) {
    // Never echo a password, even a mistyped one.
    const shown = url ? redactUrl(url) : raw.replace(/:\/\/([^:/@]*):[^@]*@/, "://$1:***@");
    throw new UsageError(
      `${name} must be a PostgreSQL URL (postgres://user:password@host:port/database), got "${shown}"`,
    );
  }
  return url;
}

/** `nats://host:4222`, `tls://…`, or a comma-separated list of them (what the services accept). */
function optionalNatsUrl(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const servers = raw.split(",").map((server) => server.trim());
  if (servers.some((server) => !/^(nats|tls):\/\/[^/\s]+/.test(server))) {
    throw new UsageError(`${name} must be a NATS URL (nats://host:4222), got "${redactNatsUrl(raw)}"`);
  }
  return raw;
}

function optionalBoolean(env: Env, name: string): boolean | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = raw.toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new UsageError(`${name} must be true or false (1/0, yes/no, on/off), got "${raw}"`);
}

/** An address to listen on: an IPv4 or IPv6 address or a host name, nothing else. */
function optionalHost(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9.:-]+$/.test(raw)) {
    throw new UsageError(`${name} must be an address to listen on (127.0.0.1, 0.0.0.0, a host name), got "${raw}"`);
  }
  return raw;
}

function optionalNatsPrefix(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^[a-z][a-z0-9]*$/.test(raw)) {
    throw new UsageError(`${name} must be lowercase letters and digits starting with a letter, got "${raw}"`);
  }
  return raw;
}

/**
 * The data folder: COMPTOIR_DATA, or `.data` in the working directory. `comptoir up` and the
 * commands that look for the running platform (`comptoir events`) agree on it.
 */
export function dataDirectory(env: Env, cwd: string): string {
  const raw = read(env, "COMPTOIR_DATA") ?? ".data";
  return isAbsolute(raw) ? resolve(raw) : resolve(cwd, raw);
}

function logLevel(env: Env): LogLevel {
  const raw = read(env, "LOG_LEVEL");
  if (raw === undefined) return "info";
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${raw}"`);
  }
  return level as LogLevel;
}

import type { BackendService } from "@comptoir/contracts";

/** The database name used when a server URL names none (`postgres://host:5432`). */
export const DEFAULT_DATABASE_BASE_NAME = "comptoir";

export interface DatabaseSources {
  /** The server every service's database lives on, unless overridden: external or embedded. */
  serverUrl: URL | undefined;
  /** `<SERVICE>_DATABASE_URL` overrides, used exactly as given. */
  overrides: Partial<Record<BackendService, URL>>;
}

/** `postgres://h/comptoir` → `comptoir`; no name → `comptoir`. */
export function baseDatabaseName(serverUrl: URL): string {
  const name = decodeURIComponent(serverUrl.pathname.replace(/^\/+/, ""));
  return name || DEFAULT_DATABASE_BASE_NAME;
}

/** One database per service on a shared server: `<base>_<service>`, e.g. `comptoir_catalog`. */
export function serviceDatabaseName(base: string, service: BackendService): string {
  return `${base}_${service}`;
}

/** The PostgreSQL event log's database on the shared server: `<base>_events`, e.g. `comptoir_events`. */
export function eventLogDatabaseUrl(serverUrl: URL): URL {
  return withDatabase(serverUrl, `${baseDatabaseName(serverUrl)}_events`);
}

/** The same server, user, password and options (`?sslmode=…`), another database. */
export function withDatabase(serverUrl: URL, database: string): URL {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url;
}

export function databaseOf(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\/+/, ""));
}

/** True when some service has no override, so a server (external or embedded) is needed. */
export function needsSharedServer(
  services: readonly BackendService[],
  overrides: DatabaseSources["overrides"],
): boolean {
  return services.some((service) => !overrides[service]);
}

/**
 * The exact database URL each service gets as its DATABASE_URL: its override if any, otherwise
 * `<base>_<service>` on the shared server.
 */
export function resolveServiceDatabaseUrls(
  services: readonly BackendService[],
  sources: DatabaseSources,
): Record<BackendService, URL> {
  const urls = {} as Record<BackendService, URL>;
  for (const service of services) {
    const override = sources.overrides[service];
    if (override) {
      urls[service] = override;
      continue;
    }
    if (!sources.serverUrl) throw new Error(`no database server for ${service}`);
    urls[service] = withDatabase(sources.serverUrl, serviceDatabaseName(baseDatabaseName(sources.serverUrl), service));
  }
  return urls;
}

/** The URL with its password replaced by `***`, for messages and the banner. */
export function redactUrl(url: URL): string {
  if (!url.password) return url.toString();
  const shown = new URL(url);
  shown.password = "***";
  return shown.toString();
}

/**
 * A NATS URL (or comma-separated list) with its credentials hidden: `nats://user:***@host`, and a
 * token (`nats://token@host`) replaced by `***` altogether.
 */
export function redactNatsUrl(raw: string): string {
  return raw
    .split(",")
    .map((server) =>
      server.trim().replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
        const colon = auth.indexOf(":");
        return `${scheme}${colon >= 0 ? `${auth.slice(0, colon)}:***` : "***"}@`;
      }),
    )
    .join(",");
}

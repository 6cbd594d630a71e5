import type { CredentialHolder, ServiceAccountName } from "@comptoir/contracts";
import Type, { type Static, type TObject } from "typebox";
import Value from "typebox/value";
import { developmentServiceCredential } from "../auth/service-credentials";

/** Thrown when the environment does not satisfy a service's schema; its message is one line. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads a service's configuration from the environment: converts strings to the schema's types,
 * applies defaults, and fails on the first invalid value with a line that names the variable and
 * says what it expects (the schema's `description`). With NODE_ENV=production, a property marked
 * `productionRefusesDefault` (a development secret) must be set, to something else than its default.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const value = Value.Default(schema, Value.Convert(schema, raw)) as Record<string, unknown>;
  const errors = Value.Errors(schema, value);
  if (errors.length === 0) {
    refuseDevelopmentDefaults(schema, value, (value.NODE_ENV as string | undefined) ?? env.NODE_ENV);
    return value as Static<S>;
  }

  // One line that names every wrong variable, each once, in the schema's order.
  const problems = new Map<string, string>();
  for (const error of errors) {
    const key = firstKey(error) ?? "configuration";
    if (problems.has(key)) continue;
    const property = schema.properties[key] as { description?: string } | undefined;
    const expected = property?.description ?? error.message;
    const got = raw[key] !== undefined ? `, got "${String(raw[key])}"` : " (not set)";
    problems.set(key, `${key} must be ${expected}${got}`);
  }
  const order = Object.keys(schema.properties);
  const sorted = [...problems.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  throw new ConfigError(sorted.map(([, line]) => line).join("; "));
}

/** A development secret's default in production: one line naming the variable, never its value. */
function refuseDevelopmentDefaults(schema: TObject, value: Record<string, unknown>, nodeEnv: string | undefined): void {
  if (nodeEnv !== "production") return;
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties) as [string, Record<string, unknown>][]) {
    if (property.productionRefusesDefault !== true || value[key] !== property.default) continue;
    problems.push(`${key} must be set in production to ${String(property.description)}, not the development default`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
}

function firstKey(error: { instancePath: string; params: Record<string, unknown> }): string | undefined {
  const fromPath = error.instancePath.split("/")[1];
  if (fromPath) return fromPath;
  const missing = (error.params.requiredProperties as string[] | undefined)?.[0];
  return missing;
}

/** Reusable pieces of env schemas. */
export const Env = {
  port: (defaultPort: number) =>
    Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort, description: "a port number (1-65535)" }),
  host: () =>
    Type.String({ default: "127.0.0.1", minLength: 1, description: "a host name or IP address to listen on" }),
  postgresUrl: () =>
    Type.String({
      pattern: "^postgres(ql)?://",
      description: "a PostgreSQL connection URL (postgres://user:password@host:port/database)",
    }),
  logLevel: () =>
    Type.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
      { default: "info", description: "one of fatal, error, warn, info, debug, trace, silent" },
    ),
  nodeEnv: () =>
    Type.Union(
      ["development", "production", "test"].map((l) => Type.Literal(l)),
      { default: "development", description: "one of development, production, test" },
    ),
  milliseconds: (defaultMs: number) =>
    Type.Integer({ minimum: 0, default: defaultMs, description: "a duration in milliseconds (integer >= 0)" }),
  positiveInt: (defaultValue: number) =>
    Type.Integer({ minimum: 1, default: defaultValue, description: "a positive integer" }),
};

/** What every service reads. A service's own schema spreads these properties and adds its own. */
export const BaseServiceEnv = {
  PORT: Env.port(3000),
  HOST: Env.host(),
  INSTANCE_ID: Type.Optional(Type.String({ minLength: 1, description: "a non-empty instance name" })),
  LOG_LEVEL: Env.logLevel(),
  NODE_ENV: Env.nodeEnv(),
  SHUTDOWN_TIMEOUT_MS: Env.milliseconds(10_000),
};

export const DatabaseEnv = {
  DATABASE_URL: Env.postgresUrl(),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: "an integer from 1 to 200" }),
  DATABASE_CONNECT_TIMEOUT_MS: Env.milliseconds(30_000),
  /** Idle pool connections are closed after this (a service without work keeps almost none). */
  DATABASE_IDLE_TIMEOUT_MS: Env.milliseconds(10_000),
  /**
   * `transaction` when DATABASE_URL goes through a pooler in transaction mode (PgBouncer
   * pool_mode=transaction): the pool stops using named prepared statements, and what needs a real
   * session (LISTEN, session advisory locks, migrations) uses DATABASE_SESSION_URL, which is then
   * required.
   */
  DATABASE_POOL_MODE: Type.Union([Type.Literal("session"), Type.Literal("transaction")], {
    default: "session",
    description: "session or transaction (transaction: DATABASE_URL goes through PgBouncer in transaction mode)",
  }),
  /**
   * What an instance does with its database's migrations: `start` applies what is missing before it
   * serves (one machine, the launcher, compose); `check` applies nothing and refuses to start while one
   * is missing (Kubernetes: a Job migrates before the rollout); `only` applies them and exits 0
   * without serving (that Job).
   */
  DATABASE_MIGRATIONS: Type.Union([Type.Literal("start"), Type.Literal("check"), Type.Literal("only")], {
    default: "start",
    description:
      "start (apply missing migrations, then serve), check (apply none; refuse to start if one is missing) or only (apply, then exit)",
  }),
  DATABASE_SESSION_URL: Type.Optional(
    Type.String({
      pattern: "^postgres(ql)?://",
      description:
        "a PostgreSQL URL giving real sessions (the server itself, or a session-mode pooler) for LISTEN, leases and migrations; default DATABASE_URL",
    }),
  ),
};

/** Services that check access tokens: where identity publishes its public keys. */
export const AuthEnv = {
  JWKS_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:3001/api/identity/.well-known/jwks.json",
    description: "an http(s) URL: identity's JWKS (public keys of access tokens)",
  }),
};

/**
 * Services that call others with a service token of their own (createServiceTokens): the credential
 * of their service account, which they prove to identity, and where identity is. The credential is
 * derived from identity's INTERNAL_SECRET (deriveServiceCredential), which the service never sees;
 * its default, the derivation of the development INTERNAL_SECRET, is refused in production.
 */
export function serviceAuthEnv(service: ServiceAccountName) {
  return {
    SERVICE_CREDENTIAL: serviceCredentialEnv(service, "for service tokens"),
    IDENTITY_URL: Type.Optional(
      Type.String({
        pattern: "^https?://",
        description: "identity's base URL for service tokens (default: JWKS_URL's origin)",
      }),
    ),
  };
}

/**
 * SERVICE_CREDENTIAL: `holder`'s own credential (`purpose`: what it proves it for), derived from
 * identity's INTERNAL_SECRET; its default, the development one, is refused in production.
 */
export function serviceCredentialEnv(holder: CredentialHolder, purpose: string) {
  return Type.String({
    minLength: 1,
    default: developmentServiceCredential(holder),
    productionRefusesDefault: true,
    description: `${holder}'s own credential ${purpose}, derived from identity's INTERNAL_SECRET (comptoir secrets credential ${holder})`,
  });
}

/** Identity's base URL: IDENTITY_URL, else the origin of JWKS_URL (identity serves both). */
export function identityUrlOf(config: { IDENTITY_URL?: string; JWKS_URL: string }): string {
  return config.IDENTITY_URL ?? new URL(config.JWKS_URL).origin;
}

/** The event backbone (services that publish or consume events). One of the two URLs must be set. */
export const EventsEnv = {
  NATS_URL: Type.Optional(
    Type.String({
      pattern: "^(nats|tls)://",
      description: "a NATS URL (nats://host:4222): events go through JetStream",
    }),
  ),
  NATS_PREFIX: Type.String({
    pattern: "^[a-z][a-z0-9]*$",
    default: "comptoir",
    description: "lowercase letters and digits: the JetStream subject and stream prefix",
  }),
  EVENT_LOG_URL: Type.Optional(
    Type.String({
      pattern: "^postgres(ql)?://",
      description: "the PostgreSQL event log's database URL (embedded mode; the launcher sets it)",
    }),
  ),
  EVENT_LOG_POOL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 50,
    default: 2,
    description: "an integer from 1 to 50: connections to the PostgreSQL event log per instance",
  }),
  EVENTS_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: "attempts before an event is dead-lettered (1-100)",
  }),
  EVENTS_RETRY_BASE_MS: Env.milliseconds(200),
  EVENTS_OUTBOX_RETENTION_HOURS: Env.positiveInt(168),
};

import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { API_KEY_TIER_LIMITS, API_KEY_TIERS, type ApiKeyTier } from "@comptoir/contracts";
import { ConfigError, type Static, Type } from "@comptoir/platform";
import Value from "typebox/value";

/**
 * The gateway's declarative configuration (Kong DB-less style): one JSON file listing the services
 * (route prefix → upstream, timeout, body limit, rate-limit override), the upstreams (targets, active
 * health check, balancer, circuit breaker), authentication (JWKS, API-key cache), rate limits (window,
 * tiers, per user, per IP), CORS and the body-size limit, then overridden by the environment —
 * `UPSTREAM_<NAME>` replaces an upstream's targets (this is how the launcher, compose or Kubernetes
 * say where the instances are), `HEALTH_CHECK_INTERVAL_MS` every upstream's check interval,
 * `REDIS_URL` moves rate limits to Redis, `CORS_ORIGINS`, `JWKS_URL`, `RATE_LIMIT_ANONYMOUS`,
 * `RATE_LIMIT_USER`, `RATE_LIMIT_KEY_PREFIX`, `TRUSTED_PROXIES` and `BODY_LIMIT_BYTES` replace their settings,
 * `GATEWAY_CONFIG` points at another file.
 */

const NAME = "^[a-z][a-z0-9-]*$";

const HealthCheckFields = {
  path: Type.String({ pattern: "^/", description: "a path starting with /" }),
  intervalMs: Type.Integer({ minimum: 10, description: "an integer >= 10 (milliseconds between checks)" }),
  timeoutMs: Type.Integer({ minimum: 1, description: "an integer >= 1 (milliseconds a check may take)" }),
  healthyThreshold: Type.Integer({ minimum: 1, description: "an integer >= 1 (successes before up)" }),
  unhealthyThreshold: Type.Integer({ minimum: 1, description: "an integer >= 1 (consecutive failures before down)" }),
};
const PartialHealthCheck = Type.Object(
  {
    path: Type.Optional(HealthCheckFields.path),
    intervalMs: Type.Optional(HealthCheckFields.intervalMs),
    timeoutMs: Type.Optional(HealthCheckFields.timeoutMs),
    healthyThreshold: Type.Optional(HealthCheckFields.healthyThreshold),
    unhealthyThreshold: Type.Optional(HealthCheckFields.unhealthyThreshold),
  },
  { additionalProperties: false },
);
const Timeout = Type.Integer({ minimum: 1, description: "an integer >= 1 (milliseconds)" });
const Bytes = Type.Integer({ minimum: 1, description: "an integer >= 1 (bytes)" });
const Limit = Type.Integer({ minimum: 1, description: "an integer >= 1 (requests per window)" });
const WindowMs = Type.Integer({ minimum: 100, description: "an integer >= 100 (milliseconds)" });
const CircuitBreakerFields = Type.Object(
  {
    consecutiveFailures: Type.Optional(
      Type.Integer({ minimum: 1, description: "an integer >= 1 (consecutive failures that open the circuit)" }),
    ),
    halfOpenAfterMs: Type.Optional(
      Type.Integer({ minimum: 1, description: "an integer >= 1 (milliseconds before a probe is let through)" }),
    ),
  },
  { additionalProperties: false },
);
const Balancer = Type.String({
  pattern: "^(round-robin|least-connections)$",
  description: '"round-robin" or "least-connections"',
});

const FileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    formatVersion: Type.Literal(1, { description: "1" }),
    defaults: Type.Optional(
      Type.Object(
        { timeoutMs: Type.Optional(Timeout), healthCheck: Type.Optional(PartialHealthCheck) },
        { additionalProperties: false },
      ),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          jwksUrl: Type.Optional(Type.String({ pattern: "^https?://", description: "an http(s) URL of a JWKS" })),
          apiKeyCacheMs: Type.Optional(
            Type.Integer({ minimum: 0, description: "an integer >= 0 (milliseconds an API key lookup is kept)" }),
          ),
          jwksCooldownMs: Type.Optional(
            Type.Integer({ minimum: 0, description: "an integer >= 0 (milliseconds between two JWKS fetches)" }),
          ),
          identityUpstream: Type.Optional(
            Type.String({ pattern: NAME, description: "the name of the upstream identity runs on" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    rateLimits: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: "true or false" })),
          windowMs: Type.Optional(WindowMs),
          tiers: Type.Optional(
            Type.Object(
              {
                admin: Type.Optional(Limit),
                frontend: Type.Optional(Limit),
                mobile: Type.Optional(Limit),
                partner: Type.Optional(Limit),
              },
              { additionalProperties: false },
            ),
          ),
          user: Type.Optional(Limit),
          anonymous: Type.Optional(Limit),
          clientTiers: Type.Optional(
            Type.Array(Type.Union(API_KEY_TIERS.map((tier) => Type.Literal(tier))), {
              description: "a list of API-key tiers (admin, frontend, mobile, partner)",
            }),
          ),
          keyPrefix: Type.Optional(Type.String({ minLength: 1, description: "a non-empty Redis key prefix" })),
        },
        { additionalProperties: false },
      ),
    ),
    cors: Type.Optional(
      Type.Object(
        {
          origins: Type.Optional(
            Type.Array(
              Type.String({
                pattern: "^(\\*|https?://[^/]+)$",
                description: '"*" or an origin such as https://shop.example',
              }),
              {
                description: "a list of origins",
              },
            ),
          ),
          allowedHeaders: Type.Optional(
            Type.Array(Type.String({ pattern: "^[A-Za-z0-9-]+$", description: "a header name" }), {
              description: "a list of header names",
            }),
          ),
          maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 0, description: "an integer >= 0 (seconds)" })),
        },
        { additionalProperties: false },
      ),
    ),
    bodyLimitBytes: Type.Optional(Bytes),
    trustedProxies: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: "an IP address or CIDR" }), {
        description: "a list of IP addresses or CIDRs",
      }),
    ),
    circuitBreaker: Type.Optional(CircuitBreakerFields),
    services: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: NAME, description: "a lower-case name (letters, digits, dashes)" }),
          prefix: Type.String({
            pattern: "^(/[A-Za-z0-9._~-]+)+$",
            description: "a path prefix such as /api/catalog (no trailing slash)",
          }),
          upstream: Type.String({ pattern: NAME, description: "the name of an upstream of this file" }),
          timeoutMs: Type.Optional(Timeout),
          bodyLimitBytes: Type.Optional(Bytes),
          idempotencyKeys: Type.Optional(
            Type.Boolean({
              description:
                "true when every POST and PATCH of the service has one effect per Idempotency-Key: a keyed one may be sent again to another instance",
            }),
          ),
          rateLimit: Type.Optional(
            Type.Object(
              { anonymous: Type.Optional(Limit), user: Type.Optional(Limit), windowMs: Type.Optional(WindowMs) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: "a non-empty list of services" },
    ),
    upstreams: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: NAME, description: "a lower-case name (letters, digits, dashes)" }),
          targets: Type.Array(Type.String({ description: "an http(s) base URL" }), {
            minItems: 1,
            description: "a non-empty list of base URLs",
          }),
          healthCheck: Type.Optional(PartialHealthCheck),
          balancer: Type.Optional(Balancer),
          circuitBreaker: Type.Optional(CircuitBreakerFields),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: "a non-empty list of upstreams" },
    ),
  },
  { additionalProperties: false },
);
type GatewayFile = Static<typeof FileSchema>;

export interface HealthCheckConfig {
  /** Fetched on every instance; any 2xx is a success. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes that bring an instance (back) up. */
  healthyThreshold: number;
  /** Consecutive failures that take an instance down. */
  unhealthyThreshold: number;
}

export type BalancerKind = "round-robin" | "least-connections";

export interface CircuitBreakerConfig {
  /** Consecutive failed requests (no answer, timeout, 502/503/504) that open the circuit. */
  consecutiveFailures: number;
  /** How long it stays open before one probe request is let through (half-open). */
  halfOpenAfterMs: number;
}

export interface UpstreamConfig {
  name: string;
  /** Origins (`http://catalog:3000`), no path. */
  targets: string[];
  healthCheck: HealthCheckConfig;
  balancer: BalancerKind;
  circuitBreaker: CircuitBreakerConfig;
}

/** A route's own budget, counted apart from the global one (API-key consumers keep their tier). */
export interface RouteRateLimit {
  anonymous: number;
  user: number;
  windowMs: number;
}

export interface ServiceConfig {
  name: string;
  /** `/api/catalog`: the gateway serves `<prefix>` and `<prefix>/*`, path and query unchanged. */
  prefix: string;
  upstream: string;
  /** Until the upstream's response headers arrive. */
  timeoutMs: number;
  /** Largest request body (by Content-Length or while streaming) before a 413. */
  bodyLimitBytes: number;
  /**
   * Every POST and PATCH of the service has one effect per Idempotency-Key (the service says so):
   * a keyed one whose instance failed or vanished is sent again to another (its body, when small,
   * is read whole first so that it can be). False: such a write is never sent twice.
   */
  idempotencyKeys: boolean;
  /** Set when the route has its own anonymous/user limits. */
  rateLimit?: RouteRateLimit;
}

export interface AuthConfig {
  /** Where the JWKS is; undefined: fetched through the identity upstream's instances (JWKS_PATH). */
  jwksUrl: string | undefined;
  /** How long a resolved (or unknown) API key is remembered: revocation is effective after at most this. */
  apiKeyCacheMs: number;
  /** A token naming an unknown key refetches the JWKS at most once per this delay (key rotation). */
  jwksCooldownMs: number;
  /** The upstream identity runs on (JWKS and API-key resolution); undefined when none is configured. */
  identityUpstream: string | undefined;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** One window for every budget (fixed window, see rate-limit.store.ts). */
  windowMs: number;
  tiers: Record<ApiKeyTier, number>;
  /**
   * Tiers of keys held by the public (a web shop's or an app's key, readable by anyone): their limit
   * is per client under the key (the signed-in user, else the client address), so that one abuser
   * cannot spend everyone's budget. Other tiers' keys are secrets of one consumer: per key.
   */
  clientTiers: ApiKeyTier[];
  /** Per verified user (token `sub`). */
  user: number;
  /** Per client IP, without API key or token. */
  anonymous: number;
  /** Redis key prefix (several gateways sharing a Redis share budgets with the same prefix). */
  keyPrefix: string;
  /** REDIS_URL: budgets live in Redis (shared between gateway instances); in-process otherwise. */
  redisUrl: string | undefined;
}

export interface CorsConfig {
  /** Allowed origins; empty: same-origin only (no CORS headers); `*`: any origin. */
  origins: string[];
  allowedHeaders: string[];
  maxAgeSeconds: number;
}

export interface GatewayConfig {
  /** The file it was read from. */
  file: string;
  services: ServiceConfig[];
  upstreams: UpstreamConfig[];
  auth: AuthConfig;
  rateLimits: RateLimitConfig;
  cors: CorsConfig;
  /**
   * Proxies (IPs or CIDRs) in front of the gateway whose X-Forwarded-For is believed: the client
   * address is the last one added by a proxy outside this list. Empty: the peer's address.
   */
  trustedProxies: string[];
}

export const BUILT_IN_DEFAULTS = {
  timeoutMs: 10_000,
  bodyLimitBytes: 1024 * 1024,
  apiKeyCacheMs: 5_000,
  jwksCooldownMs: 5_000,
  rateLimits: {
    windowMs: 60 * 60_000,
    tiers: API_KEY_TIER_LIMITS,
    // A signed-in person clicking through the back office or the shop: generous.
    user: 5_000,
    // Per client address without key or token: a browsing visitor stays far below it, a scraper does
    // not; addresses shared behind a NAT are the reason it is not lower.
    anonymous: 1_000,
    clientTiers: ["frontend", "mobile"] as ApiKeyTier[],
    keyPrefix: "comptoir:ratelimit:",
  },
  cors: {
    allowedHeaders: [
      "authorization",
      "content-type",
      "accept",
      "accept-language",
      "x-api-key",
      "apikey",
      "idempotency-key",
      "x-cart-token",
      "x-request-id",
      "traceparent",
    ],
    maxAgeSeconds: 600,
  },
  circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 } satisfies CircuitBreakerConfig,
  healthCheck: {
    path: "/health/ready",
    intervalMs: 2_000,
    timeoutMs: 1_000,
    healthyThreshold: 1,
    unhealthyThreshold: 2,
  } satisfies HealthCheckConfig,
};

export interface LoadGatewayConfigOptions {
  /** The JSON file (GATEWAY_CONFIG, or the package's gateway.config.json). */
  file: string;
  /** HEALTH_CHECK_INTERVAL_MS: replaces every upstream's interval. */
  healthCheckIntervalMs?: number | undefined;
  /**
   * Where `UPSTREAM_<NAME>`, REDIS_URL, CORS_ORIGINS, JWKS_URL, RATE_LIMIT_ANONYMOUS, RATE_LIMIT_USER,
   * RATE_LIMIT_KEY_PREFIX, TRUSTED_PROXIES and BODY_LIMIT_BYTES are read from.
   */
  env?: Record<string, string | undefined>;
}

/** `catalog` → `UPSTREAM_CATALOG`, `click-collect` → `UPSTREAM_CLICK_COLLECT`. */
export function upstreamVariable(upstream: string): string {
  return `UPSTREAM_${upstream.toUpperCase().replaceAll("-", "_")}`;
}

/** The gateway.config.json of the package a module belongs to (works from src/ and from dist/). */
export function defaultConfigFile(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${moduleUrl}`);
    dir = parent;
  }
  return join(dir, "gateway.config.json");
}

/**
 * Reads, validates and resolves the gateway's configuration. Anything wrong throws a ConfigError
 * whose message is one line naming the file (or variable), the field and what it expects.
 */
export function loadGatewayConfig(options: LoadGatewayConfigOptions): GatewayConfig {
  const file = resolve(options.file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: is not valid JSON (${(error as Error).message})`);
  }
  const problems = schemaProblems(raw);
  if (problems.length > 0) throw new ConfigError(`${file}: ${problems.join("; ")}`);
  return resolveConfig(file, raw as GatewayFile, options);
}

function resolveConfig(file: string, data: GatewayFile, options: LoadGatewayConfigOptions): GatewayConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`${file}: ${message}`);
  };
  const env = options.env ?? {};
  const defaultHealthCheck = { ...BUILT_IN_DEFAULTS.healthCheck, ...data.defaults?.healthCheck };
  const defaultTimeout = data.defaults?.timeoutMs ?? BUILT_IN_DEFAULTS.timeoutMs;
  const defaultBreaker = { ...BUILT_IN_DEFAULTS.circuitBreaker, ...data.circuitBreaker };
  const bodyLimitBytes =
    positiveIntegerVariable(env, "BODY_LIMIT_BYTES") ?? data.bodyLimitBytes ?? BUILT_IN_DEFAULTS.bodyLimitBytes;

  const upstreams = new Map<string, UpstreamConfig>();
  data.upstreams.forEach((u, i) => {
    if (upstreams.has(u.name)) fail(`upstreams[${i}].name "${u.name}" is listed twice`);
    const targets = u.targets.map((t, j) => {
      const origin = toOrigin(t);
      if (!origin) fail(`upstreams[${i}].targets[${j}] must be an http(s) base URL without a path, got "${t}"`);
      return origin!;
    });
    const healthCheck = { ...defaultHealthCheck, ...u.healthCheck };
    if (options.healthCheckIntervalMs !== undefined) healthCheck.intervalMs = options.healthCheckIntervalMs;
    upstreams.set(u.name, {
      name: u.name,
      targets,
      healthCheck,
      balancer: (u.balancer ?? "round-robin") as BalancerKind,
      circuitBreaker: { ...defaultBreaker, ...u.circuitBreaker },
    });
  });

  const rateLimits: RateLimitConfig = {
    enabled: data.rateLimits?.enabled ?? true,
    windowMs: data.rateLimits?.windowMs ?? BUILT_IN_DEFAULTS.rateLimits.windowMs,
    tiers: { ...BUILT_IN_DEFAULTS.rateLimits.tiers, ...data.rateLimits?.tiers },
    user: positiveIntegerVariable(env, "RATE_LIMIT_USER") ?? data.rateLimits?.user ?? BUILT_IN_DEFAULTS.rateLimits.user,
    anonymous:
      positiveIntegerVariable(env, "RATE_LIMIT_ANONYMOUS") ??
      data.rateLimits?.anonymous ??
      BUILT_IN_DEFAULTS.rateLimits.anonymous,
    clientTiers: [...new Set(data.rateLimits?.clientTiers ?? BUILT_IN_DEFAULTS.rateLimits.clientTiers)],
    keyPrefix:
      nonEmpty(env.RATE_LIMIT_KEY_PREFIX) ?? data.rateLimits?.keyPrefix ?? BUILT_IN_DEFAULTS.rateLimits.keyPrefix,
    redisUrl: nonEmpty(env.REDIS_URL),
  };
  if (rateLimits.redisUrl !== undefined && !/^rediss?:\/\//.test(rateLimits.redisUrl)) {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${rateLimits.redisUrl}"`);
  }

  const names = new Set<string>();
  const prefixes = new Set<string>();
  const services = data.services.map((s, i): ServiceConfig => {
    if (names.has(s.name)) fail(`services[${i}].name "${s.name}" is listed twice`);
    if (prefixes.has(s.prefix)) fail(`services[${i}].prefix "${s.prefix}" is used twice`);
    if (!upstreams.has(s.upstream)) {
      fail(`services[${i}].upstream "${s.upstream}" is not one of the upstreams (${[...upstreams.keys()].join(", ")})`);
    }
    names.add(s.name);
    prefixes.add(s.prefix);
    const service: ServiceConfig = {
      name: s.name,
      prefix: s.prefix,
      upstream: s.upstream,
      timeoutMs: s.timeoutMs ?? defaultTimeout,
      // A route may raise (or lower) the global limit; BODY_LIMIT_BYTES never lowers a route's own.
      bodyLimitBytes: s.bodyLimitBytes ?? bodyLimitBytes,
      idempotencyKeys: s.idempotencyKeys ?? false,
    };
    if (s.rateLimit) {
      service.rateLimit = {
        anonymous: s.rateLimit.anonymous ?? rateLimits.anonymous,
        user: s.rateLimit.user ?? rateLimits.user,
        windowMs: s.rateLimit.windowMs ?? rateLimits.windowMs,
      };
    }
    return service;
  });

  // UPSTREAM_<NAME>=url[,url...] replaces that upstream's targets. A variable that names no upstream
  // is a typo worth stopping for, not something to ignore.
  const byVariable = new Map([...upstreams.values()].map((u) => [upstreamVariable(u.name), u]));
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith("UPSTREAM_") || value === undefined || value.trim() === "") continue;
    const upstream = byVariable.get(variable);
    if (!upstream) {
      throw new ConfigError(
        `${variable} names no upstream of ${file} (expected one of ${[...byVariable.keys()].join(", ")})`,
      );
    }
    const targets = value.split(",").map((t) => t.trim());
    const origins = targets.map(toOrigin);
    if (origins.some((o) => o === undefined)) {
      throw new ConfigError(
        `${variable} must be comma-separated http(s) base URLs without a path (e.g. http://127.0.0.1:3002,http://127.0.0.1:3003), got "${value}"`,
      );
    }
    upstream.targets = [...new Set(origins as string[])];
  }

  // Identity: by default the upstream of the service named "identity" (JWKS and API-key lookups).
  const identityUpstream =
    data.auth?.identityUpstream ?? data.services.find((s) => s.name === "identity")?.upstream ?? undefined;
  if (identityUpstream !== undefined && !upstreams.has(identityUpstream)) {
    fail(`auth.identityUpstream "${identityUpstream}" is not one of the upstreams`);
  }
  const jwksUrl = nonEmpty(env.JWKS_URL) ?? data.auth?.jwksUrl;
  if (jwksUrl !== undefined && !/^https?:\/\/[^/]/.test(jwksUrl)) {
    throw new ConfigError(`JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  }
  const auth: AuthConfig = {
    jwksUrl,
    apiKeyCacheMs: data.auth?.apiKeyCacheMs ?? BUILT_IN_DEFAULTS.apiKeyCacheMs,
    jwksCooldownMs: data.auth?.jwksCooldownMs ?? BUILT_IN_DEFAULTS.jwksCooldownMs,
    identityUpstream,
  };

  const corsVariable = nonEmpty(env.CORS_ORIGINS);
  const origins =
    corsVariable !== undefined ? corsVariable.split(",").map((o) => o.trim()) : (data.cors?.origins ?? []);
  for (const origin of origins) {
    if (origin !== "*" && toOrigin(origin) !== origin) {
      const where = corsVariable !== undefined ? "CORS_ORIGINS" : `${file}: cors.origins`;
      throw new ConfigError(
        `${where} must list "*" or origins such as https://shop.example (no path, no trailing slash), got "${origin}"`,
      );
    }
  }
  const cors: CorsConfig = {
    origins: [...new Set(origins)],
    allowedHeaders: [
      ...new Set([
        ...BUILT_IN_DEFAULTS.cors.allowedHeaders,
        ...(data.cors?.allowedHeaders ?? []).map((h) => h.toLowerCase()),
      ]),
    ],
    maxAgeSeconds: data.cors?.maxAgeSeconds ?? BUILT_IN_DEFAULTS.cors.maxAgeSeconds,
  };

  const proxiesVariable = nonEmpty(env.TRUSTED_PROXIES);
  const trustedProxies =
    proxiesVariable !== undefined ? proxiesVariable.split(",").map((p) => p.trim()) : (data.trustedProxies ?? []);
  for (const entry of trustedProxies) {
    if (!isAddressOrCidr(entry)) {
      const where = proxiesVariable !== undefined ? "TRUSTED_PROXIES" : `${file}: trustedProxies`;
      throw new ConfigError(
        `${where} must list IP addresses or CIDRs such as 10.0.0.0/8 or 192.168.1.10, got "${entry}"`,
      );
    }
  }

  return { file, services, upstreams: [...upstreams.values()], auth, rateLimits, cors, trustedProxies };
}

/** `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`. */
function isAddressOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** An optional positive integer variable; anything else set there is a ConfigError naming it. */
function positiveIntegerVariable(env: Record<string, string | undefined>, name: string): number | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}

/** `http://catalog:3000/` → `http://catalog:3000`; anything with a path, query or credentials → undefined. */
function toOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) return undefined;
  return url.origin;
}

/** The schema's complaints, one phrase each, with a readable path (`services[2].prefix`). */
function schemaProblems(raw: unknown): string[] {
  const problems: string[] = [];
  for (const error of Value.Errors(FileSchema, raw)) {
    // `additionalProperties: false` reports twice; keep the entry that names the property.
    if (error.keyword === "boolean") continue;
    const path = readablePath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let phrase: string;
    if (error.keyword === "additionalProperties") {
      const extra = (params.additionalProperties as string[] | undefined) ?? [];
      phrase = `${path ? `${path}: ` : ""}unknown ${extra.length > 1 ? "properties" : "property"} ${extra.map((p) => `"${p}"`).join(", ")}`;
    } else if (error.keyword === "required") {
      const missing = (params.requiredProperties as string[] | undefined) ?? [];
      phrase = missing.map((p) => `${path ? `${path}.` : ""}${p} is required`).join("; ");
    } else {
      const described = describedAt(error.schemaPath);
      const got = valueAt(raw, error.instancePath);
      phrase = `${path || "the file"} must be ${described ?? error.message}, got ${JSON.stringify(got) ?? "nothing"}`;
    }
    if (!problems.includes(phrase)) problems.push(phrase);
    if (problems.length === 3) break;
  }
  return problems;
}

function readablePath(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const part of instancePath.split("/").filter(Boolean)) {
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/** The `description` of the schema node an error points at (`#/properties/services/items/...`). */
function describedAt(schemaPath: string): string | undefined {
  let node: unknown = FileSchema;
  for (const part of schemaPath.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  }
  const description = (node as { description?: unknown } | undefined)?.description;
  return typeof description === "string" ? description : undefined;
}

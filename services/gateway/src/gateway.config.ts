import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, type Static, Type } from "@comptoir/platform";
import Value from "typebox/value";

/**
 * The gateway's declarative configuration (Kong DB-less style): one JSON file listing the services
 * (route prefix → upstream, timeout) and the upstreams (targets, active health check), then
 * overridden by the environment — `UPSTREAM_<NAME>` replaces an upstream's targets (this is how the
 * launcher, compose or Kubernetes say where the instances are), `HEALTH_CHECK_INTERVAL_MS` every
 * upstream's check interval, `GATEWAY_CONFIG` points at another file.
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

export interface UpstreamConfig {
  name: string;
  /** Origins (`http://catalog:3000`), no path. */
  targets: string[];
  healthCheck: HealthCheckConfig;
}

export interface ServiceConfig {
  name: string;
  /** `/api/catalog`: the gateway serves `<prefix>` and `<prefix>/*`, path and query unchanged. */
  prefix: string;
  upstream: string;
  /** Until the upstream's response headers arrive. */
  timeoutMs: number;
}

export interface GatewayConfig {
  /** The file it was read from. */
  file: string;
  services: ServiceConfig[];
  upstreams: UpstreamConfig[];
}

export const BUILT_IN_DEFAULTS = {
  timeoutMs: 10_000,
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
  /** Where `UPSTREAM_<NAME>` variables are read from. */
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
  const defaultHealthCheck = { ...BUILT_IN_DEFAULTS.healthCheck, ...data.defaults?.healthCheck };
  const defaultTimeout = data.defaults?.timeoutMs ?? BUILT_IN_DEFAULTS.timeoutMs;

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
    upstreams.set(u.name, { name: u.name, targets, healthCheck });
  });

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
    return { name: s.name, prefix: s.prefix, upstream: s.upstream, timeoutMs: s.timeoutMs ?? defaultTimeout };
  });

  // UPSTREAM_<NAME>=url[,url...] replaces that upstream's targets. A variable that names no upstream
  // is a typo worth stopping for, not something to ignore.
  const byVariable = new Map([...upstreams.values()].map((u) => [upstreamVariable(u.name), u]));
  for (const [variable, value] of Object.entries(options.env ?? {})) {
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

  return { file, services, upstreams: [...upstreams.values()] };
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

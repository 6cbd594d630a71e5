import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BACKEND_SERVICES, DEFAULT_PORTS } from "@comptoir/contracts";
import { ConfigError, developmentServiceCredential, loadConfig } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config";
import { defaultConfigFile, loadGatewayConfig } from "../src/gateway.config";
import { writeConfigFile } from "./support/gateway";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const shipped = defaultConfigFile(import.meta.url);

const minimal = () => ({
  formatVersion: 1,
  services: [
    { name: "catalog", prefix: "/api/catalog", upstream: "catalog" },
    { name: "inventory", prefix: "/api/inventory", upstream: "inventory", timeoutMs: 3000 },
  ],
  upstreams: [
    { name: "catalog", targets: ["http://catalog:3000"] },
    { name: "inventory", targets: ["http://inventory:3000/"], healthCheck: { intervalMs: 500 } },
  ],
});

/** The ConfigError message loading `content` (with `env`) produces. */
function errorFor(content: unknown, env: Record<string, string> = {}): string {
  const file = writeConfigFile(content);
  try {
    loadGatewayConfig({ file, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message.replace(file, "<file>");
  }
  throw new Error("expected a ConfigError");
}

describe("the shipped gateway.config.json", () => {
  it("routes every backend service at /api/<service> to its container name", () => {
    const config = loadGatewayConfig({ file: shipped, env: {} });

    expect(config.file).toBe(join(packageDir, "gateway.config.json"));
    expect(config.services.map((s) => s.name)).toEqual([...BACKEND_SERVICES]);
    for (const service of BACKEND_SERVICES) {
      expect(config.services.find((s) => s.name === service)).toEqual({
        name: service,
        prefix: `/api/${service}`,
        upstream: service,
        timeoutMs: 10_000,
        // Catalog takes product images.
        bodyLimitBytes: service === "catalog" ? 10 * 1024 * 1024 : 1024 * 1024,
        // Services whose every POST and PATCH has one effect per Idempotency-Key: a keyed write is sent again.
        idempotencyKeys: ["cart", "orders", "payments", "supply"].includes(service),
      });
      expect(config.upstreams.find((u) => u.name === service)).toEqual({
        name: service,
        targets: [`http://${service}:${DEFAULT_PORTS[service]}`],
        healthCheck: {
          path: "/health/ready",
          intervalMs: 2_000,
          timeoutMs: 1_000,
          healthyThreshold: 1,
          unhealthyThreshold: 2,
        },
        balancer: "round-robin",
        circuitBreaker: { consecutiveFailures: 5, halfOpenAfterMs: 10_000 },
      });
    }
    expect(config.auth).toEqual({
      jwksUrl: undefined,
      apiKeyCacheMs: 5_000,
      jwksCooldownMs: 5_000,
      identityUpstream: "identity",
    });
    expect(config.rateLimits).toMatchObject({
      enabled: true,
      windowMs: 3_600_000,
      tiers: { admin: 1000, frontend: 2000, mobile: 1000, partner: 500 },
      user: 5000,
      anonymous: 1000,
      redisUrl: undefined,
    });
    expect(config.cors.origins).toEqual([]);
  });
});

describe("the shipped routes of the calls that wait for a saga", () => {
  // orders' ORDERS_CHECKOUT_WAIT_MS and retail's RETAIL_SALE_WAIT_MS (8 s by default): a checkout or
  // a till's sale waits that long for its saga, then answers 409 *_in_progress (retry with the same key).
  const SAGA_WAIT_MS = 8_000;

  it("give orders' checkout and retail's sales more than the saga's wait, so that the caller gets the service's answer, not a 504", () => {
    const config = loadGatewayConfig({ file: shipped, env: {} });
    for (const service of ["orders", "retail"]) {
      const route = config.services.find((s) => s.name === service)!;
      // A second's margin: the answer still has to be written and relayed once the wait is over.
      expect(route.timeoutMs, service).toBeGreaterThanOrEqual(SAGA_WAIT_MS + 1_000);
      expect(route.bodyLimitBytes, service).toBe(1024 * 1024);
      // The users' budget, as every route: no route-specific limit that a busy till would hit first.
      expect(route.rateLimit, service).toBeUndefined();
    }
  });
});

describe("loading a config file", () => {
  it("fills in defaults, lets each upstream override them, and normalises targets", () => {
    const config = loadGatewayConfig({ file: writeConfigFile(minimal()), env: {} });

    expect(config.services).toEqual([
      {
        name: "catalog",
        prefix: "/api/catalog",
        upstream: "catalog",
        timeoutMs: 10_000,
        bodyLimitBytes: 1_048_576,
        idempotencyKeys: false,
      },
      {
        name: "inventory",
        prefix: "/api/inventory",
        upstream: "inventory",
        timeoutMs: 3_000,
        bodyLimitBytes: 1_048_576,
        idempotencyKeys: false,
      },
    ]);
    expect(config.upstreams[1]).toMatchObject({
      targets: ["http://inventory:3000"],
      healthCheck: { path: "/health/ready", intervalMs: 500, timeoutMs: 1_000, unhealthyThreshold: 2 },
    });
  });

  it("takes an upstream's targets from UPSTREAM_<NAME> and every interval from HEALTH_CHECK_INTERVAL_MS", () => {
    const config = loadGatewayConfig({
      file: writeConfigFile(minimal()),
      healthCheckIntervalMs: 250,
      env: {
        UPSTREAM_CATALOG: "http://127.0.0.1:41235, http://127.0.0.1:41236/,http://127.0.0.1:41235",
        UPSTREAM_INVENTORY: "",
        PATH: "/usr/bin",
      },
    });

    expect(config.upstreams[0]!.targets).toEqual(["http://127.0.0.1:41235", "http://127.0.0.1:41236"]);
    expect(config.upstreams[1]!.targets).toEqual(["http://inventory:3000"]);
    expect(config.upstreams.map((u) => u.healthCheck.intervalMs)).toEqual([250, 250]);
  });
});

describe("auth, rate limits, CORS, body limits, balancers and circuit breakers", () => {
  it("reads them from the file, with per-route and per-upstream overrides", () => {
    const content = {
      ...minimal(),
      auth: { jwksUrl: "http://keys.example/jwks.json", apiKeyCacheMs: 2_000, identityUpstream: "inventory" },
      rateLimits: {
        windowMs: 60_000,
        tiers: { partner: 50 },
        user: 300,
        anonymous: 100,
        clientTiers: ["frontend"],
        keyPrefix: "t:",
      },
      cors: { origins: ["https://shop.example"], allowedHeaders: ["X-Custom"], maxAgeSeconds: 60 },
      bodyLimitBytes: 2048,
      circuitBreaker: { consecutiveFailures: 3 },
      services: [
        { ...minimal().services[0], bodyLimitBytes: 10_000, rateLimit: { anonymous: 5 } },
        minimal().services[1],
      ],
      upstreams: [
        { ...minimal().upstreams[0], balancer: "least-connections", circuitBreaker: { halfOpenAfterMs: 500 } },
        minimal().upstreams[1],
      ],
    };
    const config = loadGatewayConfig({ file: writeConfigFile(content), env: {} });

    expect(config.auth).toEqual({
      jwksUrl: "http://keys.example/jwks.json",
      apiKeyCacheMs: 2_000,
      jwksCooldownMs: 5_000,
      identityUpstream: "inventory",
    });
    expect(config.rateLimits).toEqual({
      enabled: true,
      windowMs: 60_000,
      tiers: { admin: 1000, frontend: 2000, mobile: 1000, partner: 50 },
      user: 300,
      anonymous: 100,
      clientTiers: ["frontend"],
      keyPrefix: "t:",
      redisUrl: undefined,
    });
    expect(config.cors.origins).toEqual(["https://shop.example"]);
    expect(config.cors.allowedHeaders).toEqual(
      expect.arrayContaining(["authorization", "x-api-key", "idempotency-key", "x-request-id", "x-custom"]),
    );
    expect(config.services[0]).toMatchObject({
      bodyLimitBytes: 10_000,
      rateLimit: { anonymous: 5, user: 300, windowMs: 60_000 },
    });
    expect(config.services[1]).toMatchObject({ bodyLimitBytes: 2048 });
    expect(config.services[1]!.rateLimit).toBeUndefined();
    expect(config.upstreams[0]).toMatchObject({
      balancer: "least-connections",
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 500 },
    });
    expect(config.upstreams[1]).toMatchObject({
      balancer: "round-robin",
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 10_000 },
    });
  });

  it("lets the environment replace Redis, CORS origins, JWKS URL, rate limits and the body limit", () => {
    const config = loadGatewayConfig({
      file: writeConfigFile({ ...minimal(), cors: { origins: ["https://a.example"] } }),
      env: {
        REDIS_URL: "redis://127.0.0.1:6379",
        CORS_ORIGINS: "https://shop.example, https://admin.example",
        JWKS_URL: "http://identity:3001/api/identity/.well-known/jwks.json",
        RATE_LIMIT_ANONYMOUS: "42",
        RATE_LIMIT_USER: "4200",
        RATE_LIMIT_KEY_PREFIX: "staging:ratelimit:",
        BODY_LIMIT_BYTES: "5000",
        TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.10, fd00::/8",
      },
    });
    expect(config.trustedProxies).toEqual(["10.0.0.0/8", "192.168.1.10", "fd00::/8"]);

    expect(config.rateLimits).toMatchObject({
      redisUrl: "redis://127.0.0.1:6379",
      anonymous: 42,
      user: 4200,
      keyPrefix: "staging:ratelimit:",
    });
    expect(config.cors.origins).toEqual(["https://shop.example", "https://admin.example"]);
    expect(config.auth.jwksUrl).toBe("http://identity:3001/api/identity/.well-known/jwks.json");
    expect(config.services.map((s) => s.bodyLimitBytes)).toEqual([5000, 5000]);
  });

  it.each([
    [{ RATE_LIMIT_USER: "many" }, 'RATE_LIMIT_USER must be a positive integer, got "many"'],
    [{ BODY_LIMIT_BYTES: "0" }, 'BODY_LIMIT_BYTES must be a positive integer, got "0"'],
    [{ REDIS_URL: "localhost:6379" }, 'REDIS_URL must be a redis:// or rediss:// URL, got "localhost:6379"'],
    [
      { CORS_ORIGINS: "https://shop.example/" },
      'CORS_ORIGINS must list "*" or origins such as https://shop.example (no path, no trailing slash), got "https://shop.example/"',
    ],
    [
      { TRUSTED_PROXIES: "10.0.0.0/33" },
      'TRUSTED_PROXIES must list IP addresses or CIDRs such as 10.0.0.0/8 or 192.168.1.10, got "10.0.0.0/33"',
    ],
    [
      { TRUSTED_PROXIES: "lb.example" },
      'TRUSTED_PROXIES must list IP addresses or CIDRs such as 10.0.0.0/8 or 192.168.1.10, got "lb.example"',
    ],
  ])("refuses a bad variable %j", (env, expected) => {
    expect(errorFor(minimal(), env)).toBe(expected);
  });

  it("refuses a bad balancer or limit in the file", () => {
    expect(
      errorFor({
        ...minimal(),
        upstreams: [{ ...minimal().upstreams[0], balancer: "random" }, minimal().upstreams[1]],
      }),
    ).toBe('<file>: upstreams[0].balancer must be "round-robin" or "least-connections", got "random"');
    expect(errorFor({ ...minimal(), rateLimits: { anonymous: 0 } })).toBe(
      "<file>: rateLimits.anonymous must be an integer >= 1 (requests per window), got 0",
    );
  });
});

describe("a bad configuration stops the gateway with one clear line", () => {
  it.each([
    ["a missing file", undefined, /cannot be read \(ENOENT\)/],
    ["invalid JSON", "{ formatVersion: 1 ", /^<file>: is not valid JSON \(/],
    [
      "a wrong type",
      { ...minimal(), defaults: { timeoutMs: "10s" } },
      '<file>: defaults.timeoutMs must be an integer >= 1 (milliseconds), got "10s"',
    ],
    [
      "an unknown property",
      { ...minimal(), services: [{ ...minimal().services[0], prefx: "/api/x" }] },
      '<file>: services[0]: unknown property "prefx"',
    ],
    [
      "a missing property",
      { ...minimal(), upstreams: [{ name: "catalog" }] },
      "<file>: upstreams[0].targets is required",
    ],
    [
      "a prefix with a trailing slash",
      { ...minimal(), services: [{ name: "catalog", prefix: "/api/catalog/", upstream: "catalog" }] },
      '<file>: services[0].prefix must be a path prefix such as /api/catalog (no trailing slash), got "/api/catalog/"',
    ],
    [
      "an unknown upstream",
      { ...minimal(), services: [{ name: "catalog", prefix: "/api/catalog", upstream: "catalogue" }] },
      '<file>: services[0].upstream "catalogue" is not one of the upstreams (catalog, inventory)',
    ],
    [
      "a prefix used twice",
      {
        ...minimal(),
        services: [
          { name: "catalog", prefix: "/api/catalog", upstream: "catalog" },
          { name: "products", prefix: "/api/catalog", upstream: "catalog" },
        ],
      },
      '<file>: services[1].prefix "/api/catalog" is used twice',
    ],
    [
      "a target that is not a base URL",
      { ...minimal(), upstreams: [{ name: "catalog", targets: ["catalog:3000"] }, minimal().upstreams[1]] },
      '<file>: upstreams[0].targets[0] must be an http(s) base URL without a path, got "catalog:3000"',
    ],
  ])("%s", (_case, content, expected) => {
    const message =
      content === undefined
        ? (() => {
            try {
              loadGatewayConfig({ file: "/nonexistent/gateway.config.json" });
            } catch (error) {
              return (error as Error).message;
            }
            return "";
          })()
        : errorFor(content);
    if (typeof expected === "string") expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it("names a bad UPSTREAM_ variable", () => {
    expect(errorFor(minimal(), { UPSTREAM_CATALOG: "http://127.0.0.1:1,catalog" })).toBe(
      'UPSTREAM_CATALOG must be comma-separated http(s) base URLs without a path (e.g. http://127.0.0.1:3002,http://127.0.0.1:3003), got "http://127.0.0.1:1,catalog"',
    );
    expect(errorFor(minimal(), { UPSTREAM_CATALOGUE: "http://127.0.0.1:1" })).toBe(
      "UPSTREAM_CATALOGUE names no upstream of <file> (expected one of UPSTREAM_CATALOG, UPSTREAM_INVENTORY)",
    );
  });

  it("in production, refuses to start without its own SERVICE_CREDENTIAL, or with the development one", () => {
    const bundle = join(packageDir, "dist", "main.js");
    expect(existsSync(bundle), "run `npm run build` first (npm test does)").toBe(true);
    const refusal =
      "gateway: invalid configuration: SERVICE_CREDENTIAL must be set in production to gateway's own credential " +
      "that proves to identity the requests it sends, derived from identity's INTERNAL_SECRET " +
      "(comptoir secrets credential gateway), not the development default\n";
    for (const credential of [undefined, developmentServiceCredential("gateway")]) {
      const run = spawnSync(process.execPath, [bundle], {
        env: {
          PATH: process.env.PATH,
          GATEWAY_CONFIG: writeConfigFile(minimal()),
          PORT: "18080",
          LOG_LEVEL: "silent",
          NODE_ENV: "production",
          ...(credential ? { SERVICE_CREDENTIAL: credential } : {}),
        },
        encoding: "utf8",
        timeout: 10_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(refusal);
    }
    expect(loadConfig(configSchema, { SERVICE_CREDENTIAL: "its-own" }).SERVICE_CREDENTIAL).toBe("its-own");
    expect(loadConfig(configSchema, {}).SERVICE_CREDENTIAL).toBe(developmentServiceCredential("gateway"));
  });

  it("exits 1 printing the reason on one line", () => {
    // The built entry point, the one the launcher and containers run (npm test builds it first).
    const bundle = join(packageDir, "dist", "main.js");
    expect(existsSync(bundle), "run `npm run build` first (npm test does)").toBe(true);
    const file = writeConfigFile({ ...minimal(), formatVersion: 2 });
    const run = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH, GATEWAY_CONFIG: file, PORT: "18080", LOG_LEVEL: "silent" },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`gateway: invalid configuration: ${file}: formatVersion must be 1, got 2\n`);
  });
});

it("keeps the shipped file readable JSON", () => {
  expect(() => JSON.parse(readFileSync(shipped, "utf8"))).not.toThrow();
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, developmentServiceCredential, type Logger, type Probe } from "@comptoir/platform";
import { http, listen, testLogger } from "@comptoir/testing";
import { afterAll, afterEach } from "vitest";
import { buildApp } from "../../src/app";
import type { ResponseCacheOptions } from "../../src/upstreams/response-cache";
import { type HealthCheckConfig, loadGatewayConfig, upstreamVariable } from "../../src/gateway.config";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream";
import { type FakeIdentity, startFakeIdentity } from "./fake-identity";

export interface TestGateway {
  url: string;
  app: App;
  api: ReturnType<typeof http>;
  /** GET /health/ready: can this gateway serve. */
  readiness(): Promise<{ status: number; body: any }>;
  /** GET /health/status: every service and its instances. */
  status(): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

const configDir = mkdtempSync(join(tmpdir(), "comptoir-gateway-test-"));
let files = 0;
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

/** Writes a gateway config file to a temporary folder and returns its path. */
export function writeConfigFile(content: unknown): string {
  const file = join(configDir, `gateway-${process.pid}-${files++}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

/**
 * The gateway in front of fake instances, as the launcher starts it: a config file listing the
 * services (targets left at their container names) and `UPSTREAM_<SERVICE>` pointing at the fakes.
 * Health checks default to every 50 ms so tests see status changes quickly.
 */
export interface StartGatewayOptions {
  /** Upstream name → its fake instances; each is routed at `/api/<name>`. */
  services: Record<string, FakeUpstream[]>;
  timeoutMs?: number;
  healthCheck?: Partial<HealthCheckConfig>;
  /** Merged into the file's top level (auth, rateLimits, cors, bodyLimitBytes, circuitBreaker…). */
  file?: Record<string, unknown>;
  /** Merged into a service's entry (bodyLimitBytes, rateLimit, timeoutMs). */
  serviceOverrides?: Record<string, Record<string, unknown>>;
  /** Merged into an upstream's entry (balancer, circuitBreaker). */
  upstreamOverrides?: Record<string, Record<string, unknown>>;
  /** Extra environment (REDIS_URL, CORS_ORIGINS, RATE_LIMIT_*…). */
  env?: Record<string, string>;
  logger?: Logger;
  /** The shared cache of public reads (off unless given). */
  cache?: ResponseCacheOptions;
  /** The gateway's SERVICE_CREDENTIAL (default: the development one, GATEWAY_TEST_CREDENTIAL). */
  credential?: string;
  /** The built web application's folder, served at `/` (none unless given). */
  webDist?: string;
  /** How a slow request's instance is probed (default: a real TCP connection). */
  probe?: Probe;
}

/** The credential test gateways sign with unless told otherwise. */
export const GATEWAY_TEST_CREDENTIAL = developmentServiceCredential("gateway");

export async function startGateway(options: StartGatewayOptions): Promise<TestGateway> {
  const names = Object.keys(options.services);
  const file = writeConfigFile({
    formatVersion: 1,
    defaults: {
      timeoutMs: options.timeoutMs ?? 2_000,
      healthCheck: { intervalMs: 50, timeoutMs: 500, unhealthyThreshold: 2, ...options.healthCheck },
    },
    ...options.file,
    services: names.map((name) => ({
      name,
      prefix: `/api/${name}`,
      upstream: name,
      ...options.serviceOverrides?.[name],
    })),
    upstreams: names.map((name) => ({
      name,
      targets: [`http://${name}:3000`],
      ...options.upstreamOverrides?.[name],
    })),
  });
  const env = {
    ...Object.fromEntries(
      names.map((name) => [upstreamVariable(name), options.services[name]!.map((f) => f.url).join(",")]),
    ),
    ...options.env,
  };
  const config = loadGatewayConfig({ file, env });
  const app = await buildApp({
    logger: options.logger ?? testLogger("gateway"),
    instance: "gateway-test",
    config,
    cache: options.cache,
    credential: options.credential ?? GATEWAY_TEST_CREDENTIAL,
    webDist: options.webDist,
    ...(options.probe ? { probe: options.probe } : {}),
  });
  const url = await listen(app);
  const api = http(url);
  return {
    url,
    app,
    api,
    readiness: () => api.get("/health/ready"),
    status: () => api.get("/health/status"),
    close: () => app.close(),
  };
}

/**
 * Fake upstreams and gateways for one test file, all closed after each test (gateways first).
 * Call at the top of the file: `const { fakes, gateway } = useTestbed();`.
 */
export function useTestbed() {
  let cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.map((c) => c()));
    cleanups = [];
  });
  return {
    async fakes(...names: string[]): Promise<FakeUpstream[]> {
      const started = await Promise.all(names.map(startFakeUpstream));
      cleanups.push(() => Promise.all(started.map((f) => f.close())).then(() => {}));
      return started;
    },
    async identity(): Promise<FakeIdentity> {
      const fake = await startFakeIdentity();
      cleanups.push(() => fake.close());
      return fake;
    },
    async gateway(options: Parameters<typeof startGateway>[0]): Promise<TestGateway> {
      const gw = await startGateway(options);
      cleanups.unshift(() => gw.close());
      return gw;
    },
  };
}

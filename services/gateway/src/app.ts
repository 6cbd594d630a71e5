import { API_KEY_RESOLVE_PATH, JWKS_PATH, REVOCATIONS_PATH, type RevocationsPage } from "@comptoir/contracts";
import {
  type App,
  createApp,
  createRevocations,
  createTokenVerifier,
  identityRevocationsFetcher,
  type Logger,
  type Probe,
  revocationCheckingVerifier,
  UnavailableError,
} from "@comptoir/platform";
import type { JSONWebKeySet } from "jose";
import { Agent } from "undici";
import { type ApiKeyResolver, createApiKeyResolver, parseResolvedApiKey } from "./auth/api-keys";
import { createUpstreamJwks } from "./auth/jwks";
import { guardedVerifier } from "./auth/token-guard";
import type { GatewayConfig } from "./gateway.config";
import { type GatewayMetrics, registerGatewayMetrics } from "./gateway.metrics";
import { installEdgeHooks } from "./http/edge.hooks";
import { installTargetNormalization } from "./http/target.hooks";
import { createMemoryStore, type RateLimitStore } from "./rate-limit/rate-limit.store";
import { createRateLimiter } from "./rate-limit/rate-limiter";
import { createRedisStore } from "./rate-limit/redis.store";
import { docsRoutes } from "./routes/docs.routes";
import { healthRoutes } from "./routes/health.routes";
import { proxyRoutes } from "./routes/proxy.routes";
import { webRoutes } from "./routes/web.routes";
import { createHealthChecks } from "./upstreams/health-checks";
import { createProxy, type ServiceRoute } from "./upstreams/proxy";
import { createUpstream, type Upstream } from "./upstreams/upstream";
import { callUpstream } from "./upstreams/upstream-call";
import { createResponseCache, type ResponseCacheOptions } from "./upstreams/response-cache";
import { registerUpstreamMetrics } from "./upstreams/upstream.metrics";

export interface GatewayDeps {
  logger: Logger;
  instance: string;
  /** Resolved routes, upstreams, auth, rate limits, CORS (loadGatewayConfig). */
  config: GatewayConfig;
  /** The shared cache of public reads (absent or maxBytes 0: off). */
  cache?: ResponseCacheOptions;
  /**
   * The gateway's SERVICE_CREDENTIAL (deriveServiceCredential(INTERNAL_SECRET, "gateway")): it signs
   * what it tells the services about each request, and its calls to identity's internal endpoints.
   */
  credential: string;
  /** The built web application's folder (web/dist), served at `/`; absent: no web application. */
  webDist?: string;
  /** How the instance of a request that waits long is probed (default: a TCP connection; a test stands in for a cut-off host). */
  probe?: Probe;
}

/** The gateway's own calls to identity (JWKS, API keys) give up after this. */
const IDENTITY_CALL_TIMEOUT_MS = 2_000;

/**
 * The gateway: `/api/<service>/*` proxied to the service's instances (round-robin or
 * least-connections over the healthy ones, active health checks, passive ejection, retries where
 * safe, a circuit breaker and a timeout per upstream), with bearer tokens verified against
 * identity's keys, API keys resolved by identity, rate limits per consumer, user and IP, CORS,
 * security headers, body-size limits and a JSON access log; `/health/ready` (this gateway can serve),
 * `/health/status` (every upstream), `/docs`. Health checks start when the app is ready and stop when
 * it closes.
 */
export async function buildApp(deps: GatewayDeps): Promise<App> {
  const { config, logger } = deps;
  const upstreams = new Map(config.upstreams.map((u) => [u.name, createUpstream(u, logger)]));
  const identity = config.auth.identityUpstream ? upstreams.get(config.auth.identityUpstream) : undefined;

  // Proxied traffic and health checks use separate connection pools: a busy pool never delays a check.
  const proxyAgent = new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 1_000 } });
  // A check's connection must fail within the check's timeout: undici ignores the abort signal while a
  // connection opens (its default connect timeout is 10 s), and a host cut off the network answers no SYN.
  const checkConnectMs = Math.min(10_000, ...config.upstreams.map((u) => u.healthCheck.timeoutMs));
  const checkAgent = new Agent({ keepAliveTimeout: 4_000, connections: 2, connect: { timeout: checkConnectMs } });

  // Filled once the app (and its metrics registry) exists; the verifier only reports failures later.
  const late: { metrics?: GatewayMetrics } = {};
  const cooldownMs = config.auth.jwksCooldownMs;
  const jwks = config.auth.jwksUrl ? undefined : createUpstreamJwks({ fetch: () => fetchJwks(identity), cooldownMs });
  // What identity revokes before a token expires (a deactivation, a logout…), read every 2 seconds.
  const revocations = createRevocations({
    fetchPage: config.auth.jwksUrl
      ? identityRevocationsFetcher(new URL(config.auth.jwksUrl).origin, IDENTITY_CALL_TIMEOUT_MS)
      : (after) => fetchRevocations(identity, after),
    logger,
  });
  const tokens = createTokenVerifier({ keys: config.auth.jwksUrl ?? jwks!.getKey, cooldownMs });
  const verifier = guardedVerifier(revocationCheckingVerifier(tokens, revocations), {
    onFailure: (reason) => late.metrics?.authFailure(reason),
    keysUnavailable: jwks?.unavailable,
  });

  async function fetchJwks(upstream: Upstream | undefined): Promise<JSONWebKeySet> {
    if (!upstream) throw new Error("no identity upstream is configured and auth.jwksUrl is not set");
    const { statusCode, body } = await callUpstream(proxyAgent, upstream, {
      method: "GET",
      path: JWKS_PATH,
      timeoutMs: IDENTITY_CALL_TIMEOUT_MS,
    });
    const keys = (body as { keys?: unknown } | undefined)?.keys;
    if (statusCode !== 200 || !Array.isArray(keys)) {
      throw new Error(`identity answered ${statusCode} without a JWKS at ${JWKS_PATH}`);
    }
    logger.info({ keys: keys.length }, "identity's signing keys fetched");
    return { keys } as JSONWebKeySet;
  }

  async function fetchRevocations(upstream: Upstream | undefined, after: number): Promise<RevocationsPage> {
    if (!upstream) throw new Error("no identity upstream is configured and auth.jwksUrl is not set");
    const { statusCode, body } = await callUpstream(proxyAgent, upstream, {
      method: "GET",
      path: `${REVOCATIONS_PATH}?after=${after}`,
      timeoutMs: IDENTITY_CALL_TIMEOUT_MS,
    });
    if (statusCode !== 200) throw new Error(`identity answered ${statusCode} at ${REVOCATIONS_PATH}`);
    return body as RevocationsPage;
  }

  const apiKeys: ApiKeyResolver = createApiKeyResolver({
    cacheMs: config.auth.apiKeyCacheMs,
    async resolve(key) {
      if (!identity) throw new UnavailableError("No identity service is configured to check API keys.");
      const { statusCode, body } = await callUpstream(proxyAgent, identity, {
        method: "POST",
        path: API_KEY_RESOLVE_PATH,
        body: { key },
        timeoutMs: IDENTITY_CALL_TIMEOUT_MS,
        // Identity resolves keys for the gateway only.
        proveWith: deps.credential,
      });
      if (statusCode === 404) return null;
      if (statusCode !== 200) {
        throw new UnavailableError(`The identity service could not check the API key (it answered ${statusCode}).`, {
          retryAfterSeconds: 1,
        });
      }
      return parseResolvedApiKey(body);
    },
  });

  const targets = installTargetNormalization(config.services.map((s) => s.prefix));
  const app = await createApp({
    service: "gateway",
    instance: deps.instance,
    logger,
    description: "The one public entry of Comptoir: routes /api/<service>/* to the services' instances.",
    auth: verifier,
    rewriteUrl: targets.rewriteUrl,
    trustedProxies: config.trustedProxies,
  });
  app.decorateRequest("apiConsumer", null);
  app.decorateRequest("upstreamTarget", null);
  targets.refuseUnsafe(app);
  installEdgeHooks(app, config.cors);

  const routes: ServiceRoute[] = [];
  const gatewayMetrics = registerGatewayMetrics(app.comptoir.metrics.registry, [...upstreams.values()]);
  late.metrics = gatewayMetrics;

  let store: RateLimitStore | undefined;
  let redisReady: ((timeoutMs: number) => Promise<boolean>) | undefined;
  if (config.rateLimits.enabled) {
    if (config.rateLimits.redisUrl) {
      let lastError = 0;
      const redis = createRedisStore({
        url: config.rateLimits.redisUrl,
        onError: (error) => {
          if (Date.now() - lastError < 10_000) return;
          lastError = Date.now();
          logger.warn({ err: error }, "Redis (rate limits) is unreachable; requests go through unlimited meanwhile");
        },
      });
      store = redis;
      redisReady = redis.ready;
    } else {
      store = createMemoryStore();
    }
  }
  const rateLimiter = store
    ? createRateLimiter({
        config: config.rateLimits,
        store,
        logger,
        onLimited: (kind) => gatewayMetrics.rateLimited(kind),
        onStoreError: () => gatewayMetrics.rateLimitStoreError(),
      })
    : undefined;

  for (const s of config.services) {
    routes.push({
      service: s.name,
      prefix: s.prefix,
      timeoutMs: s.timeoutMs,
      upstream: upstreams.get(s.upstream)!,
      bodyLimitBytes: s.bodyLimitBytes,
      idempotencyKeys: s.idempotencyKeys,
      budgets: rateLimiter?.budgetsFor({ service: s.name, rateLimit: s.rateLimit }),
    });
  }

  const upstreamMetrics = registerUpstreamMetrics(app.comptoir.metrics.registry, routes);
  const cache = deps.cache && deps.cache.maxBytes > 0 ? createResponseCache(deps.cache) : undefined;
  const proxy = createProxy({
    dispatcher: proxyAgent,
    metrics: upstreamMetrics,
    logger,
    cache,
    credential: deps.credential,
    ...(deps.probe ? { probe: deps.probe } : {}),
  });
  const healthChecks = createHealthChecks([...upstreams.values()], checkAgent);

  app.addHook("onReady", async () => {
    healthChecks.start();
    if (identity || config.auth.jwksUrl) revocations.start();
    if (redisReady && !(await redisReady(1_000))) {
      logger.warn("Redis (rate limits) is not reachable yet; requests go through unlimited until it is");
    }
    if (!identity && !config.auth.jwksUrl) {
      logger.warn("no identity upstream and no auth.jwksUrl: bearer tokens and API keys cannot be checked");
    }
  });
  app.addHook("onClose", async () => {
    healthChecks.stop();
    await revocations.stop();
    await Promise.all([proxyAgent.close(), checkAgent.close(), store?.close()]);
  });

  healthRoutes(app, { routes, instance: deps.instance });
  await docsRoutes(app, {
    routes,
    fetchDocument: (route) =>
      callUpstream(proxyAgent, route.upstream, { method: "GET", path: "/openapi.json", timeoutMs: route.timeoutMs }),
  });
  proxyRoutes(app, {
    routes,
    proxy,
    apiKeys,
    rateLimiter,
    clientTiers: new Set(config.rateLimits.clientTiers),
    metrics: gatewayMetrics,
    logger,
  });
  if (deps.webDist) await webRoutes(app, { dist: deps.webDist });
  return app;
}

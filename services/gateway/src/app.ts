import { type App, createApp, type Logger } from "@comptoir/platform";
import { Agent } from "undici";
import type { GatewayConfig } from "./gateway.config";
import { docsRoutes } from "./routes/docs.routes";
import { healthRoutes } from "./routes/health.routes";
import { proxyRoutes } from "./routes/proxy.routes";
import { createHealthChecks } from "./upstreams/health-checks";
import { createProxy, type ServiceRoute } from "./upstreams/proxy";
import { createUpstream } from "./upstreams/upstream";
import { registerUpstreamMetrics } from "./upstreams/upstream.metrics";

export interface GatewayDeps {
  logger: Logger;
  instance: string;
  /** Resolved routes and upstreams (loadGatewayConfig). */
  config: GatewayConfig;
}

/**
 * The gateway: `/api/<service>/*` proxied to the service's instances (round-robin over the healthy
 * ones, active health checks, passive ejection, retries where safe), `/health/ready` for every
 * upstream, `/docs`. Health checks start when the app is ready and stop when it closes.
 */
export async function buildApp(deps: GatewayDeps): Promise<App> {
  const app = await createApp({
    service: "gateway",
    instance: deps.instance,
    logger: deps.logger,
    description: "The one public entry of Comptoir: routes /api/<service>/* to the services' instances.",
    ownReadinessRoute: true,
  });

  const upstreams = new Map(deps.config.upstreams.map((u) => [u.name, createUpstream(u, deps.logger)]));
  const routes: ServiceRoute[] = deps.config.services.map((s) => ({
    service: s.name,
    prefix: s.prefix,
    timeoutMs: s.timeoutMs,
    upstream: upstreams.get(s.upstream)!,
  }));

  // Proxied traffic and health checks use separate connection pools: a busy pool never delays a check.
  const proxyAgent = new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 3_000 } });
  const checkAgent = new Agent({ keepAliveTimeout: 4_000, connections: 2 });
  const metrics = registerUpstreamMetrics(app.comptoir.metrics.registry, routes);
  const proxy = createProxy({ dispatcher: proxyAgent, metrics });
  const healthChecks = createHealthChecks([...upstreams.values()], checkAgent);

  app.addHook("onReady", async () => healthChecks.start());
  app.addHook("onClose", async () => {
    healthChecks.stop();
    await Promise.all([proxyAgent.close(), checkAgent.close()]);
  });

  healthRoutes(app, { routes, instance: deps.instance });
  docsRoutes(app, { routes, proxy });
  proxyRoutes(app, { routes, proxy });
  return app;
}

import type { App } from "@comptoir/platform";
import type { ServiceRoute } from "../upstreams/proxy";
import type { Instance } from "../upstreams/upstream";

interface InstanceReport {
  url: string;
  status: Instance["status"];
  since: string;
  latencyMs: number | null;
  error?: string;
}

function instanceReport(instance: Instance): InstanceReport {
  return {
    url: instance.url,
    status: instance.status,
    since: instance.since.toISOString(),
    latencyMs: instance.latencyMs,
    ...(instance.error && instance.status !== "up" ? { error: instance.error } : {}),
  };
}

/**
 * `/health/status`: every service and its instances as the health checks see them, for operators,
 * dashboards and the launcher: 200 `ok` when each service has an instance up, 503 `degraded` otherwise
 * (and `shutting_down` while the gateway drains). It is not the readiness probe: `/health/ready` (the
 * kernel's) says whether this gateway can serve, which one upstream being down does not change — as a
 * probe, that would take every gateway out of rotation and turn one service's outage into a total one.
 */
export function healthRoutes(app: App, deps: { routes: readonly ServiceRoute[]; instance: string }): void {
  app.get("/health/status", { schema: { hide: true }, logLevel: "silent" }, async (_request, reply) => {
    const services: Record<string, { status: "ok" | "down"; instances: InstanceReport[] }> = {};
    for (const route of deps.routes) {
      const instances = route.upstream.instances;
      services[route.service] = {
        status: instances.some((i) => i.status === "up") ? "ok" : "down",
        instances: instances.map(instanceReport),
      };
    }
    const allUp = Object.values(services).every((s) => s.status === "ok");
    const shuttingDown = app.comptoir.health.shuttingDown;
    reply.code(allUp && !shuttingDown ? 200 : 503);
    return {
      status: shuttingDown ? "shutting_down" : allUp ? "ok" : "degraded",
      service: "gateway",
      instance: deps.instance,
      services,
    };
  });
}

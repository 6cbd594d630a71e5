import { Counter, Gauge, type Registry } from "prom-client";
import type { Instance } from "./instance";
import type { Upstream } from "./upstream";

export interface UpstreamMetrics {
  /** One proxied attempt: the upstream's status code, or `timeout` / `error` when there was no response. */
  countRequest(service: string, instance: Instance, status: number | "timeout" | "error"): void;
  /** A public read answered from the shared cache (`hit`) or fetched and stored in it (`miss`). */
  countCache(service: string, result: "hit" | "miss"): void;
}

/**
 * `gateway_upstream_requests_total{service,instance,status}` and `gateway_upstream_up{service,instance}`
 * (1 when the instance is up, 0 when down or not yet checked), in the platform's registry. Their
 * `service` and `instance` labels name the upstream service and instance, not the gateway.
 */
export function registerUpstreamMetrics(
  registry: Registry,
  // The proxy's routes, by the two fields read here (the proxy itself uses these metrics).
  routes: readonly { service: string; upstream: Upstream }[],
): UpstreamMetrics {
  const requests = new Counter({
    name: "gateway_upstream_requests_total",
    help: "Requests the gateway sent to upstream instances, by service, instance and status (code, timeout or error).",
    labelNames: ["service", "instance", "status"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "gateway_upstream_up",
    help: "1 when the gateway considers the upstream instance up, 0 when it is down or not checked yet.",
    labelNames: ["service", "instance"] as const,
    registers: [registry],
    collect() {
      for (const route of routes) {
        for (const instance of route.upstream.instances) {
          this.set({ service: route.service, instance: instance.url }, instance.status === "up" ? 1 : 0);
        }
      }
    },
  });
  const cache = new Counter({
    name: "gateway_cache_requests_total",
    help: "Public reads answered from the gateway's shared cache (hit) or fetched and stored (miss), by service.",
    labelNames: ["service", "result"] as const,
    registers: [registry],
  });
  return {
    countRequest(service, instance, status) {
      requests.inc({ service, instance: instance.url, status: String(status) });
    },
    countCache(service, result) {
      cache.inc({ service, result });
    },
  };
}

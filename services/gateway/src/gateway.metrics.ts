import { Counter, Gauge, type Registry } from "prom-client";
import type { Upstream } from "./upstreams/upstream";

export interface GatewayMetrics {
  /** A request refused with 429, by budget kind (api_key, user, anonymous). */
  rateLimited(kind: string): void;
  /** A request refused for its credentials, by reason (expired, bad_signature, unknown_key, invalid_api_key, ...). */
  authFailure(reason: string): void;
  /** The rate-limit store could not be reached: the request went through unlimited. */
  rateLimitStoreError(): void;
}

/**
 * `gateway_rate_limited_total{kind}`, `gateway_auth_failures_total{reason}`,
 * `gateway_rate_limit_store_errors_total` and `gateway_circuit_open{upstream}` (1 while the
 * upstream's circuit is open or half-open).
 */
export function registerGatewayMetrics(registry: Registry, upstreams: readonly Upstream[]): GatewayMetrics {
  const limited = new Counter({
    name: "gateway_rate_limited_total",
    help: "Requests refused with 429, by budget kind (api_key, user, anonymous).",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: "gateway_auth_failures_total",
    help: "Requests refused by the gateway for their credentials, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: "gateway_rate_limit_store_errors_total",
    help: "Rate-limit checks that failed because the store (Redis) was unreachable; those requests were let through.",
    registers: [registry],
  });
  new Gauge({
    name: "gateway_circuit_open",
    help: "1 while the upstream's circuit breaker is open or half-open, 0 when closed.",
    labelNames: ["upstream"] as const,
    registers: [registry],
    collect() {
      for (const u of upstreams) this.set({ upstream: u.name }, u.breaker.state === "closed" ? 0 : 1);
    },
  });
  return {
    rateLimited: (kind) => limited.inc({ kind }),
    authFailure: (reason) => authFailures.inc({ reason }),
    rateLimitStoreError: () => storeErrors.inc(),
  };
}

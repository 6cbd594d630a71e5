import { setMaxListeners } from "node:events";
import type { Logger } from "@comptoir/platform";
import type { HealthCheckConfig, UpstreamConfig } from "../gateway.config";
import { type Balancer, createBalancer } from "./balancer";
import { CircuitBreaker } from "./circuit-breaker";
import type { Instance, InstanceStatus } from "./instance";

export type { Instance, InstanceStatus } from "./instance";

export interface Upstream {
  readonly name: string;
  readonly instances: readonly Instance[];
  readonly healthCheck: HealthCheckConfig;
  readonly balancer: Balancer;
  readonly breaker: CircuitBreaker;
  /** The instances requests may go to (`unknown` or `up`), kept in config order. */
  eligible: Instance[];
  readonly logger: Logger;
}

export function createUpstream(
  config: UpstreamConfig,
  logger: Logger,
  balancer: Balancer = createBalancer(config.balancer),
): Upstream {
  const now = new Date();
  const instances = config.targets.map((url): Instance => ({
    url,
    status: "unknown",
    since: now,
    latencyMs: null,
    error: undefined,
    successes: 0,
    failures: 0,
    inFlight: 0,
    gone: goneSignal(),
    reachableAt: 0,
  }));
  return {
    name: config.name,
    instances,
    healthCheck: config.healthCheck,
    balancer,
    breaker: new CircuitBreaker(config.name, config.circuitBreaker, logger),
    eligible: [...instances],
    logger,
  };
}

/** Why a request waiting on an instance stopped waiting: the instance was found down meanwhile. */
export class InstanceDownError extends Error {
  override name = "InstanceDownError";
  constructor(url: string, reason: string | undefined) {
    super(`${url} was found down while the request waited${reason ? ` (${reason})` : ""}`);
  }
}

/** The instance for the next attempt, skipping those already tried for this request; undefined if none is left. */
export function pickInstance(upstream: Upstream, tried: readonly Instance[]): Instance | undefined {
  const candidates = tried.length === 0 ? upstream.eligible : upstream.eligible.filter((i) => !tried.includes(i));
  return candidates.length === 0 ? undefined : upstream.balancer.pick(candidates);
}

/** An active check's outcome: up after `healthyThreshold` successes, down after `unhealthyThreshold` failures. */
export function recordCheck(
  upstream: Upstream,
  instance: Instance,
  result:
    | { ok: true; latencyMs: number }
    | {
        ok: false;
        latencyMs: number;
        error: string;
        /** No connection could be opened at all (refused, unreachable, connect timeout). */
        unreachable?: boolean;
      },
): void {
  instance.latencyMs = result.latencyMs;
  if (result.ok) {
    instance.failures = 0;
    instance.successes += 1;
    instance.error = undefined;
    upstream.breaker.healthCheckPassed();
    if (instance.status !== "up" && instance.successes >= upstream.healthCheck.healthyThreshold) {
      setStatus(upstream, instance, "up");
    }
    return;
  }
  instance.successes = 0;
  instance.failures += 1;
  instance.error = result.error;
  if (instance.status !== "down" && instance.failures >= upstream.healthCheck.unhealthyThreshold) {
    setStatus(upstream, instance, "down");
  }
  // Down, and not even a connection opens: the host is gone (cut off, or its process dead), so the
  // requests still waiting on it will never get an answer — they stop waiting now. An instance that
  // is only slow (checks timing out on an open connection: overloaded, not gone) keeps its requests.
  if (instance.status === "down" && result.unreachable && !instance.gone.signal.aborted) {
    instance.gone.abort(new InstanceDownError(instance.url, instance.error));
  }
}

/**
 * A probe found that no new connection to the instance opens (its host is cut off): it is down, and
 * the requests waiting on it stop waiting now, without waiting for the health checks to agree.
 */
export function markUnreachable(upstream: Upstream, instance: Instance, error: string): void {
  ejectInstance(upstream, instance, error);
  if (!instance.gone.signal.aborted) instance.gone.abort(new InstanceDownError(instance.url, error));
}

/** Passive ejection: a proxied request could not reach the instance; it stays out until a check succeeds. */
export function ejectInstance(upstream: Upstream, instance: Instance, error: string): void {
  instance.successes = 0;
  instance.failures = Math.max(instance.failures, upstream.healthCheck.unhealthyThreshold);
  instance.error = error;
  if (instance.status !== "down") setStatus(upstream, instance, "down", "passive");
}

function setStatus(upstream: Upstream, instance: Instance, status: InstanceStatus, how = "health check"): void {
  const previous = instance.status;
  instance.status = status;
  instance.since = new Date();
  if (status !== "down" && instance.gone.signal.aborted) instance.gone = goneSignal();
  upstream.eligible = upstream.instances.filter((i) => i.status !== "down");
  const fields = { upstream: upstream.name, target: instance.url, previous, status, error: instance.error, how };
  if (status === "down") upstream.logger.warn(fields, `upstream ${upstream.name}: ${instance.url} is down`);
  else upstream.logger.info(fields, `upstream ${upstream.name}: ${instance.url} is ${status}`);
}

/** An instance's `gone`: every request in flight to the instance listens to it (hundreds at a time). */
function goneSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

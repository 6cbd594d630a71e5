import type { Dispatcher } from "undici";
import { type Instance, recordCheck, type Upstream } from "./upstream";
import { classifyFailure } from "./upstream-errors";

export interface HealthChecks {
  /** First check of every instance now, then one every `intervalMs` after the previous ended. */
  start(): void;
  /** Cancels pending timers and in-flight checks. */
  stop(): void;
}

/**
 * Active health checks: `GET <instance><path>` with a short timeout; 2xx is a success. One loop per
 * instance, so a slow instance never delays the others and checks never overlap. Timers are unref'd:
 * they never keep the process alive.
 */
export function createHealthChecks(upstreams: readonly Upstream[], dispatcher: Dispatcher): HealthChecks {
  const timers = new Set<NodeJS.Timeout>();
  let controller = new AbortController();
  let running = false;

  async function check(upstream: Upstream, instance: Instance): Promise<void> {
    const { path, timeoutMs } = upstream.healthCheck;
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const response = await dispatcher.request({
        origin: instance.url,
        path,
        method: "GET",
        headers: { "user-agent": "comptoir-gateway/health-check", accept: "application/json" },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body.dump();
      if (!running) return;
      if (response.statusCode >= 200 && response.statusCode < 300) {
        recordCheck(upstream, instance, { ok: true, latencyMs: latency() });
      } else {
        recordCheck(upstream, instance, {
          ok: false,
          latencyMs: latency(),
          error: `${path} answered ${response.statusCode}`,
        });
      }
    } catch (error) {
      if (!running) return;
      const failure = classifyFailure(error);
      const message = failure.kind === "timeout" ? `${path} gave no answer within ${timeoutMs} ms` : failure.message;
      recordCheck(upstream, instance, {
        ok: false,
        latencyMs: latency(),
        error: message,
        unreachable: failure.kind === "connection" && failure.neverSent,
      });
    }
  }

  function schedule(upstream: Upstream, instance: Instance, delayMs: number): void {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      await check(upstream, instance);
      if (running) schedule(upstream, instance, nextCheckIn(upstream, instance));
    }, delayMs);
    timer.unref();
    timers.add(timer);
  }

  return {
    start() {
      if (running) return;
      running = true;
      controller = new AbortController();
      for (const upstream of upstreams) for (const instance of upstream.instances) schedule(upstream, instance, 0);
    },
    stop() {
      running = false;
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * The delay before an instance's next check: the interval, except after a failed check of an instance
 * not yet found down — then a quarter of it (at least 250 ms), so that a host that just went away is
 * confirmed down in about a second more instead of a whole interval (HAProxy's `fastinter`).
 */
export function nextCheckIn(upstream: Upstream, instance: Instance): number {
  const { intervalMs } = upstream.healthCheck;
  if (instance.failures === 0 || instance.status === "down") return intervalMs;
  return Math.min(intervalMs, Math.max(250, Math.round(intervalMs / 4)));
}

import type { FastifyInstance } from "fastify";

/** A dependency the service needs to serve: the database, later the event bus. Throws when down. */
export type ReadinessCheck = (() => Promise<void>) & { degradesOnly?: true };

/**
 * A dependency whose loss degrades the service without stopping it: reported in `/health/ready`
 * (status `degraded`), but the instance stays ready. The event transport is one: while NATS is
 * away, writes still commit their events to the outbox (sent once it is back) and reads need no
 * events; taking every instance out of the gateway for it turned a NATS restart into an outage.
 */
export function degradesOnly(check: () => Promise<void>): ReadinessCheck {
  return Object.assign(() => check(), { degradesOnly: true as const });
}

export interface HealthState {
  shuttingDown: boolean;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ status: "ok" | "down"; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "down", latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes are polled every few seconds by the gateway, the launcher and orchestrators, so they do not
 * log; their answers carry the detail.
 *
 * `/health/live`: the process answers. `/health/ready`: it can serve — every dependency check passes
 * and it is not shutting down (so load balancers stop sending it work while it drains).
 */
export function registerHealth(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  state: HealthState,
  describe: () => Record<string, unknown>,
): void {
  app.get("/health/live", { schema: { hide: true }, logLevel: "silent" }, async () => ({ status: "ok" }));
  app.get("/health/ready", { schema: { hide: true }, logLevel: "silent" }, async (_request, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const byName = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ok = !state.shuttingDown && results.every((r, i) => r.status === "ok" || checks[names[i]!]!.degradesOnly);
    const degraded = results.some((r) => r.status !== "ok");
    reply.code(ok ? 200 : 503);
    const status = state.shuttingDown ? "shutting_down" : !ok ? "unavailable" : degraded ? "degraded" : "ok";
    return { status, ...describe(), checks: byName };
  });
}

import type { FastifyInstance } from "fastify";

/** A dependency the service needs to serve: the database, later the event bus. Throws when down. */
export type ReadinessCheck = () => Promise<void>;

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
  options: { readinessRoute: boolean } = { readinessRoute: true },
): void {
  app.get("/health/live", { schema: { hide: true }, logLevel: "silent" }, async () => ({ status: "ok" }));
  if (!options.readinessRoute) return;
  app.get("/health/ready", { schema: { hide: true }, logLevel: "silent" }, async (_request, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const byName = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ok = !state.shuttingDown && results.every((r) => r.status === "ok");
    reply.code(ok ? 200 : 503);
    return { status: state.shuttingDown ? "shutting_down" : ok ? "ok" : "unavailable", ...describe(), checks: byName };
  });
}

/** What a test reads of a `/metrics` page: answers `inject({ url: "/metrics" })` (a Fastify app). */
interface Injectable {
  inject(options: { method: "GET"; url: string }): PromiseLike<{ statusCode: number; body: string }>;
}

/** GET /metrics on the app (its Prometheus text). */
export async function metricsText(app: Injectable): Promise<string> {
  const res = await app.inject({ method: "GET", url: "/metrics" });
  if (res.statusCode !== 200) throw new Error(`GET /metrics answered ${res.statusCode}`);
  return res.body;
}

/**
 * The sum of a metric's samples whose labels include `labels` (0 when none): `name` is the sample's
 * name as written (a histogram's `_count`, `_sum` or `_bucket`).
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) sum += Number(match[3]);
  }
  return sum;
}

/** The metric names a `/metrics` page declares (its `# TYPE` lines): a labelled metric is declared before any sample. */
export function declaredMetrics(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));
}

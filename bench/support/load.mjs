// A closed-loop HTTP load generator (undici, keep-alive) that records every answer's status and
// latency, so that a 401 or a 429 is an error and never throughput. `connections` clients each send
// a request, read the whole answer, and send the next, for `seconds`.
import { Pool } from "undici";
import { summarize } from "./bench.mjs";

/**
 * `request(i)` gives the i-th request: a path, or `{ path, method, headers, body }`.
 * Returns summarize()'s figures over every request made.
 */
export async function load(origin, { connections, seconds, request }) {
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const records = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const spec = request(next++);
        const { path, method = "GET", headers, body } = typeof spec === "string" ? { path: spec } : spec;
        const t0 = performance.now();
        let status = 0;
        try {
          const res = await pool.request({ path, method, headers, body });
          await res.body.arrayBuffer();
          status = res.statusCode;
        } catch {
          status = 0;
        }
        records.push({ status, ms: performance.now() - t0 });
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return summarize(records, elapsed);
}

// `npm run bench:gateway`: what the gateway costs. The same GET (the catalog's category tree, as the
// demo admin: the gateway verifies the JWT, counts the request against the user's rate limit and
// writes its access log line; the catalog verifies the token too) straight to one catalog instance
// and through the gateway, plus the gateway alone (GET /health/live, no upstream), at 100
// connections and at 1. Prints 2xx/s, the error rate, p50/p95/p99 over every request (2xx-only
// beside), and the latency the gateway adds at p50. (It replaces bench/http.bench.mjs, which ran
// the same cases anonymously with wrk.)
// Options: --seconds N per case (default 10), and bench/support/bench.mjs's common options.
// On two cores the load generator, the gateway, the catalog and PostgreSQL share the CPU.
import { differences, fixed, judged, formatSummary, parseOptions, printHeader, Verdict } from "./support/bench.mjs";
import { load } from "./support/load.mjs";
import { PLATFORM_NOTES, SHARED_NOTE, adminToken, expect2xx, usePlatform } from "./support/platform.mjs";

export async function run(args, shared = {}) {
  const options = parseOptions(args, { numbers: { seconds: 10 } });
  // Smoke: 6 cases of 1.5 s.
  const seconds = options.smoke ? 1.5 : options.seconds;
  printHeader({
    title: "gateway: the category tree straight to catalog and through the gateway; the gateway alone",
    aim: "through the gateway at 100 connections: p95 < 105 ms over every request, errors < 1 %",
    source: "seed 004, scenario P1: 100 simultaneous users, p95 < 105 ms, error rate < 1 %",
    options,
    differs: differences(options.env, [...PLATFORM_NOTES, ...(shared.platform ? [SHARED_NOTE] : [])]),
    load: `closed loop (undici), 100 then 1 connection(s), ${seconds} s per case, as the demo admin`,
  });
  const { platform, release } = await usePlatform(options.env, shared);
  const verdict = new Verdict();
  try {
    const token = await adminToken(platform.base);
    for (const name of ["Mode", "Maison", "Épicerie"])
      await expect2xx(platform.base, "POST", "/api/catalog/categories", { token, body: { name } });
    const tree = await expect2xx(platform.base, "GET", "/api/catalog/categories", { token });
    if (JSON.stringify(tree).split('"name"').length < 4) throw new Error("set-up: the three categories are missing");
    const catalog = platform.health.services.catalog.instances[0].url;
    const path = "/api/catalog/categories";
    const headers = { authorization: `Bearer ${token}` };
    for (const connections of [100, 1]) {
      const direct = await load(catalog, { connections, seconds, request: () => ({ path, headers }) });
      const gateway = await load(platform.base, { connections, seconds, request: () => ({ path, headers }) });
      const alone = await load(platform.base, { connections, seconds, request: () => "/health/live" });
      console.log(`${connections} connection${connections === 1 ? "" : "s"}, GET ${path} (and /health/live)`);
      console.log(formatSummary("catalog direct", direct));
      console.log(formatSummary("via the gateway", gateway));
      console.log(formatSummary("gateway alone", alone));
      console.log(
        `  the gateway adds ${fixed(gateway.ok50 - direct.ok50, 2)} ms at p50 (2xx); ` +
          `2xx throughput ${fixed((100 * gateway.okRps) / direct.okRps, 0)} % of direct\n`,
      );
      if (connections === 100) {
        verdict.check(
          "via the gateway, 100 connections, p95 < 105 ms",
          judged(gateway, 95) < 105,
          `${fixed(judged(gateway, 95))} ms`,
        );
        verdict.check(
          "via the gateway, 100 connections, errors < 1 %",
          gateway.errorRate < 0.01,
          `${fixed(100 * gateway.errorRate, 2)} %`,
        );
      }
    }
  } finally {
    await release();
  }
  verdict.finish(options);
}

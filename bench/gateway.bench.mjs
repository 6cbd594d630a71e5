// `npm run bench:gateway`: the same GET (the catalog's category tree) straight to one catalog
// instance and through the gateway, with wrk at 100 connections and at 1 connection, side by side:
// requests/s, p50, p99, and the latency the gateway adds at p50. Options: --seconds (default 10).
// Every request carries the demo admin's access token, so the gateway verifies a JWT, counts the
// request against the user's rate limit (raised high enough not to cut the run) and writes its
// access log line, as in production; the catalog verifies the token too, in both cases.
// On two cores wrk, the gateway, the service and PostgreSQL share the CPU: compare cases, not hosts.
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform } from "./support/platform.mjs";

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** wrk's latency figure ("812.00us", "1.20ms", "2.01s") in milliseconds. */
function ms(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

function wrk(url, seconds, connections, token) {
  const header = ["-H", `Authorization: Bearer ${token}`];
  const out = execFileSync("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...header, url], {
    encoding: "utf8",
  });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: ms(/\s50%\s+([\d.]+\w+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+([\d.]+\w+)/.exec(out)?.[1]),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
}

const row = (label, r) =>
  `  ${label.padEnd(16)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99
    .toFixed(2)
    .padStart(7)} ms   non-2xx ${r.errors}`;

export async function run(args) {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("wrk is not installed: apt-get install -y wrk");
    process.exit(2);
  }
  const seconds = option(args, "--seconds", 10);
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
  await chmod(dataDir, 0o755);
  const platform = await startPlatform(dataDir, [], { LOG_LEVEL: "info", RATE_LIMIT_USER: "1000000000" });
  try {
    const login = await fetch(`${platform.base}/api/identity/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.comptoir.dev", password: "comptoir-demo" }),
    });
    if (login.status !== 200) throw new Error(`demo admin login: HTTP ${login.status} ${await login.text()}`);
    const { token } = await login.json();
    for (const name of ["Mode", "Maison", "Épicerie"]) {
      await fetch(`${platform.base}/api/catalog/categories`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name }),
      });
    }
    const catalog = platform.health.services.catalog.instances[0].url;
    const path = "/api/catalog/categories";
    console.log(`GET ${path}, wrk -t1 -d${seconds}s; wrk, gateway, catalog and PostgreSQL share 2 cores`);
    for (const connections of [100, 1]) {
      const direct = wrk(catalog + path, seconds, connections, token);
      const gateway = wrk(platform.base + path, seconds, connections, token);
      console.log(`\n${connections} connection${connections === 1 ? "" : "s"}`);
      console.log(row("catalog direct", direct));
      console.log(row("via the gateway", gateway));
      console.log(
        `  gateway adds ${(gateway.p50 - direct.p50).toFixed(2)} ms at p50; throughput ${(
          (100 * gateway.rps) /
          direct.rps
        ).toFixed(0)} % of direct`,
      );
    }
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

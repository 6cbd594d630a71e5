// Load through the gateway versus straight to one service instance, with wrk (Debian package
// `wrk`): a page of the category tree (one SELECT) and the gateway's liveness probe (no upstream).
// It boots the platform in a fresh data folder, creates a few categories, runs each case for
// --seconds (default 10) with --connections (default 50), prints req/s and latency, and stops.
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

function wrk(url, seconds, connections) {
  const out = execFileSync("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", url], { encoding: "utf8" });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const p50 = /\s50%\s+([\d.]+\w+)/.exec(out)?.[1];
  const p99 = /\s99%\s+([\d.]+\w+)/.exec(out)?.[1];
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? "0";
  return { rps: Number(rps), p50, p99, errors };
}

export async function run(args) {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("wrk is not installed: apt-get install -y wrk");
    process.exit(2);
  }
  const seconds = option(args, "--seconds", 10);
  const connections = option(args, "--connections", 50);
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
  await chmod(dataDir, 0o755);
  const platform = await startPlatform(dataDir, [], { LOG_LEVEL: "info" });
  try {
    for (const name of ["Mode", "Maison", "Épicerie"]) {
      await fetch(`${platform.base}/api/catalog/categories`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
    }
    const catalog = platform.health.services.catalog.instances[0].url;
    const cases = [
      ["catalog direct: GET /api/catalog/categories", `${catalog}/api/catalog/categories`],
      ["through the gateway: GET /api/catalog/categories", `${platform.base}/api/catalog/categories`],
      ["gateway alone: GET /health/live", `${platform.base}/health/live`],
    ];
    console.log(`wrk -t1 -c${connections} -d${seconds}s, 2 cores shared by wrk and the platform`);
    for (const [label, url] of cases) {
      const r = wrk(url, seconds, connections);
      console.log(`${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50}, p99 ${r.p99}, non-2xx ${r.errors}`);
    }
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

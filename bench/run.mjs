// `npm run bench -- <scenario> [options]`: runs one load or timing scenario and prints its figures,
// its settings that differ from `npm start`, and PASS/MISS against its aim (`--strict`: exit 1 on a
// MISS). Scenarios live next to this file as <name>.bench.mjs; their common options are in
// support/bench.mjs. A scenario that boots the platform builds it first (`--no-build` skips that).
//
// `npm run bench -- smoke` (`npm run bench:smoke`): every scenario in turn with `--smoke` (about 10 s
// of load each) and `--rate-limits=off`, one build and one platform boot shared (startup's second
// start serves gateway, catalog, retail, search, reporting, web and checkout). It exits 1 if a scenario crashes or its set-up fails,
// never because of a figure.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const scenarios = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .map((f) => f.replace(".bench.mjs", ""));
/** The scenarios that boot the platform with packages/cli/dist (so need a build). */
const BOOTS_PLATFORM = new Set(["startup", "gateway", "catalog", "retail", "search", "reporting", "checkout", "web"]);
// Smoke order: startup first (its second start is the platform the next five share).
const SMOKE_ORDER = [
  "startup",
  "gateway",
  "catalog",
  "retail",
  "search",
  "reporting",
  "web",
  "checkout",
  "inventory",
  "events",
];

function build() {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(root, "scripts/build.mjs"), "--quiet"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`the build failed (exit ${result.status})`);
    process.exit(1);
  }
  return (performance.now() - started) / 1000;
}

const [name, ...args] = process.argv.slice(2);

if (name === "smoke") {
  const started = performance.now();
  const order = [...SMOKE_ORDER, ...scenarios.filter((s) => !SMOKE_ORDER.includes(s))].filter((s) =>
    scenarios.includes(s),
  );
  // A smoke whose every request is a 429 would prove nothing of the paths it is for: the smoke lifts
  // the rate limits (each header says so). Options after `smoke` are passed on to every scenario.
  const smokeArgs = ["--smoke", "--rate-limits=off", "--no-build", ...args];
  console.log(`smoke: built in ${build().toFixed(1)} s; then ${order.join(", ")}, each with ${smokeArgs.join(" ")}\n`);
  const results = [];
  // The scenarios that boot the platform run here, on one platform: startup's second start, kept.
  // The others run in a process of their own each (they bundle and start their own PostgreSQL).
  const shared = {};
  for (const scenario of order) {
    const t0 = performance.now();
    let status = 0;
    if (BOOTS_PLATFORM.has(scenario)) {
      try {
        const { run } = await import(`./${scenario}.bench.mjs`);
        const kept = await run(smokeArgs, scenario === "startup" ? { keep: true } : shared);
        if (scenario === "startup") shared.platform = kept;
      } catch (error) {
        console.error(`\n${scenario}: ${error.stack ?? error}`);
        status = 1;
      }
    } else {
      const child = spawnSync(process.execPath, [join(here, "run.mjs"), scenario, ...smokeArgs], { stdio: "inherit" });
      status = child.status ?? child.signal;
    }
    const seconds = (performance.now() - t0) / 1000;
    results.push({ scenario, status, seconds });
    console.log(`\n-- ${scenario}: ${status === 0 ? "ran" : `FAILED (${status})`} in ${seconds.toFixed(1)} s\n`);
    if (scenario === "checkout" && shared.platform) {
      await shared.platform.stop();
      await rm(shared.platform.dataDir, { recursive: true, force: true });
      delete shared.platform;
    }
  }
  if (shared.platform) {
    await shared.platform.stop();
    await rm(shared.platform.dataDir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.status !== 0);
  console.log("smoke summary:");
  for (const r of results)
    console.log(`  ${r.scenario.padEnd(10)} ${r.status === 0 ? "ok    " : "FAILED"} ${r.seconds.toFixed(1)} s`);
  console.log(
    `  total ${((performance.now() - started) / 1000).toFixed(1)} s (build included); ${failed.length} failed`,
  );
  process.exit(failed.length ? 1 : 0);
}

if (!name || !scenarios.includes(name)) {
  console.error(
    `usage: npm run bench -- <scenario> [--smoke] [--strict] [--rate-limits=off] [--log-level=L] [--env NAME=VALUE]\n` +
      `       npm run bench -- smoke\nscenarios: ${scenarios.join(", ")}`,
  );
  process.exit(2);
}
if (BOOTS_PLATFORM.has(name) && !args.includes("--no-build")) build();
const { run } = await import(`./${name}.bench.mjs`);
try {
  await run(args);
} catch (error) {
  console.error(`\n${name}: ${error.stack ?? error}`);
  process.exit(1);
}
process.exit(process.exitCode ?? 0);

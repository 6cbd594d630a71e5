#!/usr/bin/env node
// `npm run chaos`: the platform in distributed mode on infrastructure of its own, under a mixed load,
// through one fault after another (each: a baseline, the fault, a recovery window), then the checks
// that nothing was lost or doubled. See README.md, "Chaos and soak".
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AIM, between, failedPct, judge, percentile, recoverySeconds, table, topErrors } from "./lib/analysis.mjs";
import { endChecks } from "./lib/checks.mjs";
import { bringUp } from "./lib/environment.mjs";
import { killInstance, postgresRestart, serverRestart, slowDatabase, stopInstance } from "./lib/faults.mjs";
import { runLoad } from "./lib/load.mjs";
import { instancesOf, runCleanupsSync, sleep } from "./lib/processes.mjs";

const USAGE = `Usage: npm run chaos -- [options]

  --smoke                a short run for CI (a few faults, short windows; about two minutes)
  --faults <list>        comma-separated, in order (default: all):
                           kill            kill -9 of every service instance, one after another
                           kill:<instance> kill -9 of one (e.g. kill:catalog-1, kill:gateway-1)
                           pg-fast, pg-immediate   PostgreSQL restart (pg_ctl -m fast / immediate)
                           nats, redis     restart of the server
                           sigstop[:<instance>]    SIGSTOP then SIGCONT (default catalog-1)
                           slow-db         ACCESS EXCLUSIVE lock on catalog's products
  --baseline <s>         seconds of load before each fault (default 5)
  --observe <s>          seconds watched after each fault's end (default 12)
  --users <n>            virtual users (default 12)
  --down <s>             how long PostgreSQL, NATS and Redis stay down (default 4)
  --stop <s>             SIGSTOP duration (default 10)
  --lock <s>             lock duration of slow-db (default 5)
  --no-nats, --no-redis  do not start them (events on the PostgreSQL event log; no Redis)
  --strict               exit 1 on a MISS too (always exit 1 on a loss or a double)
  --keep                 keep the temporary folder (logs, clusters) and print its path
  --json <file>          also write the rows and checks as JSON
`;

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean" },
    faults: { type: "string" },
    baseline: { type: "string" },
    observe: { type: "string" },
    users: { type: "string" },
    down: { type: "string" },
    stop: { type: "string" },
    lock: { type: "string" },
    "no-nats": { type: "boolean" },
    "no-redis": { type: "boolean" },
    strict: { type: "boolean" },
    keep: { type: "boolean" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const smoke = Boolean(values.smoke);
const num = (v, d) => (v === undefined ? d : Number(v));
const opts = {
  baseline: num(values.baseline, smoke ? 3 : 5),
  observe: num(values.observe, smoke ? 8 : 12),
  users: num(values.users, smoke ? 8 : 12),
  downMs: num(values.down, smoke ? 3 : 4) * 1000,
  stop: num(values.stop, smoke ? 5 : 10),
  lock: num(values.lock, smoke ? 3 : 5),
};
const faultList = (
  values.faults ??
  (smoke ? "kill:catalog-1,pg-fast,sigstop,slow-db" : "kill,pg-fast,pg-immediate,nats,redis,sigstop,slow-db")
)
  .split(",")
  .map((f) => f.trim())
  .filter(Boolean);

const startedAt = Date.now();
const log = (line) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);

let env;
let exitCode = 0;
try {
  env = await bringUp({ nats: !values["no-nats"], redis: !values["no-redis"], keep: values.keep, log });
  const faults = [];
  for (const f of faultList) {
    const [kind, arg] = f.split(":");
    if (kind === "kill" && !arg) {
      for (const { instance } of instancesOf(env.dataDir).sort((a, b) => a.instance.localeCompare(b.instance)))
        faults.push(killInstance(instance));
    } else if (kind === "kill") faults.push(killInstance(arg));
    else if (kind === "pg-fast") faults.push(postgresRestart("fast", opts.downMs));
    else if (kind === "pg-immediate") faults.push(postgresRestart("immediate", opts.downMs));
    else if (kind === "nats") faults.push(serverRestart("nats", opts.downMs));
    else if (kind === "redis") faults.push(serverRestart("redis", opts.downMs));
    else if (kind === "sigstop") faults.push(stopInstance(arg ?? "catalog-1", opts.stop));
    else if (kind === "slow-db") faults.push(slowDatabase("comptoir_catalog", "products", opts.lock));
    else throw new Error(`unknown fault "${f}"\n${USAGE}`);
  }
  log(
    `${faults.length} faults; ${opts.users} users; baseline ${opts.baseline} s, observation ${opts.observe} s after each fault; aim ≤ ${AIM.maxFailedPct} % failed, recovery ≤ ${AIM.maxRecoverySeconds} s`,
  );

  const load = runLoad(env.client, env.shop, { users: opts.users });
  const rows = [];
  await sleep(2000); // warm-up, not measured
  for (const fault of faults) {
    if (fault.needs && !env[fault.needs]) {
      rows.push({ fault: fault.name, skipped: env.skipped[fault.needs] ?? `${fault.needs} not running` });
      log(`${fault.name}: skipped (${rows.at(-1).skipped})`);
      continue;
    }
    const baselineFrom = Date.now();
    await sleep(opts.baseline * 1000);
    const outputBefore = env.launcher.output().length;
    log(`${fault.name} …`);
    const { start, end, note } = await fault.run(env);
    await sleep(opts.observe * 1000);
    const to = end + opts.observe * 1000;
    const s = env.client.samples;
    const baseline = between(s, baselineFrom, start);
    const during = between(s, start, to);
    const row = {
      fault: fault.name,
      faultSeconds: (end - start) / 1000,
      observeSeconds: opts.observe,
      baselineRequests: baseline.length,
      baselineFailedPct: failedPct(baseline),
      requests: during.length,
      failed: during.filter((x) => !x.ok).length,
      failedPct: failedPct(during),
      p99: percentile(
        during.map((x) => x.ms),
        99,
      ),
      recovery: recoverySeconds(s, end, to, Math.min(AIM.windowOkPct, 100 - failedPct(baseline))),
      errors: topErrors(during),
      note,
    };
    row.verdict = judge(row);
    rows.push(row);
    const echoed = env.launcher
      .output()
      .slice(outputBefore)
      .split("\n")
      .filter((l) => l.trim())
      .slice(0, 6);
    log(
      `${fault.name}: ${row.failed}/${row.requests} failed (${row.failedPct.toFixed(2)} %), fault lasted ${row.faultSeconds.toFixed(1)} s, recovery ${
        row.recovery === undefined ? `> ${opts.observe} s` : `${row.recovery.toFixed(1)} s`
      } → ${row.verdict}${row.errors ? `\n           errors: ${row.errors}` : ""}${
        echoed.length ? `\n           launcher: ${echoed.join("\n                     ")}` : ""
      }`,
    );
  }
  await load.stop();
  const all = env.client.samples;
  log(`load stopped: ${all.length} requests, ${all.filter((x) => !x.ok).length} failed in all`);

  console.log(`\nChaos table (${smoke ? "smoke" : "full"} run, ${new Date().toISOString()})\n`);
  console.log(table(rows));
  console.log("");

  log("end checks (read from the services' own databases on the harness's PostgreSQL, and the comptoir CLI)");
  const checks = await endChecks({ postgres: env.postgres, dataDir: env.dataDir, ledger: load.ledger, log });
  for (const n of checks.notes.slice(0, 20)) log(`  note: ${n}`);
  if (checks.notes.length > 20) log(`  … ${checks.notes.length - 20} more notes`);
  for (const p of checks.problems.slice(0, 50)) log(`  PROBLEM: ${p}`);
  const misses = rows.filter((r) => r.verdict === "MISS").length;
  log(
    `${checks.problems.length ? `${checks.problems.length} losses or doubles` : "nothing lost or doubled"}; ${misses} of ${
      rows.filter((r) => !r.skipped).length
    } faults missed the aim`,
  );
  if (checks.problems.length) exitCode = 1;
  else if (values.strict && misses) exitCode = 1;
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ opts, rows, checks }, null, 2));
    log(`wrote ${values.json}`);
  }
  if (values.keep) log(`kept ${env.dir} (platform logs in ${join(env.dataDir, "logs")})`);
} catch (error) {
  console.error(`chaos: ${error.stack ?? error}`);
  if (env?.launcher) console.error(env.launcher.output().slice(-3000));
  exitCode = 2;
} finally {
  if (env) await env.tearDown().catch((e) => console.error(`tear-down: ${e.message}`));
  runCleanupsSync();
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s, exit ${exitCode}`);
  process.exit(exitCode);
}

#!/usr/bin/env node
// Issue 22, "Proven across hosts": three network namespaces act as hosts on this machine (its
// PostgreSQL, NATS and Redis reached through forwarders on a bridge), two instances of every service
// spread over them, the gateway in a fourth; the shop end-to-end test through that gateway; then,
// under the chaos suite's mixed load, one host cut off (its link down: connections hang) and, in the
// default run, another killed (kill -9 of its processes, restarted after), with the failed requests,
// the time to recover and the end checks that nothing was lost or doubled. Needs root and `ip`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { between, failedPct, percentile, recoverySeconds, topErrors, windows } from "../chaos/lib/analysis.mjs";
import { endChecks } from "../chaos/lib/checks.mjs";
import { Client, prepareShop, runLoad } from "../chaos/lib/load.mjs";
import { LAUNCHER, ROOT, onCleanup, runCleanupsSync, sleep } from "../chaos/lib/processes.mjs";
import { waitForConsumers } from "./lib/bus.mjs";
import { alive, createNetwork, processesOfRun, removeStale, setLink, startForwarders } from "./lib/network.mjs";
import { BACKENDS, configure, migrate, placement, PORTS, startInstance, waitFor } from "./lib/platform.mjs";

const USAGE = `Usage: node test/hosts/multi-host.mjs [options]   (after node scripts/build.mjs --no-web)

  --smoke              the CI run: the shop e2e, then one host's link cut under load (≤ 4 minutes)
  --faults <list>      comma-separated, in order (default link:h1,kill:h2; --smoke: link:h1):
                         link:<host>   the host's link down (a partition: its connections hang)
                         kill:<host>   kill -9 of every service process of the host, restarted after --down
  --down <s>           how long a host stays cut off or dead (default 10; --smoke 8)
  --baseline <s>       seconds of load before each fault (default 5; --smoke 3)
  --observe <s>        seconds watched after the host is back (default 15; --smoke 10)
  --users <n>          virtual users of the load (default 12; --smoke 8)
  --no-e2e             skip the shop end-to-end test
  --strict             exit 1 when an aim is missed too (always on a loss, a double or a failed e2e)
  --keep               keep the temporary folder (instances' logs) and print its path
  --log-level <level>  the instances' LOG_LEVEL (default warn; info logs every request, with --keep)
  --json <file>        also write the rows and checks as JSON
  --unhealthy-threshold <n>  the gateway's health checks mark an instance down after n failures
                       (GATEWAY_CONFIG: a copy of services/gateway/gateway.config.json with it changed; default 2)
  --time-limit <s>     the whole run's bound; past it, everything is stopped, exit 2 (default 900; --smoke 360)

Aims: ≤ ${0.1} % of requests failed from the cut to the end of the observation, every 1-s window back
to ≥ 99.5 % successful within 5 s of the cut (the survivors serve) and within 5 s of the host's return.`;

const AIM = { maxFailedPct: 0.1, maxRecoverySeconds: 5, windowOkPct: 99.5 };
const HOSTS = ["h1", "h2", "h3"];

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean" },
    faults: { type: "string" },
    down: { type: "string" },
    baseline: { type: "string" },
    observe: { type: "string" },
    users: { type: "string" },
    "no-e2e": { type: "boolean" },
    strict: { type: "boolean" },
    keep: { type: "boolean" },
    "log-level": { type: "string", default: "warn" },
    json: { type: "string" },
    "time-limit": { type: "string" },
    "unhealthy-threshold": { type: "string" },
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
  down: num(values.down, smoke ? 8 : 10),
  baseline: num(values.baseline, smoke ? 3 : 5),
  observe: num(values.observe, smoke ? 10 : 15),
  users: num(values.users, smoke ? 8 : 12),
};
const faults = (values.faults ?? (smoke ? "link:h1" : "link:h1,kill:h2")).split(",").map((f) => {
  const [kind, host] = f.trim().split(":");
  if (!["link", "kill"].includes(kind) || !HOSTS.includes(host)) {
    console.error(`multi-host: unknown fault "${f}"\n\n${USAGE}`);
    process.exit(1);
  }
  return { kind, host };
});

const startedAt = Date.now();
// Bounded in time: whatever hangs, the run ends (and cleans up) after this.
const limitSeconds = num(values["time-limit"], smoke ? 360 : 900);
setTimeout(() => {
  console.error(`multi-host: still running after the time limit of ${limitSeconds} s: stopping everything`);
  runCleanupsSync();
  process.exit(2);
}, limitSeconds * 1000).unref();
const log = (line) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const timings = [];
const timed = async (what, fn) => {
  const t = Date.now();
  const result = await fn();
  timings.push(`${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return result;
};

// 1. Preconditions: CI must not skip this test silently, so each missing one is an error.
const portOpen = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
const missing = [];
if (process.getuid?.() !== 0) missing.push("root (network namespaces, veth pairs and a bridge need CAP_NET_ADMIN)");
if (spawnSync("ip", ["-V"]).status !== 0) missing.push("the `ip` command (iproute2)");
for (const [port, what] of [
  [5432, "PostgreSQL"],
  [4222, "NATS JetStream"],
  [6379, "Redis"],
]) {
  if (!(await portOpen(port))) missing.push(`${what} on 127.0.0.1:${port}`);
}
if (!existsSync(LAUNCHER) || !BACKENDS.every((s) => existsSync(join(ROOT, "services", s, "dist", "main.js"))))
  missing.push("the bundles (node scripts/build.mjs --no-web)");
if (missing.length) {
  console.error(`multi-host: cannot run; missing:\n  - ${missing.join("\n  - ")}`);
  process.exit(1);
}

const run = `mh${process.pid}`;
const purgeScript = join(import.meta.dirname, "lib", "purge.mjs");
const dir = mkdtempSync(join(tmpdir(), `comptoir-hosts-${run}-`));
const logDir = join(dir, "logs");
const dataDir = join(dir, "data");
mkdirSync(logDir);
mkdirSync(dataDir);
const common = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/root", COMPTOIR_HOSTS_RUN: run };
let net;
let exitCode = 0;
/** Every service instance: {service, n, id, host, url, child}. */
const instances = placement(HOSTS);
const gateway = { service: "gateway", n: 1, id: "gateway-1", host: "gw" };

onCleanup("multi-host run", () => {
  for (const { pid } of processesOfRun(run)) {
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  net?.remove();
  const purged = spawnSync(process.execPath, [purgeScript, run], { encoding: "utf8", timeout: 60_000 });
  const said = `${purged.stdout}${purged.stderr}`.trim();
  if (said) console.log(said);
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});

const instanceLogTail = (i, lines = 8) => {
  const r = spawnSync("tail", ["-n", String(lines), i.child?.logFile ?? ""], { encoding: "utf8" });
  return r.stdout;
};

function start(i, envOf) {
  i.child = startInstance(i, net.hosts[i.host].ns, envOf(i), logDir);
  i.child.instanceId = i.id;
  return i.child;
}

/**
 * Polls the gateway's /health/status until every one of `urls` has `status` (down after a cut, up after
 * the return): when the gateway stopped (or started again) sending them requests, in s from `from`.
 */
function watchGateway(base, urls, status, from, timeoutMs) {
  let stop = false;
  const seen = new Map();
  const done = (async () => {
    while (!stop && seen.size < urls.length && Date.now() - from < timeoutMs) {
      try {
        const res = await fetch(`${base}/health/status`, { signal: AbortSignal.timeout(1000) });
        const body = await res.json();
        for (const service of Object.values(body.services ?? {}))
          for (const i of service.instances ?? [])
            if (urls.includes(i.url) && i.status === status && !seen.has(i.url))
              seen.set(i.url, (Date.now() - from) / 1000);
      } catch {}
      await sleep(200);
    }
    const times = [...seen.values()];
    return times.length === urls.length
      ? `all ${urls.length} ${status} after ${Math.max(...times).toFixed(1)} s (first after ${Math.min(...times).toFixed(1)} s)`
      : `${times.length} of ${urls.length} ${status} within ${(timeoutMs / 1000).toFixed(0)} s`;
  })();
  return { done, stop: () => (stop = true) };
}

function row(name, s, { start: cut, end: back, to }) {
  // Requests in flight at the cut count with the fault (a request hung on the cut host started before it).
  const baseline = between(s, cut - opts.baseline * 1000, cut).filter((x) => x.t + x.ms < cut);
  const during = s.filter((x) => x.t < to && (x.t >= cut || x.t + x.ms >= cut));
  // Whole 1-s windows only: a last, partial window may be empty.
  const whole = (from, until) => from + Math.floor((until - from) / 1000) * 1000;
  const threshold = Math.min(AIM.windowOkPct, 100 - failedPct(baseline));
  const r = {
    fault: name,
    requests: during.length,
    failed: during.filter((x) => !x.ok).length,
    failedPct: failedPct(during),
    baselineFailedPct: failedPct(baseline),
    p99: percentile(
      during.map((x) => x.ms),
      99,
    ),
    // From the cut: how long until the survivors alone serve (every window after is good until the host is back).
    recoveryCut: recoverySeconds(s, cut, whole(cut, back), threshold),
    // From the host's return (link up, processes restarted) to the end of the observation.
    recoveryBack: recoverySeconds(s, back, whole(back, to), threshold),
    downSeconds: (back - cut) / 1000,
    observeSeconds: opts.observe,
    errors: topErrors(during, 4),
    // What kept the virtual users waiting (a window with nothing started is everyone waiting).
    slow: slowest(during.filter((x) => x.t < back)),
    // Per second from 2 s before the cut: requests that succeeded/started ("|" marks the cut and the return).
    timeline: windows(s, cut - 2000, to)
      .map((w) => `${w.start === cut || (back >= w.start && back < w.start + 1000) ? "| " : ""}${w.ok}/${w.count}`)
      .join(" "),
  };
  const recovered = (x) => x !== undefined && x <= AIM.maxRecoverySeconds;
  r.verdict =
    r.failedPct <= AIM.maxFailedPct && recovered(r.recoveryCut) && recovered(r.recoveryBack) ? "MET" : "MISSED";
  return r;
}

/** The requests that took a second or more, by operation: "checkout ×6 (up to 2.1 s)". */
function slowest(samples) {
  const byOp = new Map();
  for (const x of samples) {
    if (x.ms < 1000) continue;
    const seen = byOp.get(x.op) ?? { count: 0, max: 0 };
    byOp.set(x.op, { count: seen.count + 1, max: Math.max(seen.max, x.ms) });
  }
  return [...byOp]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([op, { count, max }]) => `${op} ×${count} (up to ${(max / 1000).toFixed(1)} s)`)
    .join(", ");
}

const seconds = (x, bound) => (x === undefined ? `>${bound} s` : `${x.toFixed(1)} s`);
function table(rows) {
  const pad = (v, n) => String(v).padEnd(n);
  const lpad = (v, n) => String(v).padStart(n);
  const lines = [
    `${pad("fault", 26)} ${lpad("requests", 8)} ${lpad("failed", 7)} ${lpad("failed%", 8)} ${lpad("p99 ms", 7)} ${lpad("recover(cut)", 12)} ${lpad("recover(back)", 13)}  aims`,
  ];
  for (const r of rows) {
    lines.push(
      `${pad(r.fault, 26)} ${lpad(r.requests, 8)} ${lpad(r.failed, 7)} ${lpad(r.failedPct.toFixed(2), 8)} ${lpad(
        Math.round(r.p99),
        7,
      )} ${lpad(seconds(r.recoveryCut, r.downSeconds), 12)} ${lpad(seconds(r.recoveryBack, r.observeSeconds), 13)}  ${r.verdict}`,
    );
  }
  return lines.join("\n");
}

let client;
try {
  for (const line of removeStale(purgeScript)) log(`leftovers of an earlier run: ${line}`);
  for (const name of readdirSync(tmpdir())) {
    const pid = /^comptoir-hosts-mh(\d+)-/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }

  // 2. The hosts and the forwarders.
  net = createNetwork(run, [...HOSTS, "gw"]);
  log(
    `run ${run}: bridge ${net.bridge} ${net.bridgeIp}/24; ${Object.values(net.hosts)
      .map((h) => `${h.name} ${h.ip}`)
      .join(", ")}; logs in ${logDir}`,
  );
  const forwarders = await startForwarders(net, [5432, 4222, 6379], { ...common }, logDir);
  log(`forwarders ${net.bridgeIp}:{5432,4222,6379} → 127.0.0.1 (PostgreSQL, NATS, Redis; ${forwarders.kind})`);

  // 3. Migrations once, then the instances, then the gateway.
  let gatewayConfig;
  if (values["unhealthy-threshold"] !== undefined) {
    const config = JSON.parse(readFileSync(join(ROOT, "services/gateway/gateway.config.json"), "utf8"));
    const threshold = Number(values["unhealthy-threshold"]);
    config.defaults.healthCheck.unhealthyThreshold = threshold;
    for (const u of Object.values(config.upstreams ?? {}))
      if (u.healthCheck) u.healthCheck.unhealthyThreshold = threshold;
    gatewayConfig = join(dir, "gateway.config.json");
    writeFileSync(gatewayConfig, JSON.stringify(config, null, 2));
    log(`the gateway's config: unhealthyThreshold ${threshold} (GATEWAY_CONFIG=${gatewayConfig})`);
  }
  const { envOf } = configure({
    net,
    run,
    dataDir,
    common,
    instances: [...instances, gateway],
    gatewayConfig,
    logLevel: values["log-level"],
  });
  await timed("migrations (identity, then the 10 others at once)", async () => {
    const firsts = instances.filter((i) => i.n === 1);
    const ns = (i) => net.hosts[i.host].ns;
    await migrate(firsts[0], ns(firsts[0]), envOf(firsts[0], "only"), logDir);
    await Promise.all(firsts.slice(1).map((i) => migrate(i, ns(i), envOf(i, "only"), logDir)));
  });
  log(`migrations applied (${timings.at(-1)})`);
  const base = `http://${net.hosts.gw.ip}:${PORTS.gateway}`;
  await timed("22 instances and the gateway up (/health/status 200)", async () => {
    for (const i of instances) start(i, envOf);
    start(gateway, envOf);
    await waitFor(`${base}/health/status`, { children: [...instances, gateway].map((i) => i.child) });
  });
  for (const h of HOSTS)
    log(
      `${h} (${net.hosts[h].ip}): ${instances
        .filter((i) => i.host === h)
        .map((i) => i.id)
        .join(" ")}`,
    );
  log(`every service up behind ${base} (${timings.at(-1)})`);
  // For `comptoir inventory verify` and `events status` in the end checks (they find the platform here).
  writeFileSync(
    join(dataDir, "runtime.json"),
    JSON.stringify({
      pid: process.pid,
      gatewayUrl: base,
      natsUrl: "nats://127.0.0.1:4222",
      natsPrefix: run,
      demo: true,
      services: Object.fromEntries(
        BACKENDS.map((s) => [s, instances.filter((i) => i.service === s).map((i) => i.url)]),
      ),
    }),
    { mode: 0o600 },
  );

  // 4. The shop end-to-end test through the gateway (from the root namespace, over the bridge).
  if (!values["no-e2e"]) {
    log(`the shop end-to-end test through ${base}`);
    const code = await timed("shop e2e", async () => {
      const child = spawn("npx", ["vitest", "run", "--project", "e2e", "test/e2e/shop.e2e.test.ts"], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEST_GATEWAY_URL: base,
          TEST_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
        },
        stdio: "inherit",
      });
      return new Promise((r) => child.once("exit", (c) => r(c)));
    });
    log(`shop e2e exit ${code} (${timings.at(-1)})`);
    if (code !== 0) {
      exitCode = 1;
      throw new Error("the shop end-to-end test failed through the multi-host platform");
    }
  }

  // 5. Under load: each fault, with a baseline before and an observation after the host is back.
  client = new Client(base);
  const shop = await timed("shop prepared for the load", () => prepareShop(client, { log }));
  const load = runLoad(client, shop, { users: opts.users });
  await sleep(2000); // warm-up, not measured
  const rows = [];
  for (const fault of faults) {
    await sleep(opts.baseline * 1000);
    const host = net.hosts[fault.host];
    const victims = instances.filter((i) => i.host === fault.host);
    const name = `${fault.kind === "link" ? "link down" : "kill -9"} ${fault.host} (${victims.length} inst.)`;
    log(`${name}: ${victims.map((i) => i.id).join(" ")} …`);
    const cut = Date.now();
    if (fault.kind === "link") setLink(host, false);
    else for (const i of victims) i.child.kill("SIGKILL");
    const urls = victims.map((i) => i.url);
    const sawDown = watchGateway(base, urls, "down", cut, opts.down * 1000);
    await sleep(opts.down * 1000);
    sawDown.stop();
    log(`the gateway's health checks: ${await sawDown.done}`);
    if (fault.kind === "link") setLink(host, true);
    else for (const i of victims) start(i, envOf);
    const back = Date.now();
    log(
      `${fault.host} back after ${((back - cut) / 1000).toFixed(1)} s (${fault.kind === "link" ? "link up" : "processes restarted"})`,
    );
    const sawUp = watchGateway(base, urls, "up", back, opts.observe * 1000);
    await sleep(opts.observe * 1000);
    sawUp.stop();
    log(`the gateway's health checks: ${await sawUp.done} of the return`);
    const r = row(name, client.samples, { start: cut, end: back, to: back + opts.observe * 1000 });
    rows.push(r);
    log(
      `${name}: ${r.failed}/${r.requests} failed (${r.failedPct.toFixed(2)} %), recovered ${seconds(
        r.recoveryCut,
        r.downSeconds,
      )} after the cut, ${seconds(r.recoveryBack, r.observeSeconds)} after the return → aims ${r.verdict}${
        r.errors ? `\n           errors: ${r.errors}` : ""
      }${r.slow ? `\n           1 s or more: ${r.slow}` : ""}\n           per second (ok/started): ${r.timeline}`,
    );
  }
  await load.stop();
  const all = client.samples;
  log(`load stopped: ${all.length} requests, ${all.filter((x) => !x.ok).length} failed in all`);
  console.log(`\nMulti-host table (${smoke ? "smoke" : "default"} run, ${new Date().toISOString()})\n`);
  console.log(table(rows));
  console.log(
    `\naims: ≤ ${AIM.maxFailedPct} % failed from the cut to the end of the observation; every 1-s window ≥ ${AIM.windowOkPct} % ok within ${AIM.maxRecoverySeconds} s of the cut and of the return\n`,
  );

  // The end checks: nothing lost, nothing doubled (read from the run's databases on the machine's PostgreSQL).
  const drained = await timed("events drained", () => waitForConsumers(run));
  log(
    `NATS consumers ${drained.left ? `still hold ${drained.left} events` : "drained"} after ${drained.seconds.toFixed(1)} s${
      drained.parts.length ? `: ${drained.parts.join("; ")}` : ""
    }`,
  );
  log("end checks (the run's databases, comptoir inventory verify, comptoir events status)");
  const checks = await timed("end checks", () =>
    endChecks({
      postgres: { url: (database) => `postgres://postgres@127.0.0.1:5432/${database}` },
      prefix: run,
      dataDir,
      ledger: load.ledger,
      log,
    }),
  );
  for (const n of checks.notes.slice(0, 20)) log(`  note: ${n}`);
  if (checks.notes.length > 20) log(`  … ${checks.notes.length - 20} more notes`);
  for (const p of checks.problems.slice(0, 50)) log(`  PROBLEM: ${p}`);
  const missed = rows.filter((r) => r.verdict !== "MET").length;
  const neverBack = rows.filter((r) => r.recoveryBack === undefined);
  log(
    `${checks.problems.length ? `${checks.problems.length} losses or doubles` : "nothing lost or doubled"}; aims ${
      missed ? `MISSED by ${missed} of ${rows.length} faults` : "met"
    }`,
  );
  if (checks.problems.length) exitCode = 1;
  // The platform not serving again once the host is back is a failure, not a missed aim.
  if (neverBack.length) {
    log(`FAIL: not recovered ${opts.observe} s after the host's return: ${neverBack.map((r) => r.fault).join(", ")}`);
    exitCode = 1;
  }
  if (values.strict && missed) exitCode = 1;
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ opts, faults, rows, checks, timings }, null, 2));
    log(`wrote ${values.json}`);
  }

  // A clean stop: SIGTERM, drained, exit 0 (not required; what does not stop is killed by the clean-up).
  await client.close().catch(() => {});
  client = undefined;
  const everyone = [...instances, gateway]
    .map((i) => i.child)
    .filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = Promise.all(everyone.map((c) => new Promise((r) => c.once("exit", r))));
  for (const c of everyone) c.kill("SIGTERM");
  await Promise.race([exited, sleep(20_000)]);
} catch (error) {
  console.error(`multi-host: ${error.stack ?? error}`);
  for (const i of [...instances, gateway].filter((x) => x.child)) {
    const tail = instanceLogTail(i, 4).trim();
    if (tail) console.error(`--- ${i.id}\n${tail}`);
  }
  if (!exitCode) exitCode = 2;
} finally {
  await client?.close().catch(() => {});
  if (values.keep) log(`kept ${dir} (instances' logs in ${logDir})`);
  runCleanupsSync();
  log(`timings: ${timings.join("; ")}`);
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s, exit ${exitCode}`);
  process.exit(exitCode);
}

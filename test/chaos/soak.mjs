#!/usr/bin/env node
// `npm run soak -- --minutes 30`: the chaos suite's mixed load, without faults, for N minutes on the
// same distributed set-up. Every 10 s: resident memory of each process, p99 latency and error rate
// of the last window, PostgreSQL connections by database and application. At the end: an SVG plot,
// a summary, and a verdict on flatness (linear fit over the second half).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { between, failedPct, percentile } from "./lib/analysis.mjs";
import { endChecks } from "./lib/checks.mjs";
import { bringUp } from "./lib/environment.mjs";
import { runLoad } from "./lib/load.mjs";
import { instancesOf, postgresPids, ROOT, rssKiB, runCleanupsSync, sleep } from "./lib/processes.mjs";
import { plot, slope } from "./lib/svg.mjs";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    users: { type: "string", default: "12" },
    interval: { type: "string", default: "10" },
    out: { type: "string" },
    "no-nats": { type: "boolean" },
    "no-redis": { type: "boolean" },
    keep: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    `Usage: npm run soak -- [--minutes 30] [--users 12] [--interval 10] [--out file.svg] [--no-nats] [--no-redis] [--keep]`,
  );
  process.exit(0);
}
const minutes = Number(values.minutes);
const intervalMs = Number(values.interval) * 1000;
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const svgPath = values.out ?? join(ROOT, "test/chaos/results", `soak-${stamp}.svg`);
const startedAt = Date.now();
const log = (line) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(7)} s] ${line}`);

/** Memory/latency growth allowed over the second half, per hour, before the verdict says "not flat". */
const FLAT = { rssMiBPerHourPerProcess: 20, p99MsPerHour: 50 };

let env;
let exitCode = 0;
try {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(svgPath, ".."), { recursive: true });
  env = await bringUp({ nats: !values["no-nats"], redis: !values["no-redis"], keep: values.keep, log });
  const load = runLoad(env.client, env.shop, { users: Number(values.users) });
  const samples = [];
  const loadStart = Date.now();
  const end = loadStart + minutes * 60_000;
  const monitor = new pg.Client({
    connectionString: env.postgres.url("postgres"),
    application_name: "chaos-soak-monitor",
  });
  monitor.on("error", () => {});
  await monitor.connect().catch(() => {});
  while (Date.now() < end) {
    const windowStart = Date.now();
    await sleep(Math.min(intervalMs, end - windowStart));
    const now = Date.now();
    const inside = between(env.client.samples, windowStart, now);
    const rss = {};
    for (const { pid, instance } of instancesOf(env.dataDir)) rss[instance] = rssKiB(pid) / 1024;
    rss.launcher = rssKiB(env.launcher.child.pid) / 1024;
    rss["postgres (all)"] = postgresPids(env.postgres.pid()).reduce((a, p) => a + rssKiB(p), 0) / 1024;
    let connections = {};
    try {
      const rows = (
        await monitor.query(
          "SELECT coalesce(datname, '(none)') AS db, coalesce(nullif(application_name, ''), '-') AS app, count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2",
        )
      ).rows;
      for (const r of rows) connections[`${r.db.replace(/^comptoir_/, "")}${r.app === "-" ? "" : ` ${r.app}`}`] = r.n;
    } catch (error) {
      connections = { error: error.message };
    }
    const sample = {
      t: (now - loadStart) / 1000,
      requests: inside.length,
      rps: inside.length / ((now - windowStart) / 1000),
      p99: percentile(
        inside.map((s) => s.ms),
        99,
      ),
      errorPct: failedPct(inside),
      rss,
      connections,
      totalConnections: Object.values(connections).reduce((a, b) => a + (typeof b === "number" ? b : 0), 0),
    };
    samples.push(sample);
    log(
      `${sample.requests} req (${sample.rps.toFixed(0)}/s), p99 ${sample.p99.toFixed(0)} ms, errors ${sample.errorPct.toFixed(2)} %, RSS ${Object.values(
        rss,
      )
        .reduce((a, b) => a + b, 0)
        .toFixed(0)} MiB, PostgreSQL connections ${sample.totalConnections}`,
    );
  }
  await load.stop();
  await monitor.end().catch(() => {});

  // The plot: RSS per process, p99, error rate and throughput, connections per database.
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.rss)))].sort();
  const dbs = [...new Set(samples.flatMap((s) => Object.keys(s.connections)))].sort();
  const series = (f) => samples.map((s) => [s.t, f(s)]);
  const svg = plot(`Comptoir soak: ${minutes} min, ${values.users} users, distributed (${new Date().toISOString()})`, [
    {
      title: "RSS per process",
      unit: "MiB",
      series: names.map((n) => ({ name: n, points: series((s) => s.rss[n] ?? 0) })),
    },
    { title: "p99 latency per window", unit: "ms", series: [{ name: "p99", points: series((s) => s.p99) }] },
    {
      title: "error rate and throughput",
      unit: "% / req/s ÷ 10",
      series: [
        { name: "errors %", points: series((s) => s.errorPct) },
        { name: "req/s ÷ 10", points: series((s) => s.rps / 10) },
      ],
    },
    {
      title: "PostgreSQL connections",
      unit: "client backends",
      series: [
        { name: "total", points: series((s) => s.totalConnections) },
        ...dbs.map((d) => ({ name: d, points: series((s) => s.connections[d] ?? 0) })),
      ],
    },
  ]);
  writeFileSync(svgPath, svg);
  writeFileSync(svgPath.replace(/\.svg$/, ".json"), JSON.stringify(samples, null, 1));

  // Summary and the flatness verdict over the second half.
  const all = env.client.samples;
  const secondHalf = samples.filter((s) => s.t >= (minutes * 60) / 2);
  const perHour = 3600;
  console.log(`\nSoak summary (${minutes} min, ${values.users} users)`);
  console.log(
    `  requests ${all.length}, failed ${all.filter((s) => !s.ok).length} (${failedPct(all).toFixed(3)} %), p50 ${percentile(
      all.map((s) => s.ms),
      50,
    ).toFixed(0)} ms, p99 ${percentile(
      all.map((s) => s.ms),
      99,
    ).toFixed(
      0,
    )} ms; orders paid ${load.ledger.paidOrders.length}, transfers completed ${load.ledger.supplyCompleted.length}`,
  );
  const verdicts = [];
  console.log("  RSS, first → last sample, and the slope over the second half:");
  for (const n of names) {
    const pts = secondHalf.map((s) => [s.t, s.rss[n] ?? 0]);
    const perH = slope(pts) * perHour;
    const first = samples[0]?.rss[n] ?? 0;
    const last = samples.at(-1)?.rss[n] ?? 0;
    const flat = n.startsWith("postgres") || perH <= FLAT.rssMiBPerHourPerProcess;
    if (!flat) verdicts.push(`${n} RSS grows ${perH.toFixed(0)} MiB/h`);
    console.log(
      `    ${n.padEnd(18)} ${first.toFixed(0).padStart(5)} → ${last.toFixed(0).padStart(5)} MiB, ${perH >= 0 ? "+" : ""}${perH.toFixed(1)} MiB/h${flat ? "" : "  ← growing"}`,
    );
  }
  const p99PerH = slope(secondHalf.map((s) => [s.t, s.p99])) * perHour;
  if (p99PerH > FLAT.p99MsPerHour) verdicts.push(`p99 grows ${p99PerH.toFixed(0)} ms/h`);
  const connPerH = slope(secondHalf.map((s) => [s.t, s.totalConnections])) * perHour;
  console.log(
    `  p99 slope over the second half: ${p99PerH.toFixed(1)} ms/h; connections: ${connPerH.toFixed(1)}/h (max ${Math.max(...samples.map((s) => s.totalConnections))})`,
  );
  console.log(
    `  verdict: ${verdicts.length ? `NOT FLAT — ${verdicts.join("; ")}` : `flat (RSS ≤ ${FLAT.rssMiBPerHourPerProcess} MiB/h per process, p99 ≤ ${FLAT.p99MsPerHour} ms/h over the second half)`}${
      minutes < 10 ? " — a run this short says little about leaks" : ""
    }`,
  );
  console.log(`  plot: ${svgPath}`);
  const checks = await endChecks({ postgres: env.postgres, dataDir: env.dataDir, ledger: load.ledger, log });
  for (const p of checks.problems.slice(0, 30)) log(`  PROBLEM: ${p}`);
  for (const n of checks.notes.slice(0, 10)) log(`  note: ${n}`);
  if (checks.problems.length) exitCode = 1;
} catch (error) {
  console.error(`soak: ${error.stack ?? error}`);
  if (env?.launcher) console.error(env.launcher.output().slice(-3000));
  exitCode = 2;
} finally {
  if (env) await env.tearDown().catch((e) => console.error(`tear-down: ${e.message}`));
  runCleanupsSync();
  log(`done, exit ${exitCode}`);
  process.exit(exitCode);
}

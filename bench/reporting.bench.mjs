// `npm run bench:reporting`: sales reports on two years of history (issue 20's proof).
//
// It boots the platform as `npm start` does, then seeds the history the real way: `comptoir reporting
// seed-history --lines N` (packages/cli/dist, as a user runs it) appends till sales of the 3 demo stores
// (returns, voids, register closings) and paid online orders (some refunded) to the platform's event
// log, as retail and orders would have published them; reporting applies them with its own handlers.
//   1. ingest   while and after the events are appended, every 0.5 s: the sale events reporting has
//               applied (Σ transactions + voids of sales_daily, in reporting's database: paid orders
//               and till sales) and, every second, the reporting group's lag (GET
//               /api/reporting/admin/events/status): sale events applied per second, from the first
//               append until the lag is 0.
//   2. reads    through the gateway as the demo admin, 20 connections, closed loop: consolidated sales
//               (/sales, groupBy day, store and month in turn) for a day, a month and a year; a store's
//               indicators (the 3 demo stores in turn) for a day, a month and a year; top products for a
//               month and a year. Days, months and years vary over the history (no two requests in a row
//               the same; a year's 30 periods come back, as a dashboard's do, and reporting keeps its
//               answers while no event changes the model). Then a year's sales and indicators "each
//               asked once": periods no request asked before, the cost of an answer computed.
// With npm start's rate limits the admin gets 5,000 requests an hour: `--rate-limits=off` measures what
// the services can serve.
//
// Options: --lines N (sale lines in all, default 2,000,000; --smoke: 3,000), --seconds N (default 10),
// --seed N (default 1), and bench/support/bench.mjs's. On two cores the load generator, the gateway,
// reporting, the other services and PostgreSQL share the CPU: figures vary from run to run.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { differences, fixed, formatSummary, judged, parseOptions, printHeader, Verdict } from "./support/bench.mjs";
import { load as loadHttp } from "./support/load.mjs";
import { PLATFORM_NOTES, SHARED_NOTE, adminToken, usePlatform } from "./support/platform.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CONNECTIONS = 20;
const AIMS = { ingest: 2000, yearP95: 100 };
/** packages/contracts/src/demo.ts, DEMO_STORES. */
const STORES = [
  "0192f5a0-0000-7000-8000-000000000001",
  "0192f5a0-0000-7000-8000-000000000002",
  "0192f5a0-0000-7000-8000-000000000003",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const parisToday = () =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
const lastDayOfMonth = (month) => addDays(`${addMonths(month, 1)}-01`, -1);
function addMonths(month, n) {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

async function runtimeOf(dataDir) {
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(await readFile(join(dataDir, "runtime.json"), "utf8"));
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(100);
    }
  }
}

/** Reporting's database: the platform's event log URL (runtime.json) with `_reporting` for `_events`. */
function reportingDatabaseUrl(runtime) {
  if (!runtime.eventLogUrl) throw new Error("runtime.json has no eventLogUrl: cannot find reporting's database");
  const url = new URL(runtime.eventLogUrl);
  url.pathname = url.pathname.replace(/_events$/, "_reporting");
  return url.toString();
}

/** Runs `comptoir reporting seed-history` on the platform's data folder; resolves with its counts per type. */
function seedHistory(dataDir, { lines, seed }) {
  const child = spawn(
    process.execPath,
    [
      join(root, "packages/cli/dist/main.js"),
      "reporting",
      "seed-history",
      "--lines",
      String(lines),
      "--seed",
      String(seed),
    ],
    { cwd: root, env: { ...process.env, COMPTOIR_DATA: dataDir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => {
    err += d;
    // The catalog line and the first/last progress lines, as they come.
    for (const line of String(d).split("\n"))
      if (/^(catalog|appending)/.test(line)) console.log(`  seed-history: ${line}`);
  });
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`seed-history exited with ${code}: ${err.slice(-2000)}`));
      const counts = {};
      for (const m of out.matchAll(/^\s+([a-z]+\.[a-z_]+\.[a-z_]+)\s+([\d,]+)$/gm))
        counts[m[1]] = Number(m[2].replaceAll(",", ""));
      const seconds = Number(/in ([\d.]+) s/.exec(out)?.[1] ?? Number.NaN);
      resolve({ counts, seconds, out });
    });
  });
}

/** Sale events reporting has applied: paid orders and till sales (a voided sale: its void counts it). */
async function appliedSales(client) {
  const { rows } = await client.query(
    "SELECT coalesce(sum(transactions + voids_count), 0)::bigint AS n FROM sales_daily",
  );
  return Number(rows[0].n);
}

/** The reporting group's lag in events (every stream it reads); undefined when the gateway answers no 200. */
async function reportingLag(base, token) {
  const res = await fetch(`${base}/api/reporting/admin/events/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return undefined;
  }
  const body = await res.json();
  const group = body.groups.find((g) => g.group === "reporting");
  return Object.values(group?.lag ?? {}).reduce((a, b) => a + b, 0);
}

/** The request paths of each case, over the history's days (`first` to `last`). */
function cases(first, last) {
  const dayCount = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1;
  const lastMonth = lastDayOfMonth(last.slice(0, 7)) === last ? last.slice(0, 7) : addMonths(last.slice(0, 7), -1);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(lastMonth, -i)).filter((m) => `${m}-01` >= first);
  const days = Array.from({ length: Math.min(300, dayCount) }, (_, i) => addDays(last, -i));
  // Years: 365 days ending on one of the last 30 days (as many as the history allows).
  const years = Array.from({ length: 30 }, (_, i) => ({ from: addDays(last, -i - 364), to: addDays(last, -i) })).filter(
    (y) => y.from >= first,
  );
  const periods = {
    day: days.map((d) => ({ from: d, to: d })),
    month: months.map((m) => ({ from: `${m}-01`, to: lastDayOfMonth(m) })),
    year: years.length > 0 ? years : [{ from: first, to: last }],
  };
  const groupBys = ["day", "store", "month"];
  const rotate = (list, make) => (i) => make(list[i % list.length], i);
  return [
    ...["day", "month", "year"].map((p) => ({
      name: `sales, a ${p}`,
      aimed: p === "year",
      request: rotate(
        periods[p],
        (x, i) => `/api/reporting/sales?from=${x.from}&to=${x.to}&groupBy=${groupBys[i % 3]}`,
      ),
    })),
    ...["day", "month", "year"].map((p) => ({
      name: `indicators, a ${p}`,
      aimed: p === "year",
      request: rotate(
        periods[p],
        (x, i) => `/api/reporting/stores/${STORES[i % 3]}/indicators?from=${x.from}&to=${x.to}`,
      ),
    })),
    // A year asked once: every request a period no request asked before, warm-up included (365 to 564
    // days ending on one of the last 30 days: 6,000 periods; the measured run starts 3,000 periods after
    // the warm-up's first), so that no answer reporting keeps (routes/answer-cache.ts) serves it.
    ...[
      [
        "sales, a year, each asked once",
        (i, from, to) => `/api/reporting/sales?from=${from}&to=${to}&groupBy=${groupBys[i % 3]}`,
      ],
      [
        "indicators, a year, each asked once",
        (i, from, to) => `/api/reporting/stores/${STORES[i % 3]}/indicators?from=${from}&to=${to}`,
      ],
    ].map(([name, path]) => ({
      name,
      aimed: true,
      measuredFrom: 3000,
      request: (i) => {
        const to = addDays(last, -(i % 30) - 2);
        return path(i, addDays(to, -364 - (Math.floor(i / 30) % 200)), to);
      },
    })),
    ...["month", "year"].map((p) => ({
      name: `top products, a ${p}`,
      aimed: false,
      request: rotate(
        periods[p],
        (x, i) => `/api/reporting/top-products?from=${x.from}&to=${x.to}&by=${i % 2 ? "units" : "revenue"}`,
      ),
    })),
  ];
}

export async function run(args, shared = {}) {
  const options = parseOptions(args, { numbers: { seconds: 10, lines: 2_000_000, seed: 1 } });
  const seconds = options.smoke ? 1 : options.seconds;
  const warmup = options.smoke ? 0.3 : 2;
  const lines = options.smoke ? Math.min(options.lines, 3000) : options.lines;
  printHeader({
    title: `reporting: two years of sales history (${lines.toLocaleString("en")} sale lines) ingested from events, then read`,
    aim:
      `reporting applies ≥ ${AIMS.ingest.toLocaleString("en")} sale events/s; through the gateway, ${CONNECTIONS} connections: ` +
      `p95 < ${AIMS.yearP95} ms for a year's consolidated sales and a year's store indicators`,
    source: "issue 20 (Proof: comptoir reporting seed-history and npm run bench:reporting)",
    options,
    differs: differences(options.env, [
      ...PLATFORM_NOTES,
      ...(shared.platform ? [SHARED_NOTE] : []),
      `${lines.toLocaleString("en")} sale lines of synthetic history (comptoir reporting seed-history --seed ${options.seed}) ` +
        "appended to the event log (npm start: the demo's sales only)",
    ]),
    load: `closed loop (undici), ${CONNECTIONS} connections, as the demo admin, ${seconds} s per case after ${warmup} s of warm-up`,
  });
  const { platform, release } = await usePlatform(options.env, shared);
  const verdict = new Verdict();
  let client;
  try {
    if (!shared.platform) console.log(`platform ready in ${platform.seconds.toFixed(1)} s`);
    const runtime = await runtimeOf(platform.dataDir);
    client = new pg.Client({ connectionString: reportingDatabaseUrl(runtime) });
    await client.connect();
    const token = await adminToken(platform.base);
    const before = await appliedSales(client);

    // 1. Ingest.
    console.log("\ningest: comptoir reporting seed-history, reporting applying as the events arrive");
    const started = performance.now();
    const samples = [];
    let seeding = true;
    let seeded;
    let failure;
    const seedingDone = seedHistory(platform.dataDir, { lines, seed: options.seed }).then(
      (r) => {
        seeded = r;
        seeding = false;
      },
      (error) => {
        // Kept for after the loop: a rejection nobody awaits yet would end the process.
        failure = error;
        seeding = false;
      },
    );
    let lag = Number.NaN;
    let lastLagAt = 0;
    // Status polls answered otherwise than 200 while reporting ingests (its readiness check timing out
    // makes the gateway take it out of rotation): said below, as reads would see the same.
    let polls = 0;
    let unavailable = 0;
    for (;;) {
      const applied = (await appliedSales(client)) - before;
      const now = performance.now();
      samples.push({ t: (now - started) / 1000, applied });
      if (now - lastLagAt > 1000 || !seeding) {
        const answer = await reportingLag(platform.base, token);
        polls++;
        if (answer === undefined) unavailable++;
        else lag = answer;
        lastLagAt = now;
      }
      if (failure) throw failure;
      if (
        !seeding &&
        lag === 0 &&
        applied >= (seeded.counts["retail.sale.completed"] ?? 0) + (seeded.counts["orders.order.paid"] ?? 0)
      )
        break;
      if (now - started > 3_600_000) throw new Error("ingest: reporting did not catch up within an hour");
      if (!options.smoke && samples.length % 20 === 0) {
        process.stdout.write(
          `\r  ${fixed(samples.at(-1).t, 0)} s: ${applied.toLocaleString("en")} sale events applied, lag ${lag}   `,
        );
      }
      await sleep(500);
    }
    await seedingDone;
    const done = (performance.now() - started) / 1000;
    if (!options.smoke) process.stdout.write("\n");
    const counts = seeded.counts;
    const saleEvents = (counts["retail.sale.completed"] ?? 0) + (counts["orders.order.paid"] ?? 0);
    const allEvents = Object.values(counts).reduce((a, b) => a + b, 0);
    const applied = (await appliedSales(client)) - before;
    // The steady part: from 10 % to 90 % of the sale events applied.
    const at = (share) => samples.find((s) => s.applied >= share * saleEvents)?.t ?? Number.NaN;
    const steady = (0.8 * saleEvents) / (at(0.9) - at(0.1));
    const overall = saleEvents / done;
    console.log(
      `  seed-history appended ${allEvents.toLocaleString("en")} events (${saleEvents.toLocaleString("en")} sales and paid orders) ` +
        `in ${fixed(seeded.seconds)} s (${fixed(allEvents / seeded.seconds, 0)} events/s)`,
    );
    for (const [type, n] of Object.entries(counts)) console.log(`    ${type.padEnd(24)} ${n.toLocaleString("en")}`);
    console.log(
      `  reporting applied them all (lag 0) ${fixed(done)} s after the first append: ${fixed(overall, 0)} sale events/s overall` +
        `, ${fixed(steady, 0)} sale events/s from 10 % to 90 % (${fixed(allEvents / done, 0)} events/s of every type overall)`,
    );
    console.log(
      `  reporting's event status through the gateway while it ingested: ${polls - unavailable} of ${polls} polls answered 200`,
    );
    verdict.check(
      `reporting applies ≥ ${AIMS.ingest} sale events/s (first append to lag 0)`,
      overall >= AIMS.ingest,
      `${fixed(overall, 0)} sale events/s`,
    );
    verdict.check(
      "every sale event seeded is in the rollups",
      applied === saleEvents,
      `${applied.toLocaleString("en")} of ${saleEvents.toLocaleString("en")}`,
    );
    const rows = (
      await client.query(
        `SELECT (SELECT count(*) FROM sales_daily)::int AS daily, (SELECT count(*) FROM sales_product_daily)::int AS product_days,
                (SELECT min(day)::text FROM sales_daily) AS first, (SELECT max(day)::text FROM sales_daily) AS last`,
      )
    ).rows[0];
    console.log(
      `  rollups: ${rows.daily.toLocaleString("en")} channel-days, ${rows.product_days.toLocaleString("en")} product-days, ${rows.first} to ${rows.last}`,
    );
    for (const table of [
      "sales_daily",
      "sales_daily_vat",
      "sales_hourly",
      "sales_product_daily",
      "sales_product_monthly",
    ])
      await client.query(`VACUUM ANALYZE ${table}`);

    // 2. Reads.
    const last = addDays(parisToday(), -1);
    const first = rows.first && rows.first > addDays(last, -729) ? rows.first : addDays(last, -729);
    const headers = { authorization: `Bearer ${token}` };
    console.log(
      `\nreads through the gateway as the demo admin, ${CONNECTIONS} connections, ${seconds} s each (after ${warmup} s of warm-up)`,
    );
    for (const c of cases(first, last)) {
      const request = (i) => ({ path: c.request(i), headers });
      await loadHttp(platform.base, { connections: CONNECTIONS, seconds: warmup, request });
      const measured = (i) => request(i + (c.measuredFrom ?? 0));
      const result = await loadHttp(platform.base, { connections: CONNECTIONS, seconds, request: measured });
      console.log(formatSummary(c.name, result));
      verdict.check(`${c.name} errors < 1 %`, result.errorRate < 0.01, `${fixed(100 * result.errorRate, 2)} %`);
      if (c.aimed)
        verdict.check(
          `${c.name} p95 < ${AIMS.yearP95} ms`,
          judged(result, 95) < AIMS.yearP95,
          `${fixed(judged(result, 95))} ms`,
        );
    }
  } finally {
    await client?.end().catch(() => {});
    await release();
  }
  verdict.finish(options);
}

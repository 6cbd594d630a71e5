// What every benchmark shares: its options, the header that says what differs from `npm start`, the
// figures of a run (every request counted, failures included), and the PASS/MISS verdict on its aim.
//
// Common options (each benchmark adds its own):
//   --smoke             about 10 s of load in all: proves the benchmark still works, figures aside
//   --strict            exit 1 when an aim is missed (never in --smoke: a smoke judges no figure)
//   --rate-limits=off   the gateway's user and anonymous limits at 1e9 (npm start: 5000 and 1000 an hour)
//   --log-level=L       every process's LOG_LEVEL (npm start: info)
//   --env NAME=VALUE    any other variable for the platform (repeatable), e.g. GATEWAY_CACHE_MAX_BYTES=0
// Without them a benchmark runs the platform as `npm start` does.

/** What `npm start` gives the platform when nothing is set (README, Configuration). */
export const NPM_START = {
  LOG_LEVEL: "info",
  RATE_LIMIT_ANONYMOUS: "1000",
  RATE_LIMIT_USER: "5000",
  GATEWAY_CACHE_MAX_BYTES: "67108864",
  DATABASE_POOL_SIZE: "10",
};

/**
 * `--name value`, `--name=value` and bare flags. `numbers` lists the options read as numbers;
 * `--env` may repeat. Unknown options are refused, so that a typo never runs the defaults silently.
 */
export function parseOptions(args, { numbers = {}, strings = {}, flags = [] } = {}) {
  const known = new Set([...Object.keys(numbers), ...Object.keys(strings), ...flags, "smoke", "strict", "no-build"]);
  known.add("rate-limits").add("log-level").add("env");
  const options = { ...numbers, ...strings, smoke: false, strict: false, env: {} };
  for (const flag of flags) options[flag] = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"`);
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.has(name)) throw new Error(`unknown option --${name}`);
    if (["smoke", "strict", "no-build", ...flags].includes(name)) {
      options[camel(name)] = true;
      continue;
    }
    if (value === undefined) value = args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === "env") {
      const [key, v] = value.split(/=(.*)/s, 2);
      if (!key || v === undefined) throw new Error(`--env needs NAME=VALUE, got "${value}"`);
      options.env[key] = v;
    } else if (name === "rate-limits") {
      if (value !== "off") throw new Error(`--rate-limits takes "off", got "${value}"`);
      options.env.RATE_LIMIT_ANONYMOUS = "1000000000";
      options.env.RATE_LIMIT_USER = "1000000000";
    } else if (name === "log-level") {
      options.env.LOG_LEVEL = value;
    } else if (name in numbers) {
      options[camel(name)] = Number(value);
      if (!Number.isFinite(options[camel(name)])) throw new Error(`--${name} needs a number, got "${value}"`);
    } else {
      options[camel(name)] = value;
    }
  }
  return options;
}

const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/**
 * The settings of this run that differ from `npm start`: the platform variables given (each with
 * npm start's value) and the benchmark's own lines (`notes`: data, topology, anything else).
 */
export function differences(env, notes = []) {
  const lines = Object.entries(env).map(
    ([name, value]) => `${name}=${value} (npm start: ${NPM_START[name] ?? "unset"})`,
  );
  return [...lines, ...notes];
}

/** The header every benchmark prints first: what it measures, its aim, the mode and the differences. */
export function printHeader({ title, aim, source, options, differs, load }) {
  console.log(`== ${title}`);
  console.log(`aim: ${aim}`);
  console.log(`  (from ${source})`);
  console.log(
    `mode: ${options.smoke ? "smoke (short load: proves it works; figures are not judged)" : "normal"}${
      options.strict && !options.smoke ? ", --strict (exit 1 on a MISS)" : ""
    }`,
  );
  if (load) console.log(`load: ${load}`);
  console.log("differs from npm start:");
  for (const line of differs.length ? differs : ["nothing"]) console.log(`  - ${line}`);
  console.log("");
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Figures of a set of requests, each `{ status, ms }` (status 0: no answer). An error is anything
 * but a 2xx. Percentiles are over every request; the 2xx-only ones are kept beside.
 */
export function summarize(records, seconds) {
  const all = records.map((r) => r.ms).sort((a, b) => a - b);
  const okMs = records.filter((r) => isOk(r.status)).map((r) => r.ms);
  okMs.sort((a, b) => a - b);
  const byStatus = new Map();
  for (const r of records) if (!isOk(r.status)) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const errors = records.length - okMs.length;
  return {
    requests: records.length,
    ok: okMs.length,
    errors,
    errorRate: records.length ? errors / records.length : 0,
    byStatus,
    seconds,
    rps: records.length / seconds,
    okRps: okMs.length / seconds,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    ok50: percentile(okMs, 50),
    ok95: percentile(okMs, 95),
    ok99: percentile(okMs, 99),
  };
}

export const isOk = (status) => status >= 200 && status < 300;

/**
 * A latency percentile to judge: the worse of every request's and the 2xx-only one, so that fast
 * failures (a 429 takes a millisecond) never make a latency aim pass; NaN (a MISS) without any 2xx.
 */
export function judged(s, p) {
  return Math.max(s[`p${p}`], s[`ok${p}`]);
}

const f = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** "429: 950, no answer: 2" */
export function statusList(byStatus) {
  return [...byStatus]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s === 0 ? "no answer" : s}: ${n}`)
    .join(", ");
}

const rate = (n) => f(n, n < 100 ? 1 : 0);

/** One line: 2xx/s, error rate, percentiles over every request, and 2xx-only ones beside. */
export function formatSummary(label, s, unit = "req") {
  const errors = `errors ${f(100 * s.errorRate, 2)} %${s.errors ? ` (${statusList(s.byStatus)})` : ""}`;
  return (
    `  ${label.padEnd(24)} ${rate(s.okRps).padStart(6)} 2xx ${unit}/s of ${rate(s.rps)}   ${errors}\n` +
    `  ${"".padEnd(24)} all p50 ${f(s.p50, 2)} / p95 ${f(s.p95, 2)} / p99 ${f(s.p99, 2)} ms` +
    `   (2xx only: ${f(s.ok50, 2)} / ${f(s.ok95, 2)} / ${f(s.ok99, 2)} ms; ${s.requests} requests in ${f(s.seconds, 1)} s)`
  );
}

/** PASS/MISS lines on the aim; `finish` prints them and decides the exit code. */
export class Verdict {
  #checks = [];

  /** `ok` false or NaN is a MISS. */
  check(what, ok, measured) {
    this.#checks.push({ what, ok: ok === true, measured });
  }

  get missed() {
    return this.#checks.some((c) => !c.ok);
  }

  finish(options) {
    console.log("\nverdict:");
    for (const c of this.#checks) console.log(`  ${c.ok ? "PASS" : "MISS"}  ${c.what}: ${c.measured}`);
    const overall = this.#checks.length === 0 ? "no figure judged" : this.missed ? "MISS" : "PASS";
    console.log(`  => ${overall}${options.smoke ? " (smoke: not judged, exit 0)" : ""}`);
    if (this.missed && options.strict && !options.smoke) process.exitCode = 1;
  }
}

export { f as fixed };

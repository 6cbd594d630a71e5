// Boots the whole platform with the launcher (as `npm start` does) in a fresh data folder, and
// reports: seconds from start to the gateway's /health/status answering 200 (first start, which
// initialises PostgreSQL, then a second start on the same data), and the resident memory of every
// process of the platform (launcher, PostgreSQL, services) once ready. A start that fails (the
// launcher exits, or /health/status never answers 200 within 120 s) ends the run with an error.
// Options: --instances <service>=N (passed to the launcher), --runs N (default 1 of each), and
// bench/support/bench.mjs's. `npm start`'s build step (about 3 s) is not counted.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { differences, parseOptions, printHeader, Verdict } from "./support/bench.mjs";
import { PLATFORM_NOTES, startPlatform } from "./support/platform.mjs";

const AIM_SECONDS = 30;

/**
 * `shared.keep`: the smoke's run (bench/run.mjs) keeps the second start running and gets it back,
 * so that the benchmarks after it need no boot of their own.
 */
export async function run(args, shared = {}) {
  const options = parseOptions(args, { numbers: { runs: 1 }, strings: { instances: "" } });
  const launcherArgs = options.instances ? ["--instances", options.instances] : [];
  printHeader({
    title: "startup: seconds to ready and memory of the whole platform",
    aim: `ready (/health/status 200) in < ${AIM_SECONDS} s, on the first start (initdb) and on a second start`,
    source:
      "no start-up time is written as an aim: seed 004's scenario A1 asks recovery in < 30 s, " +
      "which a restarted platform must meet; docs/architecture.md §8.3 has the measured 8.0–9.2 s and 5.4–6.3 s",
    options,
    differs: differences(options.env, [
      ...PLATFORM_NOTES,
      ...(options.instances ? [`--instances ${options.instances} (npm start: one instance of each service)`] : []),
    ]),
    load: `${options.runs} run(s) of a first and a second start; no requests but the readiness probe`,
  });
  const verdict = new Verdict();
  let kept;
  for (let i = 0; i < options.runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
    await chmod(dataDir, 0o755);
    try {
      for (const label of ["first start (initdb)", "second start (data reused)"]) {
        const platform = await startPlatform(dataDir, launcherArgs, options.env);
        const r = { seconds: platform.seconds, ...platform.memory() };
        if (shared.keep && i === options.runs - 1 && label.startsWith("second")) kept = platform;
        else await platform.stop();
        console.log(
          `${label}: ready in ${r.seconds.toFixed(2)} s; ${r.processes} processes; RSS sum ${r.rssMiB.toFixed(0)} MiB`,
        );
        const parts = [...r.byName.entries()].sort((a, b) => b[1] - a[1]);
        console.log(`  ${parts.map(([n, kib]) => `${n} ${(kib / 1024).toFixed(0)}`).join(", ")} (MiB)`);
        verdict.check(`${label} ready in < ${AIM_SECONDS} s`, r.seconds < AIM_SECONDS, `${r.seconds.toFixed(2)} s`);
      }
    } finally {
      if (!kept) await rm(dataDir, { recursive: true, force: true });
    }
  }
  verdict.finish(options);
  return kept;
}

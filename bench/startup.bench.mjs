// Boots the whole platform with the launcher (as `npm start` does) in a fresh data folder, and
// reports: seconds from start to the gateway's /health/ready answering 200 (first start, which
// initialises PostgreSQL, then a second start on the same data), and the resident memory of every
// process of the platform (launcher, PostgreSQL, services) once ready.
// Options: --instances <service>=N (passed to the launcher), --runs N (default 1 of each).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform } from "./support/platform.mjs";

export async function run(args) {
  const runsIndex = args.indexOf("--runs");
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1;
  const launcherArgs = args.filter((_, i) => i !== runsIndex && i !== runsIndex + 1);
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
    await chmod(dataDir, 0o755);
    try {
      for (const label of ["first start (initdb)", "second start (data reused)"]) {
        const platform = await startPlatform(dataDir, launcherArgs);
        const r = { seconds: platform.seconds, ...platform.memory() };
        await platform.stop();
        console.log(
          `${label}: ready in ${r.seconds.toFixed(2)} s; ${r.processes} processes; RSS sum ${r.rssMiB.toFixed(0)} MiB`,
        );
        const parts = [...r.byName.entries()].sort((a, b) => b[1] - a[1]);
        console.log(`  ${parts.map(([n, kib]) => `${n} ${(kib / 1024).toFixed(0)}`).join(", ")} (MiB)`);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

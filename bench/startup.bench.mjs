// Boots the whole platform with the launcher (as `npm start` does) in a fresh data folder, and
// reports: seconds from start to the gateway's /health/ready answering 200 (first start, which
// initialises PostgreSQL, then a second start on the same data), and the resident memory of every
// process of the platform (launcher, PostgreSQL, services) once ready.
// Options: --instances <service>=N (passed to the launcher), --runs N (default 1 of each).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const launcher = join(root, "packages/cli/dist/main.js");

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function descendants(pid) {
  const children = new Map();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(p));
    } catch {}
  }
  const all = [];
  const walk = (p) => {
    all.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return all;
}

function rssKiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

function name(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const service = cmd.find((a) => a.includes("services/"));
    if (service) return service.split("services/")[1].split("/")[0];
    if (cmd[0]?.endsWith("postgres") || cmd[0]?.startsWith("postgres:")) return "postgres (all processes)";
    if (cmd.some((a) => a.includes("packages/cli/dist"))) return "launcher";
    return cmd[0]?.split("/").pop() ?? String(pid);
  } catch {
    return String(pid);
  }
}

async function boot(dataDir, extraArgs) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [launcher, "up", ...extraArgs], {
    cwd: root,
    env: { ...process.env, PORT: String(port), COMPTOIR_DATA: dataDir, DATABASE_URL: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  // PostgreSQL runs in its own process group but is still the launcher's child.
  const pids = descendants(child.pid);
  const byName = new Map();
  for (const pid of pids) byName.set(name(pid), (byName.get(name(pid)) ?? 0) + rssKiB(pid));
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  return { seconds, processes: pids.length, rssMiB: [...byName.values()].reduce((a, b) => a + b, 0) / 1024, byName };
}

export async function run(args) {
  const runsIndex = args.indexOf("--runs");
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1;
  const launcherArgs = args.filter((_, i) => i !== runsIndex && i !== runsIndex + 1);
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
    await chmod(dataDir, 0o755);
    try {
      for (const label of ["first start (initdb)", "second start (data reused)"]) {
        const r = await boot(dataDir, launcherArgs);
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

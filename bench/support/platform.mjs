// Boots the platform with the launcher (as `npm start` does) for benchmarks, and reads what its
// processes use from /proc.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const launcher = join(root, "packages/cli/dist/main.js");

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export function descendants(pid) {
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

export function rssKiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
// USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK).
const CLOCK_TICKS = 100;

export function processName(pid) {
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

/**
 * Starts `comptoir up` on a free port with `dataDir` and resolves once the gateway reports every
 * service ready, with the seconds that took.
 */
export async function startPlatform(dataDir, launcherArgs = [], env = {}) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [launcher, "up", ...launcherArgs], {
    cwd: root,
    env: { ...process.env, PORT: String(port), COMPTOIR_DATA: dataDir, DATABASE_URL: "", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  let health;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health/status`);
      if (res.status === 200) {
        health = await res.json();
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    base,
    seconds,
    health,
    dataDir,
    /** Resident memory of every process of the platform, by process name (PostgreSQL is a child too). */
    memory() {
      const pids = descendants(child.pid);
      const byName = new Map();
      for (const pid of pids) byName.set(processName(pid), (byName.get(processName(pid)) ?? 0) + rssKiB(pid));
      const rssMiB = [...byName.values()].reduce((a, b) => a + b, 0) / 1024;
      return { processes: pids.length, rssMiB, byName };
    },
    /** CPU time used so far by every process of the platform, in ms, by process name. */
    cpu() {
      const byName = new Map();
      for (const pid of descendants(child.pid))
        byName.set(processName(pid), (byName.get(processName(pid)) ?? 0) + cpuMs(pid));
      return byName;
    },
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Signs in as the demo admin (README, Demo accounts) and returns the access token; throws unless 200. */
export async function adminToken(base) {
  const login = await fetch(`${base}/api/identity/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@demo.comptoir.dev", password: "comptoir-demo" }),
  });
  if (login.status !== 200) throw new Error(`demo admin login: HTTP ${login.status} ${await login.text()}`);
  return (await login.json()).token;
}

/** A JSON call whose answer must be a 2xx: throws with the status and body otherwise (set-up steps). */
export async function expect2xx(base, method, path, { token, body } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`set-up ${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** What a run on startPlatform's fresh folder differs in from `npm start`, whatever the benchmark. */
export const PLATFORM_NOTES = [
  "a fresh data folder in the system's temporary folder, deleted after the run (npm start: ./.data, kept)",
  "the gateway on a free port (npm start: 8080)",
];

/**
 * The platform a benchmark runs against: `shared.platform` (the smoke's, booted once by bench/run.mjs
 * and stopped by it), or one of its own in a fresh data folder, which `release()` stops and deletes.
 */
export async function usePlatform(env, shared = {}) {
  if (shared.platform) return { platform: shared.platform, release: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
  await chmod(dataDir, 0o755);
  let platform;
  try {
    platform = await startPlatform(dataDir, [], env);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    platform,
    release: async () => {
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The header line of a benchmark run on the smoke's shared platform. */
export const SHARED_NOTE =
  "the platform is the smoke's, booted once (startup's second start) and used by gateway, catalog and checkout in turn";

// Processes: what we started and how to stop it on every way out (normal end, failure, Ctrl-C),
// the platform's launcher, and where its service instances are (pids from /proc).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const LAUNCHER = join(ROOT, "packages/cli/dist/main.js");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Synchronous clean-ups, newest first; they also run on process exit and on SIGINT/SIGTERM. */
const cleanups = [];
let handlersInstalled = false;

export function onCleanup(name, fn) {
  cleanups.push({ name, fn });
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", runCleanupsSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping everything the harness started`);
      runCleanupsSync();
      process.exit(130);
    });
  }
}

export function runCleanupsSync() {
  while (cleanups.length) {
    const { name, fn } = cleanups.pop();
    try {
      fn();
    } catch (error) {
      console.error(`clean-up of ${name} failed: ${error.message}`);
    }
  }
}

/** The environment without anything that would point the launcher elsewhere. */
function cleanEnv(env) {
  const kept = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k === "PORT" || k.endsWith("DATABASE_URL") || k.startsWith("COMPTOIR_")) continue;
    if (k.startsWith("UPSTREAM_") || k === "NODE_OPTIONS" || k.startsWith("VITEST") || k === "TEST") continue;
    if (k === "EVENT_LOG_URL" || k.startsWith("NATS_") || k === "REDIS_URL") continue;
    kept[k] = v;
  }
  return kept;
}

/** `comptoir up` with `env` (PORT, COMPTOIR_DATA, DATABASE_URL, …) and `args` (--instances …). */
export function startLauncher(env, args = []) {
  const child = spawn(process.execPath, [LAUNCHER, "up", ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(process.env), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const dataDir = env.COMPTOIR_DATA;
  onCleanup("launcher", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    // The services exit when their IPC channel closes; make sure of it.
    for (const { pid } of instancesOf(dataDir)) {
      try {
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });
  return {
    child,
    base: `http://127.0.0.1:${env.PORT}`,
    dataDir,
    output: () => output,
    async waitReady(timeoutMs = 180_000) {
      const started = Date.now();
      let last = "";
      while (Date.now() - started < timeoutMs) {
        if (child.exitCode !== null) throw new Error(`the launcher exited with ${child.exitCode}:\n${output}`);
        try {
          const res = await fetch(`${this.base}/health/status`);
          const text = await res.text();
          if (res.status === 200) return (Date.now() - started) / 1000;
          last = text;
        } catch (error) {
          last = String(error);
        }
        await sleep(250);
      }
      throw new Error(`not ready after ${timeoutMs} ms; last answer: ${last}\n${output.slice(-4000)}`);
    },
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      for (const { pid } of instancesOf(dataDir)) {
        try {
          process.kill(pid, "SIGCONT"); // a stopped instance cannot drain
        } catch {}
      }
      const exited = new Promise((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/** Every service instance of the platform using `dataDir`: {pid, instance} (INSTANCE_ID, e.g. catalog-2). */
export function instancesOf(dataDir) {
  const found = [];
  if (!dataDir) return found;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    const environ = readProc(pid, "environ");
    if (!environ || !environ.includes(`COMPTOIR_DATA=${dataDir}\0`)) continue;
    const id = /(?:^|\0)INSTANCE_ID=([^\0]+)/.exec(environ)?.[1];
    if (id) found.push({ pid: Number(pid), instance: id });
  }
  return found;
}

export function pidOf(dataDir, instance) {
  return instancesOf(dataDir).find((i) => i.instance === instance)?.pid;
}

export function rssKiB(pid) {
  const status = readProc(pid, "status");
  const line = status?.split("\n").find((l) => l.startsWith("VmRSS:"));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

/** Every process whose command line runs from this PostgreSQL cluster's binaries (the postmaster's children). */
export function postgresPids(postmasterPid) {
  const pids = [];
  if (!postmasterPid) return pids;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    const stat = readProc(pid, "stat");
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number(pid) === postmasterPid || ppid === postmasterPid) pids.push(Number(pid));
  }
  return pids;
}

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/**
 * The e2e tests' platform: the launcher bundle (`npm start` runs the same) started in a child
 * process with only the environment a test gives it, then talked to through the gateway. Needs
 * `npm run build` first; `npm test` does it.
 */
export const ROOT = join(import.meta.dirname, "..", "..", "..");
export const LAUNCHER = join(ROOT, "packages/cli/dist/main.js");
export const READY_TIMEOUT_MS = 120_000;

/**
 * TEST_GATEWAY_URL: the gateway of a platform already running in demo mode (deploy/test-image.sh
 * starts one from the container image) for a test to use instead of booting its own; the shop test
 * honours it. Its rate limits must be raised as the test's own platform's are.
 */
export const EXTERNAL_GATEWAY = process.env.TEST_GATEWAY_URL?.replace(/\/+$/, "") || undefined;

export interface Platform {
  process: ChildProcess;
  output: () => string;
  base: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export function start(env: Record<string, string>, args: string[] = []): Platform {
  const child = spawn(process.execPath, [LAUNCHER, "up", ...args], {
    cwd: ROOT,
    env: { ...withoutComptoirVariables(process.env), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return { process: child, output: () => output, base: `http://127.0.0.1:${env.PORT}` };
}

/** The launcher must see only what the test gives it (no DATABASE_URL leaking from the shell). */
export function withoutComptoirVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k === "PORT" || k.endsWith("DATABASE_URL") || k.startsWith("COMPTOIR_")) continue;
    if (k.startsWith("UPSTREAM_") || k === "NODE_OPTIONS" || k.startsWith("VITEST") || k === "TEST") continue;
    if (k === "EVENT_LOG_URL" || k.startsWith("NATS_")) continue;
    kept[k] = v;
  }
  return kept;
}

/** Until the gateway's /health/status says every service is up (a platform booted here, or an external one). */
export async function waitUntilReady(platform: Platform | { base: string }): Promise<{ seconds: number; body: any }> {
  const started = Date.now();
  let last = "";
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if ("process" in platform && platform.process.exitCode !== null) {
      throw new Error(`the launcher exited with ${platform.process.exitCode}:\n${platform.output()}`);
    }
    try {
      const res = await fetch(`${platform.base}/health/status`);
      const body = await res.json();
      if (res.status === 200) return { seconds: (Date.now() - started) / 1000, body };
      last = JSON.stringify(body);
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const output = "output" in platform ? platform.output() : "";
  throw new Error(`not ready after ${READY_TIMEOUT_MS} ms; last answer: ${last}\n${output}`);
}

export async function stop(platform: Platform, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (platform.process.exitCode !== null) return platform.process.exitCode;
  const exited = new Promise<number | null>((r) => platform.process.once("exit", (code) => r(code)));
  platform.process.kill(signal);
  return exited;
}

/** Processes (other than this one) that carry this data folder in their environment or arguments. */
export function processesOf(dataDir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (environ.includes(`COMPTOIR_DATA=${dataDir}\0`) || cmdline.includes(dataDir)) found.push(`${pid} ${cmdline}`);
    } catch {
      // the process ended while we looked, or is not ours to read
    }
  }
  return found;
}

/** The pid of one service instance of the platform using this data folder. */
export function pidOf(dataDir: string, instance: string): number | undefined {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (environ.includes(`COMPTOIR_DATA=${dataDir}\0`) && environ.includes(`INSTANCE_ID=${instance}\0`))
        return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

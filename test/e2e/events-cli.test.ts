import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unwrap } from "@comptoir/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectStatus, gatewayClient } from "./support/api";

/**
 * `comptoir events ...` against the whole platform booted by the launcher (as `npm start` does):
 * the commands find it through <data folder>/runtime.json alone. Needs `npm run build` first.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "packages/cli/dist/main.js");
const READY_TIMEOUT_MS = 120_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Only what the test gives: no DATABASE_URL, NATS_URL or EVENT_LOG_URL leaking from the shell. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "PORT" || k.endsWith("DATABASE_URL") || k.startsWith("COMPTOIR_")) continue;
    if (k.startsWith("UPSTREAM_") || k.startsWith("NATS_") || k === "EVENT_LOG_URL") continue;
    if (k === "NODE_OPTIONS" || k.startsWith("VITEST") || k === "TEST") continue;
    kept[k] = v;
  }
  return { ...kept, NO_COLOR: "1", ...extra };
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function comptoir(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("comptoir events, against the running platform", { timeout: 180_000 }, () => {
  let dataDir: string;
  let port: number;
  let platform: Running | undefined;
  const env = () => ({ COMPTOIR_DATA: dataDir });

  async function events(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const run = comptoir(["events", ...args], env());
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  beforeAll(async () => {
    expect(existsSync(CLI), "run `npm run build` first (npm test does)").toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-events-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
    port = await freePort();
    platform = comptoir(["up"], { PORT: String(port), COMPTOIR_DATA: dataDir });
    await until(
      () => platform!.child.exitCode === null && platform!.stdout().includes("Ctrl-C to stop"),
      READY_TIMEOUT_MS,
      () => `the platform did not start:\n${platform!.stdout()}\n${platform!.stderr()}`,
    );
  }, READY_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (platform && platform.child.exitCode === null) {
      platform.child.kill("SIGKILL");
      await platform.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("the launcher says where events go and writes runtime.json", () => {
    expect(platform!.stdout()).toMatch(/Events +PostgreSQL event log comptoir_events/);
    const runtime = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8"));
    expect(runtime).toMatchObject({ pid: platform!.child.pid, gatewayUrl: `http://127.0.0.1:${port}` });
    expect(new URL(runtime.eventLogUrl).pathname).toBe("/comptoir_events");
  });

  it("status lists the catalog and search services with their consumer groups", async () => {
    const { code, stdout, stderr } = await events(["status"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // Through the embedded server's Unix socket: `?host=<its cluster folder>`.
    expect(stdout).toMatch(
      /^transport +PostgreSQL event log postgres:\/\/\S+\/comptoir_events\?host=\/\S+\/postgres$/m,
    );
    expect(stdout).toMatch(/^catalog +\d+ +\S+ +\d+ +/m);
    expect(stdout).toMatch(/^search +\d+ +\S+ +\d+ +.*\bsearch\b/m);
    // search's group reads catalog's stream.
    expect(stdout).toMatch(/^search +search +catalog +\d+ +\d+ +catalog\./m);
    expect(stdout).toMatch(/services? with events/);
  });

  it("tail prints a category created through the gateway, and stops on Ctrl-C", async () => {
    const tail = comptoir(["events", "tail", "--type", "catalog.category"], env());
    await until(
      () => tail.stderr().includes("Ctrl-C to stop"),
      20_000,
      () => tail.stderr(),
    );
    let id = "";
    const api = gatewayClient(`http://127.0.0.1:${port}`);
    const body = { email: "admin@demo.comptoir.dev", password: "comptoir-demo" };
    const { token } = unwrap(await api.identity.POST("/api/identity/login", { body }));
    // The tail starts at "now": create categories until one shows up.
    await until(
      async () => {
        const res = await api.withToken(token).catalog.POST("/api/catalog/categories", {
          body: { name: `Tail ${Date.now()}` },
        });
        expectStatus(res, 201, "category");
        if (!id) id = res.data!.id;
        return tail.stdout().includes(id);
      },
      20_000,
      () => `${tail.stdout()}\n${tail.stderr()}`,
    );
    const line = tail
      .stdout()
      .split("\n")
      .find((l) => l.includes(id))!;
    expect(line.split(/ {2,}/).slice(1, 3)).toEqual(["catalog.category.created", id]);
    expect(line.trimEnd().endsWith("catalog")).toBe(true);
    tail.child.kill("SIGINT");
    expect(await tail.exited).toBe(0);
  });

  it("dlq list and replay --from-start work through the gateway", async () => {
    const list = await events(["dlq", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout.trim()).toBe("no dead letters");
    const replay = await events(["replay", "--group", "search", "--from-start"]);
    expect(replay.stderr).toBe("");
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^search: consumer group search rewound to the first event of catalog/);
  });

  it("needs an admin: a bad COMPTOIR_TOKEN is refused with a message that says what to do", async () => {
    const run = comptoir(["events", "status", "--service", "search"], { ...env(), COMPTOIR_TOKEN: "not-a-token" });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/not authenticated — these commands need an admin's access token in COMPTOIR_TOKEN/);
  });

  it("once the platform stops, tail says there is none", async () => {
    platform!.child.kill("SIGTERM");
    expect(await platform!.exited).toBe(0);
    expect(existsSync(join(dataDir, "runtime.json"))).toBe(false);
    const { code, stderr } = await events(["tail"]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `comptoir: no running platform found in ${dataDir}; start it with npm start, or set NATS_URL or EVENT_LOG_URL\n`,
    );
  });
});

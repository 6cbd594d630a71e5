// Finding 9: in production the test provider (no card charged, any valid number accepted) runs only
// when PAYMENTS_PROVIDER=test is set on purpose. The config rule, then the real process: dist/main.js
// (built by `npm test`), as an operator starts it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "@comptoir/platform";
import { createTestDatabase, http, type TestDatabase } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema, paymentsProviderOf } from "../src/config";

const REFUSAL =
  "PAYMENTS_PROVIDER must be set in production: the only provider is the built-in test one, which charges no " +
  "card and accepts any valid card number; set PAYMENTS_PROVIDER=test to run it on purpose";

/** The provider the service would run with this environment (and a database URL). */
const providerFor = (env: Record<string, string>) =>
  paymentsProviderOf(loadConfig(configSchema, { DATABASE_URL: "postgres://localhost/payments", ...env }));

describe("choosing the provider", () => {
  it("outside production the test provider is the default: npm start needs no configuration", () => {
    expect(providerFor({})).toBe("test");
    expect(providerFor({ NODE_ENV: "development" })).toBe("test");
    expect(providerFor({ NODE_ENV: "test" })).toBe("test");
  });

  it("in production without PAYMENTS_PROVIDER (or with it empty): refused, one line naming the variable", () => {
    const envs: Record<string, string>[] = [
      { NODE_ENV: "production" },
      { NODE_ENV: "production", PAYMENTS_PROVIDER: "" },
    ];
    for (const env of envs) {
      let refusal: unknown;
      try {
        providerFor(env);
      } catch (error) {
        refusal = error;
      }
      expect(refusal, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((refusal as Error).message).toBe(REFUSAL);
    }
  });

  it("in production with PAYMENTS_PROVIDER=test: the test provider, on purpose", () => {
    expect(providerFor({ NODE_ENV: "production", PAYMENTS_PROVIDER: "test" })).toBe("test");
  });

  it("an unknown provider is refused by the schema, anywhere", () => {
    expect(() => providerFor({ PAYMENTS_PROVIDER: "stripe" })).toThrow(/^PAYMENTS_PROVIDER must be .*got "stripe"$/);
  });
});

const bundle = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
let database: TestDatabase;
let eventLog: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [database, eventLog] = await Promise.all([
    createTestDatabase("payments_production"),
    createTestDatabase("payments_production_log"),
  ]);
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map(exited));
  await database?.drop();
  await eventLog?.drop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface PaymentsProcess {
  child: ChildProcess;
  port: number;
  output(): { stdout: string; stderr: string };
}

/** payments in production (NODE_ENV=production) on its own database, with `env` added. */
async function startProcess(env: Record<string, string>): Promise<PaymentsProcess> {
  expect(existsSync(bundle), "run `node scripts/build.mjs` first (npm test does)").toBe(true);
  const port = await freePort();
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: database.url,
      EVENT_LOG_URL: eventLog.url,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return { child, port, output: () => ({ stdout, stderr }) };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.once("exit", () => resolve()),
  );
}

/** /health/ready answers 200, or the process ended or 20 s went by (false). */
async function ready(p: PaymentsProcess): Promise<boolean> {
  const until = Date.now() + 20_000;
  while (Date.now() < until && p.child.exitCode === null) {
    const res = await fetch(`http://127.0.0.1:${p.port}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe("payments started with NODE_ENV=production", () => {
  it("without PAYMENTS_PROVIDER: refuses to start, exit code 1, one line naming the variable", async () => {
    const refused = await startProcess({});
    expect(await ready(refused)).toBe(false);
    await exited(refused.child);
    expect(refused.child.exitCode, JSON.stringify(refused.output())).toBe(1);
    expect(refused.output().stderr).toBe(`payments: invalid configuration: ${REFUSAL}\n`);
  }, 30_000);

  it("with PAYMENTS_PROVIDER=test: starts, warns at start, and /openapi.json says it is the test provider", async () => {
    const started = await startProcess({ PAYMENTS_PROVIDER: "test" });
    expect(await ready(started), JSON.stringify(started.output())).toBe(true);
    const openapi = await http(`http://127.0.0.1:${started.port}`).get("/openapi.json");
    expect(openapi.body.info.description).toContain(
      "Provider: test, the built-in test provider: no card is charged and any valid card number is authorized.",
    );
    // Logged before the app listens; its line may still be on its way (the logger writes asynchronously).
    const warnings = () =>
      started
        .output()
        .stdout.split("\n")
        .slice(0, -1) // complete lines only
        .map((line) => JSON.parse(line))
        .filter((line) => line.levelName === "warn");
    const until = Date.now() + 5_000;
    while (warnings().length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings()).toEqual([
      expect.objectContaining({
        provider: "test",
        msg: "PAYMENTS_PROVIDER=test in production: the built-in TEST provider charges no card and accepts any valid card number as paid",
      }),
    ]);
    expect(started.output().stderr).toBe("");
    started.child.kill("SIGTERM");
    await exited(started.child);
  }, 30_000);
});

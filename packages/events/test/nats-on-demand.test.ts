import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@comptoir/testing";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The fixture runs as a real Node process: our workspace packages bundled from their sources, every
// npm package left external so Node loads it from node_modules as a service would.
const root = fileURLToPath(new URL("../../../", import.meta.url));
let dir: string;
let script: string;
let eventLog: TestDatabase;

beforeAll(async () => {
  await mkdir(`${root}node_modules/.cache`, { recursive: true });
  // Inside node_modules/, so that the script's bare imports resolve to the repository's packages.
  dir = await mkdtemp(`${root}node_modules/.cache/comptoir-nats-check-`);
  script = `${dir}/transport-process.mjs`;
  await build({
    entryPoints: [fileURLToPath(new URL("./fixtures/transport-process.ts", import.meta.url))],
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // A dynamic import stays one (its own chunk), as in the sources; without splitting, esbuild would
    // hoist the lazy module's external imports to the top of the script.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    logLevel: "error",
    plugins: [
      {
        name: "npm-packages-external",
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@comptoir/") ? undefined : { external: true },
          );
        },
      },
    ],
  });
  eventLog = await createTestDatabase("nats_check_log");
});

afterAll(async () => {
  await eventLog?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(env: Record<string, string>): Promise<{ opened: string; loaded: string[] }> {
  const { NATS_URL: _nats, EVENT_LOG_URL: _log, ...inherited } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...inherited, ...env } });
  return JSON.parse(stdout);
}

describe("the NATS client", () => {
  it("is never loaded by a service on the PostgreSQL event log", async () => {
    const result = await run({ EVENT_LOG_URL: eventLog.url });
    expect(result.opened).toBe("postgres");
    expect(result.loaded).toEqual([]);
  });

  it("is loaded once NATS_URL names a server (the check above would see it)", async () => {
    const result = await run({ NATS_URL: "nats://127.0.0.1:1" });
    expect(result.opened).toMatch(/^failed: cannot reach NATS/);
    expect(result.loaded.some((path) => path.includes("/@nats-io/transport-node/"))).toBe(true);
  });
});

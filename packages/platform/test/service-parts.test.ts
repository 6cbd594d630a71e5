import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleProcessScript, createTestDatabase, type TestDatabase } from "@comptoir/testing";

let script: string;
let database: TestDatabase;

beforeAll(async () => {
  script = await bundleProcessScript(new URL("./fixtures/parts-service.ts", import.meta.url).pathname);
  database = await createTestDatabase("service_parts");
});
afterAll(async () => {
  await database?.drop();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Starts the fixture service; `said()` is what its parts said so far (its JSON log lines left out). */
async function start(env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, PORT: String(await freePort()), DATABASE_URL: database.url, LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const said = () =>
    stdout
      .split("\n")
      .filter((line) => line && !line.startsWith("{"))
      .map((line) => line.trim());
  return { child, exited, said, stderr: () => stderr };
}

describe("runService with parts", () => {
  it("migrates, opens, starts them in order, hands the events part to buildApp as bus, and stops them in reverse", async () => {
    const service = await start();
    await expect.poll(service.said, { timeout: 20_000 }).toContain("listening");
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    expect(service.said()).toEqual([
      "bus: migrate",
      "tables: migrate",
      "bus: open",
      "tables: open",
      "buildApp gets: bus's value",
      "bus: start",
      "tables: start",
      "listening",
      "tables: stop",
      "bus: stop",
    ]);
  });

  it("a part that cannot open stops the start: one line naming it, exit code 1, the parts opened before stopped", async () => {
    const service = await start({ PARTS_FAIL: "tables" });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toBe("parts: tables: cannot open\n");
    expect(service.said()).toEqual(["bus: migrate", "tables: migrate", "bus: open", "bus: stop"]);
  });
});

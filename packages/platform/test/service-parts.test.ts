import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("DATABASE_MIGRATIONS: only applies the migrations and exits 0; check applies none, refuses to start while one is missing, then starts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parts-migrations-"));
    await writeFile(join(dir, "001_things.sql"), "CREATE TABLE parts_things (id int PRIMARY KEY);");
    const env = { PARTS_MIGRATIONS: dir };
    const applied = async () =>
      (await database.db.query("SELECT to_regclass('parts_things') IS NOT NULL AS found")).rows[0].found as boolean;
    try {
      const refused = await start({ ...env, DATABASE_MIGRATIONS: "check" });
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toMatch(
        /^parts: 1 migration\(s\) not applied \(schema_migrations: 001_things\); DATABASE_MIGRATIONS=check/,
      );
      expect(await applied()).toBe(false);

      const job = await start({ ...env, DATABASE_MIGRATIONS: "only" });
      expect(await job.exited).toBe(0);
      expect(job.said()).toEqual(["bus: migrate", "tables: migrate"]);
      expect(await applied()).toBe(true);

      const instance = await start({ ...env, DATABASE_MIGRATIONS: "check" });
      await expect.poll(instance.said, { timeout: 20_000 }).toContain("listening");
      instance.child.kill("SIGTERM");
      expect(await instance.exited).toBe(0);
      expect(instance.said().slice(0, 3)).toEqual(["bus: check", "tables: check", "bus: open"]);
    } finally {
      await database.db.query("DROP TABLE IF EXISTS parts_things; DROP TABLE IF EXISTS schema_migrations");
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a part that cannot open stops the start: one line naming it, exit code 1, the parts opened before stopped", async () => {
    const service = await start({ PARTS_FAIL: "tables" });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toBe("parts: tables: cannot open\n");
    expect(service.said()).toEqual(["bus: migrate", "tables: migrate", "bus: open", "bus: stop"]);
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, pingDatabase, requirePermission } from "@comptoir/platform";
import {
  closeEach,
  migrationsDirOfPackage,
  type ServiceParts,
  startService,
  type StartedService,
  testServerUrl,
} from "../src";
import pg from "pg";

/** A service of one table and one guarded route, as any service's buildApp would wire it. */
async function buildProbe(parts: ServiceParts) {
  const app = await createApp({
    service: "probe",
    instance: parts.instance,
    logger: parts.logger,
    auth: parts.auth,
    readiness: { database: () => pingDatabase(parts.db) },
  });
  app.post("/api/probe/notes", { onRequest: requirePermission("catalog:write") }, async (request, reply) => {
    const { rows } = await parts.db.query("INSERT INTO notes (body, written_by) VALUES ($1, $2) RETURNING id", [
      (request.body as { body: string }).body,
      parts.instance,
    ]);
    return reply.code(201).send({ id: rows[0].id, instance: parts.instance });
  });
  return app;
}

let migrations: string;
let probe: StartedService;
beforeAll(async () => {
  migrations = await mkdtemp(join(tmpdir(), "comptoir-probe-migrations-"));
  await writeFile(
    join(migrations, "001_notes.sql"),
    "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, written_by text NOT NULL);",
  );
  probe = await startService({ service: "probe", name: "start_service", migrationsDir: migrations, build: buildProbe });
});
afterAll(async () => {
  await probe?.close();
  await rm(migrations, { recursive: true, force: true });
});

describe("startService", () => {
  it("starts a service from its buildApp on a migrated database of its own, listening on an ephemeral port", async () => {
    expect(probe.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await probe.anonymous.get("/health/ready")).status).toBe(200);
    const res = await probe.admin.post("/api/probe/notes", { body: "hello" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.instance).toBe("probe-test");
    const { rows } = await probe.db.query("SELECT body FROM notes");
    expect(rows).toEqual([{ body: "hello" }]);
    expect((await probe.inject({ method: "GET", url: "/health/live" })).statusCode).toBe(200);
  });

  it("answers callers with tokens of its test issuer, and refuses the others", async () => {
    expect((await probe.anonymous.post("/api/probe/notes", { body: "x" })).status).toBe(401);
    const customer = await probe.as({ role: "customer" });
    expect((await customer.post("/api/probe/notes", { body: "x" })).status).toBe(403);
    expect(await probe.serviceTokens("orders").token()).toMatch(/^ey/);
  });

  it("starts other instances on the same database, and restarts with a new first instance and bus", async () => {
    const second = await probe.instance("probe-second");
    const res = await (await second.as({ role: "admin" })).post("/api/probe/notes", { body: "from the second" });
    expect(res.body.instance).toBe("probe-second");
    const before = probe.base;
    let between = 0;
    await probe.restart(async () => void between++);
    expect(between).toBe(1);
    expect(probe.base).not.toBe(before);
    expect((await fetch(`${second.base}/health/live`).catch(() => undefined))?.status).toBeUndefined();
    const again = await probe.admin.post("/api/probe/notes", { body: "after the restart" });
    expect(again.body.instance).toBe("probe-test-2");
    expect((await probe.db.query("SELECT count(*)::int AS n FROM notes")).rows[0].n).toBe(3);
  });

  it("closes what the test gave it, then drops its databases", async () => {
    const other = await startService({
      service: "probe",
      name: "closing",
      migrationsDir: migrations,
      build: buildProbe,
    });
    const closed: string[] = [];
    other.onClose("a resource", async () => void closed.push("resource"));
    const name = new URL(other.testbed.database.url).pathname.slice(1);
    await other.close();
    expect(closed).toEqual(["resource"]);
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      expect((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it("finds another workspace's migrations from its package name", () => {
    expect(migrationsDirOfPackage("@comptoir/contracts")).toMatch(/packages\/contracts\/src\/db\/migrations$/);
  });
});

describe("closeEach", () => {
  it("gives each part its time, names one that hangs, and goes on", async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    const closed: string[] = [];
    try {
      await closeEach(
        "world",
        [
          ["stuck", () => new Promise(() => {})],
          ["failing", async () => Promise.reject(new Error("boom"))],
          ["fine", async () => void closed.push("fine")],
        ],
        50,
      );
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual(["world: stuck did not close within 0.05 s"]);
    expect(closed).toEqual(["fine"]);
  });
});

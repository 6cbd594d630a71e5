import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../src/launcher/ports";
import { isProcessAlive, processStartTime } from "../src/system/processes";
import { assertCliBuilt, FAKE_SERVICE, LauncherProcess, processesMentioning } from "./helpers/launcher-process";

/**
 * The launcher as a real process, running fake services (test/fixtures/fake-service.mjs) on the
 * embedded PostgreSQL: what `npm start` does, without depending on the real services.
 */
describe("comptoir up", () => {
  let cwd: string;
  let port: number;
  const launchers: LauncherProcess[] = [];

  function up(env: Record<string, string> = {}, args: string[] = []): LauncherProcess {
    const launcher = new LauncherProcess(["up", ...args], {
      cwd,
      env: { PORT: String(port), COMPTOIR_SERVICE_ENTRY: FAKE_SERVICE, COMPTOIR_PG_PORT: undefined, ...env },
    });
    launchers.push(launcher);
    return launcher;
  }

  const dataDir = () => join(cwd, ".data");
  const leftovers = () => [...processesMentioning(FAKE_SERVICE), ...processesMentioning(dataDir())];

  beforeAll(async () => {
    assertCliBuilt();
    cwd = await mkdtemp(join(tmpdir(), "comptoir-up-"));
    await chmod(cwd, 0o755); // as root, PostgreSQL runs as the postgres user
    [port] = (await freePorts(1, "0.0.0.0")) as [number];
  });

  afterEach(async () => {
    // A failed test must not leave its launcher holding the port and the data folder for the next.
    for (const launcher of launchers) {
      if (launcher.child.exitCode === null && launcher.child.signalCode === null) {
        launcher.child.kill("SIGKILL");
        await launcher.exited;
      }
    }
  });

  afterAll(async () => {
    for (const launcher of launchers) launcher.child.kill("SIGKILL");
    for (const line of processesMentioning(dataDir())) process.kill(Number(line.trim().split(" ")[0]), "SIGKILL");
    await rm(cwd, { recursive: true, force: true });
  });

  it("refuses an invalid PORT with one line and exit code 2, touching nothing", async () => {
    const launcher = up({ PORT: "abc" });
    expect(await launcher.exited).toBe(2);
    expect(launcher.stderr).toBe('comptoir: PORT must be a port number (1-65535), got "abc"\n');
    expect(await readdir(cwd)).toEqual([]);
  });

  it("starts PostgreSQL and every service, then stops them all on SIGTERM", async () => {
    const launcher = up({ FAKE_WARN: "cart-1", FAKE_CRASH: "search-1" }, ["--instances", "catalog=2"]);
    await launcher.waitFor(/Ctrl-C to stop/);
    expect(launcher.stdout).toContain("initialising the PostgreSQL data folder");
    expect(launcher.stdout).toMatch(/✓ catalog ready \(2 instances, [\d.]+ s\)/);
    expect(launcher.stdout).toMatch(/✓ gateway ready \(1 instance, [\d.]+ s\)/);
    expect(launcher.stdout).toContain(`http://localhost:${port}/docs`);
    await launcher.waitFor(/cart-1 +WARN something looks odd — odd detail/);

    const gatewayEnv = (await (await fetch(`http://127.0.0.1:${port}/env`)).json()) as Record<string, string>;
    expect(gatewayEnv).toMatchObject({ HOST: "0.0.0.0", INSTANCE_ID: "gateway-1" });
    expect(gatewayEnv.DATABASE_URL).toBeUndefined();
    const catalogUrls = (gatewayEnv.UPSTREAM_CATALOG ?? "").split(",");
    expect(catalogUrls).toHaveLength(2);
    const health = (await (await fetch(`${catalogUrls[1]}/health/ready`)).json()) as Record<string, string>;
    expect(health).toEqual({ status: "ok", instance: "catalog-2", database: "comptoir_catalog" });

    // The event log: its own database on the same server, named to every backend, and in runtime.json.
    expect(launcher.stdout).toMatch(/✓ 12 databases ready/);
    expect(launcher.stdout).toMatch(/Events +PostgreSQL event log comptoir_events\n/);
    const catalogEnv = (await (await fetch(`${catalogUrls[0]}/env`)).json()) as Record<string, string>;
    expect(catalogEnv.NATS_URL).toBeUndefined();
    const eventLogUrl = new URL(catalogEnv.EVENT_LOG_URL ?? "");
    expect(eventLogUrl.pathname).toBe("/comptoir_events");
    expect(eventLogUrl.host).toBe(new URL(catalogEnv.DATABASE_URL ?? "").host);
    expect(gatewayEnv.EVENT_LOG_URL).toBeUndefined();
    const client = new pg.Client({ connectionString: eventLogUrl.toString() });
    await client.connect();
    expect((await client.query("SELECT current_database() AS name")).rows[0].name).toBe("comptoir_events");
    await client.end();
    const runtimeFile = join(dataDir(), "runtime.json");
    expect(statSync(runtimeFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(runtimeFile, "utf8"))).toEqual({
      pid: launcher.child.pid,
      gatewayUrl: `http://127.0.0.1:${port}`,
      eventLogUrl: eventLogUrl.toString(),
      demo: true,
    });

    // Demo mode by default; every backend verifies tokens against identity's keys; identity writes
    // the demo API keys where the banner reads them.
    expect(catalogEnv.COMPTOIR_DEMO).toBe("true");
    expect(catalogEnv.JWKS_URL).toBe(`${gatewayEnv.UPSTREAM_IDENTITY}/api/identity/.well-known/jwks.json`);
    const identityEnv = (await (await fetch(`${gatewayEnv.UPSTREAM_IDENTITY}/env`)).json()) as Record<string, string>;
    expect(identityEnv.DEMO_API_KEYS_FILE).toBe(join(dataDir(), "demo-api-keys.json"));
    expect(catalogEnv.DEMO_API_KEYS_FILE).toBeUndefined();
    expect(launcher.stdout).toMatch(/Demo +admin@demo\.comptoir\.dev, manager@demo\.comptoir\.dev/);

    // A crashed instance comes back on its own.
    await launcher.waitFor(/! search-1 exited \(exit code 3\) — restarting in 0\.5 s/);
    await launcher.waitFor(/✓ search-1 ready again/);

    launcher.child.kill("SIGTERM");
    expect(await launcher.exited).toBe(0);
    expect(launcher.stdout).toMatch(/✓ services stopped[\s\S]*✓ PostgreSQL stopped/);
    expect(leftovers()).toEqual([]);
    expect(await readdir(dataDir())).not.toContain("comptoir.pid");
    expect(await readdir(dataDir())).not.toContain("runtime.json");
    expect(await readdir(join(dataDir(), "logs"))).toEqual(expect.arrayContaining(["catalog-2.log", "postgres.log"]));
  });

  it("with NATS_URL, passes it to the services and creates no event log", async () => {
    const launcher = up({
      NATS_URL: "nats://svc:hunter2@127.0.0.1:4222",
      NATS_PREFIX: "shop",
      EVENT_LOG_URL: "postgres://unused@127.0.0.1:1/log",
    });
    await launcher.waitFor(/Ctrl-C to stop/);
    expect(launcher.stdout).toMatch(/✓ 11 databases ready/);
    expect(launcher.stdout).toMatch(/Events +NATS JetStream nats:\/\/svc:\*\*\*@127\.0\.0\.1:4222\n/);
    expect(launcher.stdout).not.toContain("hunter2");
    const gatewayEnv = (await (await fetch(`http://127.0.0.1:${port}/env`)).json()) as Record<string, string>;
    const searchEnv = (await (await fetch(`${gatewayEnv.UPSTREAM_SEARCH}/env`)).json()) as Record<string, string>;
    expect(searchEnv.NATS_URL).toBe("nats://svc:hunter2@127.0.0.1:4222");
    expect(searchEnv.EVENT_LOG_URL).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dataDir(), "runtime.json"), "utf8"))).toEqual({
      pid: launcher.child.pid,
      gatewayUrl: `http://127.0.0.1:${port}`,
      natsUrl: "nats://svc:hunter2@127.0.0.1:4222",
      natsPrefix: "shop",
      demo: true,
    });
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(0);
    expect(existsSync(join(dataDir(), "runtime.json"))).toBe(false);
  });

  it("refuses to start twice on the same data folder or the same port", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const launcher = up();
      expect(await launcher.exited).toBe(1);
      expect(launcher.stderr).toBe(
        `comptoir: port ${port} is already in use — is Comptoir already running? set PORT to use another\n`,
      );
    } finally {
      holder.close();
    }

    // A live process holds the lock: this test's own process.
    writeFileSync(join(dataDir(), "comptoir.pid"), `${process.pid}\n${processStartTime(process.pid) ?? ""}\n`);
    try {
      const launcher = up();
      expect(await launcher.exited).toBe(1);
      expect(launcher.stderr).toBe(
        `comptoir: another comptoir is running with data folder ${dataDir()} (pid ${process.pid})\n`,
      );
    } finally {
      await rm(join(dataDir(), "comptoir.pid"));
    }
  });

  it("a second signal forces the stop when a service does not drain", async () => {
    const launcher = up({ FAKE_HANG: "orders-1" });
    await launcher.waitFor(/Ctrl-C to stop/);
    launcher.child.kill("SIGINT");
    await launcher.waitFor(/orders-1 +WARN ignoring SIGTERM/);
    // A repeat within half a second is taken for the same Ctrl-C (npm forwards it too).
    await new Promise((resolve) => setTimeout(resolve, 600));
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(130);
    expect(launcher.stdout).toContain("forced stop");
    expect(existsSync(join(dataDir(), "runtime.json"))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it("after a launcher is killed with SIGKILL, its services go away and the next start reuses the data", async () => {
    const killed = up();
    await killed.waitFor(/Ctrl-C to stop/);
    const postgresPid = Number(readFileSync(join(dataDir(), "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    killed.child.kill("SIGKILL");
    await killed.exited;

    const deadline = Date.now() + 5_000;
    while (processesMentioning(FAKE_SERVICE).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(FAKE_SERVICE)).toEqual([]);

    const next = up();
    await next.waitFor(/Ctrl-C to stop/);
    expect(next.stdout).toContain(`stopping a PostgreSQL left running by a previous launcher (pid ${postgresPid})`);
    expect(isProcessAlive(postgresPid)).toBe(false);
    expect(next.stdout).not.toContain("initialising");
    next.child.kill("SIGINT");
    expect(await next.exited).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});

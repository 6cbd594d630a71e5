import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKEND_SERVICES, SERVICE_ACCOUNT_NAMES, type ServiceAccountName } from "@comptoir/contracts";
import { deriveServiceCredential } from "@comptoir/platform/service-credentials";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
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
  const secretsFile = () => join(dataDir(), "secrets.json");
  const readSecrets = () => JSON.parse(readFileSync(secretsFile(), "utf8")) as Record<string, string>;
  const envOf = async (url: string) => (await (await fetch(`${url}/env`)).json()) as Record<string, string>;

  /**
   * The environment of the gateway and of each backend's first instance: only identity sees
   * INTERNAL_SECRET and KEYS_SECRET; each service with an account, and the gateway, sees its own
   * credential, no other.
   */
  async function expectSecretsOnlyWhereTheyBelong(
    internalSecret: string,
    keysSecret: string,
    /** Services not to ask (one crashing on purpose). */
    skip: string[] = [],
  ): Promise<void> {
    const gatewayEnv = await envOf(`http://127.0.0.1:${port}`);
    const envs: Record<string, Record<string, string>> = { gateway: gatewayEnv };
    for (const service of BACKEND_SERVICES.filter((name) => !skip.includes(name))) {
      envs[service] = await envOf((gatewayEnv[`UPSTREAM_${service.toUpperCase()}`] ?? "").split(",")[0] as string);
    }
    for (const [service, env] of Object.entries(envs)) {
      const secrets = { INTERNAL_SECRET: env.INTERNAL_SECRET, KEYS_SECRET: env.KEYS_SECRET };
      const credential = env.SERVICE_CREDENTIAL;
      if (service === "identity") {
        expect(secrets, service).toEqual({ INTERNAL_SECRET: internalSecret, KEYS_SECRET: keysSecret });
        expect(credential, service).toBeUndefined();
      } else if ((SERVICE_ACCOUNT_NAMES as string[]).includes(service)) {
        expect(secrets, service).toEqual({ INTERNAL_SECRET: undefined, KEYS_SECRET: undefined });
        expect(credential, service).toBe(deriveServiceCredential(internalSecret, service as ServiceAccountName));
      } else if (service === "gateway") {
        // The gateway signs what it tells identity (the client's address) with a credential of its own.
        expect(secrets, service).toEqual({ INTERNAL_SECRET: undefined, KEYS_SECRET: undefined });
        expect(credential, service).toBe(deriveServiceCredential(internalSecret, "gateway"));
      } else {
        expect({ ...secrets, SERVICE_CREDENTIAL: credential }, service).toEqual({
          INTERNAL_SECRET: undefined,
          KEYS_SECRET: undefined,
          SERVICE_CREDENTIAL: undefined,
        });
      }
    }
    expect(envs.cart?.SERVICE_CREDENTIAL).not.toBe(envs.orders?.SERVICE_CREDENTIAL);
    expect(envs.gateway?.SERVICE_CREDENTIAL).not.toBe(envs.cart?.SERVICE_CREDENTIAL);
  }

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

    // Demo mode (the default): the gateway listens on loopback only, and the banner says why.
    const gatewayEnv = (await (await fetch(`http://127.0.0.1:${port}/env`)).json()) as Record<string, string>;
    expect(gatewayEnv).toMatchObject({ HOST: "127.0.0.1", INSTANCE_ID: "gateway-1" });
    expect(launcher.stdout).toContain(
      `Listening   127.0.0.1:${port}, this machine only: the demo password is public (HOST=0.0.0.0 opens it to the network)`,
    );
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
    // Connections: each instance's pool sized to fit the server, announced with the sum.
    expect(catalogEnv.DATABASE_POOL_SIZE).toBe("10");
    expect(catalogEnv.EVENT_LOG_POOL_SIZE).toBe("2");
    expect(launcher.stdout).toMatch(/database connections: pools of 10 per instance \(sized to fit\)/);
    expect(launcher.stdout).toMatch(
      /at most 180 of \d+ usable .* = 12 instances × \(pool 10 \+ session 1 \+ admin 1\) \+ event log: 12 instances × 3/,
    );
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
      services: expect.objectContaining({ catalog: gatewayEnv.UPSTREAM_CATALOG?.split(",") }),
    });

    // Demo mode by default; every backend verifies tokens against identity's keys; identity writes
    // the demo API keys where the banner reads them.
    expect(catalogEnv.COMPTOIR_DEMO).toBe("true");
    expect(catalogEnv.JWKS_URL).toBe(`${gatewayEnv.UPSTREAM_IDENTITY}/api/identity/.well-known/jwks.json`);
    const identityEnv = (await (await fetch(`${gatewayEnv.UPSTREAM_IDENTITY}/env`)).json()) as Record<string, string>;
    expect(identityEnv.DEMO_API_KEYS_FILE).toBe(join(dataDir(), "demo-api-keys.json"));
    expect(catalogEnv.DEMO_API_KEYS_FILE).toBeUndefined();
    expect(launcher.stdout).toMatch(/Demo +admin@demo\.comptoir\.dev, manager@demo\.comptoir\.dev/);

    // The data folder's own secrets, generated on this first start (0600); identity alone has them.
    expect(launcher.stdout).toContain(
      `generated this data folder's INTERNAL_SECRET and KEYS_SECRET in ${secretsFile()}`,
    );
    expect(statSync(secretsFile()).mode & 0o777).toBe(0o600);
    const secrets = readSecrets();
    expect(secrets).toEqual({
      internalSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      keysSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(secrets.internalSecret).not.toBe(secrets.keysSecret);
    await expectSecretsOnlyWhereTheyBelong(secrets.internalSecret!, secrets.keysSecret!, ["search"]);

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
    const secretsBefore = readFileSync(secretsFile(), "utf8");
    const launcher = up({
      NATS_URL: "nats://svc:hunter2@127.0.0.1:4222",
      NATS_PREFIX: "shop",
      EVENT_LOG_URL: "postgres://unused@127.0.0.1:1/log",
      // A distributed setup's own secrets win over the data folder's, and reach identity only.
      INTERNAL_SECRET: "the-operator's-internal-secret-of-32+-chars",
      KEYS_SECRET: "the-operator's-keys-secret-of-32+-characters",
      SERVICE_CREDENTIAL: "a-credential-in-the-launcher's-environment",
      HOST: "0.0.0.0",
    });
    await launcher.waitFor(/Ctrl-C to stop/);
    await expectSecretsOnlyWhereTheyBelong(
      "the-operator's-internal-secret-of-32+-chars",
      "the-operator's-keys-secret-of-32+-characters",
    );
    expect(readFileSync(secretsFile(), "utf8")).toBe(secretsBefore);
    expect(launcher.stdout).not.toContain("generated this data folder's");
    // HOST opens the gateway to the network, demo mode or not; the banner warns.
    expect((await envOf(`http://127.0.0.1:${port}`)).HOST).toBe("0.0.0.0");
    expect(launcher.stdout).toContain(
      `Listening   0.0.0.0:${port} (HOST): reachable from the network, with the public demo password`,
    );
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
      services: expect.objectContaining({ search: [gatewayEnv.UPSTREAM_SEARCH] }),
    });
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(0);
    expect(existsSync(join(dataDir(), "runtime.json"))).toBe(false);
  });

  it("refuses a start whose connections cannot fit the server, with the figures, starting no service", async () => {
    const server = new URL(inject("postgresUrl"));
    server.pathname = "/comptoir_budget";
    const launcher = up(
      { DATABASE_URL: server.toString(), DATABASE_POOL_SIZE: "200", NATS_URL: "nats://127.0.0.1:1" },
      ["--instances", "catalog=3"],
    );
    expect(await launcher.exited).toBe(1);
    expect(launcher.stderr).toMatch(
      /not enough PostgreSQL connections at postgres:\/\/.*: it allows \d+ \(max_connections \d+ − \d+ reserved\), and the platform would hold up to 2626: 13 instances × \(pool 200 \+ session 1 \+ admin 1\)\.\nLower DATABASE_POOL_SIZE \(at most \d+ fits\), start fewer instances, or raise max_connections\./,
    );
    expect(launcher.stdout).not.toMatch(/starting \d+ services/);
    expect(leftovers()).toEqual([]);
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

    const secretsBefore = readSecrets();
    const next = up();
    await next.waitFor(/Ctrl-C to stop/);
    expect(next.stdout).toContain(`stopping a PostgreSQL left running by a previous launcher (pid ${postgresPid})`);
    // The same secrets as at the first start: identity's signing keys stay readable.
    expect(readSecrets()).toEqual(secretsBefore);
    await expectSecretsOnlyWhereTheyBelong(secretsBefore.internalSecret!, secretsBefore.keysSecret!);
    expect(isProcessAlive(postgresPid)).toBe(false);
    expect(next.stdout).not.toContain("initialising");
    next.child.kill("SIGINT");
    expect(await next.exited).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("waits for the gateway's /health/status (every upstream up), not only its own readiness", async () => {
    const launcher = up({ FAKE_DEGRADED_MS: "6000" });
    await launcher.waitFor(/✓ catalog ready/);
    // Every backend is ready; the gateway, started with them, may still be binding its port.
    // Once it answers /health/ready it can serve, yet it still reports an upstream down.
    expect(await statusWithin(`http://127.0.0.1:${port}/health/ready`, 3_000)).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/health/status`)).status).toBe(503);
    expect(launcher.stdout).not.toContain("gateway ready");

    await launcher.waitFor(/Ctrl-C to stop/);
    expect(launcher.stdout).toMatch(/✓ gateway ready \(1 instance, [\d.]+ s\)/);
    expect(launcher.stdout).toContain(`Health      http://localhost:${port}/health/status`);
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(0);
  });

  it("without demo data, the gateway listens on every address", async () => {
    const launcher = up({ COMPTOIR_DEMO: "false" });
    await launcher.waitFor(/Ctrl-C to stop/);
    expect((await envOf(`http://127.0.0.1:${port}`)).HOST).toBe("0.0.0.0");
    expect(launcher.stdout).toContain(`Listening   0.0.0.0:${port}, every network interface\n`);
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(0);
  });

  it("a data folder from before secrets.json keeps the development KEYS_SECRET for its keys, and says so", async () => {
    const before = readSecrets();
    await rm(secretsFile());
    const launcher = up();
    await launcher.waitFor(/Ctrl-C to stop/);
    const secrets = readSecrets();
    expect(secrets.keysSecret).toBe("comptoir-development-secret");
    expect(secrets.internalSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.internalSecret).not.toBe(before.internalSecret);
    expect(statSync(secretsFile()).mode & 0o777).toBe(0o600);
    expect(launcher.stdout).toMatch(
      /! identity's signing keys in this data folder are encrypted under the development KEYS_SECRET/,
    );
    await expectSecretsOnlyWhereTheyBelong(secrets.internalSecret!, "comptoir-development-secret");
    launcher.child.kill("SIGINT");
    expect(await launcher.exited).toBe(0);
  });
});

/** The status `url` answers once it accepts connections, polling until `withinMs` has passed. */
async function statusWithin(url: string, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return (await fetch(url)).status;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

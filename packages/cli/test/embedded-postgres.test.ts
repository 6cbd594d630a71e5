import { chmod, mkdir, mkdtemp, readlink, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedPostgres, socketDirFor } from "../src/embedded/postgres";
import { freePorts } from "../src/launcher/ports";
import { isProcessAlive } from "../src/system/processes";

const isRoot = process.getuid?.() === 0;

describe("embedded PostgreSQL", () => {
  let root: string;
  const started: EmbeddedPostgres[] = [];

  async function manager(folder: string, onProgress?: (line: string) => void): Promise<EmbeddedPostgres> {
    const [port] = await freePorts(1, "127.0.0.1");
    const postgres = new EmbeddedPostgres({
      dataDir: join(root, folder, "postgres"),
      passwordFile: join(root, folder, "postgres.password"),
      logFile: join(root, folder, "logs", "postgres.log"),
      port: port as number,
      startTimeoutMs: 20_000,
      onProgress,
    });
    started.push(postgres);
    return postgres;
  }

  async function query(postgres: EmbeddedPostgres, sql: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: postgres.url().toString() });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "comptoir-pg-"));
    // As root, PostgreSQL runs as the postgres user, who must be able to enter the folder.
    await chmod(root, 0o755);
  });

  afterAll(async () => {
    await Promise.all(started.map((postgres) => postgres.kill()));
    await rm(root, { recursive: true, force: true });
  });

  it("initialises a UTF-8 cluster on first start, accepts password logins, and stops", async () => {
    const postgres = await manager("main");
    expect(await postgres.start()).toEqual({ initialised: true });
    const pid = postgres.pid as number;

    const { rows } = await query(
      postgres,
      "SELECT current_setting('server_version_num')::int AS version, current_setting('server_encoding') AS encoding, lower('ÉTÉ') AS lowered",
    );
    expect(rows[0]).toEqual({ version: expect.any(Number), encoding: "UTF8", lowered: "été" });
    expect(rows[0].version).toBeGreaterThanOrEqual(180000);
    await query(postgres, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");

    // Its URL goes through the Unix socket in the cluster folder; TCP on the port answers too.
    const socketUrl = postgres.url();
    expect(socketUrl.searchParams.get("host")).toBe(resolve(root, "main", "postgres"));
    expect((await query(postgres, "SELECT inet_client_addr() AS addr")).rows[0].addr).toBeNull();
    const tcp = new URL(socketUrl);
    tcp.search = "";
    const overTcp = new pg.Client({ connectionString: tcp.toString() });
    await overTcp.connect();
    expect((await overTcp.query("SELECT inet_client_addr()::text AS addr")).rows[0].addr).toBe("127.0.0.1/32");
    await overTcp.end();

    expect((await stat(join(root, "main", "postgres.password"))).mode & 0o777).toBe(0o600);
    const wrongPassword = new URL(postgres.url());
    wrongPassword.password = "wrong";
    await expect(new pg.Client({ connectionString: wrongPassword.toString() }).connect()).rejects.toThrow(/password/);

    await postgres.stop();
    expect(isProcessAlive(pid)).toBe(false);
  });

  it("has no Unix socket when its path would be too long for the system, or holds a double quote", () => {
    expect(socketDirFor("/srv/comptoir/.data/postgres", 5433)).toBe("/srv/comptoir/.data/postgres");
    expect(socketDirFor(`/srv/${"deep/".repeat(20)}postgres`, 5433)).toBeUndefined();
    expect(socketDirFor('/srv/a"b/postgres', 5433)).toBeUndefined();
    expect(socketDirFor("relative/postgres", 5433)).toBe(resolve("relative/postgres"));
  });

  it("reuses the data on the next start without initialising again", async () => {
    const postgres = await manager("main");
    expect(await postgres.start()).toEqual({ initialised: false });
    const { rows } = await query(postgres, "SELECT id FROM kept");
    expect(rows).toEqual([{ id: 42 }]);
    await postgres.stop();
  });

  it("stops a server left running by a launcher that died, then starts its own", async () => {
    const orphan = await manager("main");
    await orphan.start();
    const orphanPid = orphan.pid as number;

    const progress: string[] = [];
    const postgres = await manager("main", (line) => progress.push(line));
    await postgres.start();
    expect(progress.join("\n")).toContain(`left running by a previous launcher (pid ${orphanPid})`);
    expect(isProcessAlive(orphanPid)).toBe(false);
    expect((await query(postgres, "SELECT id FROM kept")).rows).toEqual([{ id: 42 }]);
    await postgres.stop();
  });

  it("fails with the tail of the PostgreSQL log when the server cannot start", async () => {
    const postgres = await manager("main");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(postgres.port, "127.0.0.1", resolve));
    try {
      await expect(postgres.start()).rejects.toThrow(/PostgreSQL exited while starting[\s\S]*could not (bind|create)/);
    } finally {
      blocker.close();
    }
  });

  it.runIf(isRoot)(
    "as root, keeps the cluster of a private data folder under /var/lib/comptoir, linked from the folder",
    async () => {
      await mkdir(join(root, "private"), { mode: 0o700 });
      await chmod(join(root, "private"), 0o700);
      const postgres = await manager("private/nested");
      expect(await postgres.start()).toEqual({ initialised: true });
      const link = join(root, "private", "nested", "postgres");
      const target = await readlink(link);
      try {
        expect(target).toMatch(/^\/var\/lib\/comptoir\/clusters\/[0-9a-f]{16}$/);
        expect((await query(postgres, "SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        expect(await postgres.stop()).toBe(true);
        // The next start follows the link and reuses the cluster.
        const again = await manager("private/nested");
        expect(await again.start()).toEqual({ initialised: false });
        await again.stop();
      } finally {
        await rm(target, { recursive: true, force: true });
      }
    },
  );
});

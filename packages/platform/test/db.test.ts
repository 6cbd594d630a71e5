import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  afterCommit,
  createPool,
  DatabaseUnavailableError,
  ensureDatabase,
  figuresOf,
  migrate,
  MigrationsPendingError,
  redactUrl,
  selectPage,
  waitForDatabase,
  withTx,
} from "../src/db";
import { createTestDatabase, type TestDatabase, testServerUrl } from "@comptoir/testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("platform_db");
});
afterAll(async () => {
  await database?.drop();
});

async function migrationsFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "comptoir-migrations-"));
  await mkdir(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe("migrate", () => {
  it("applies each file once, in order, and records it", async () => {
    const dir = await migrationsFolder({
      "001_things.sql": "CREATE TABLE things (id int PRIMARY KEY, name text);",
      "002_more.sql": "ALTER TABLE things ADD COLUMN size int;",
    });
    expect(await migrate(database.db, dir)).toEqual(["001_things", "002_more"]);
    expect(await migrate(database.db, dir)).toEqual([]);
    const { rows } = await database.db.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(["001", "002"]);
  });

  it("with check, applies nothing: the missing ones are named, a changed one refused, none missing passes", async () => {
    const target = await createTestDatabase("platform_migrate_check");
    try {
      const dir = await migrationsFolder({
        "001_a.sql": "CREATE TABLE a (id int);",
        "002_b.sql": "CREATE TABLE b (id int);",
      });
      const pending = await migrate(target.db, dir, undefined, { check: true }).catch((error: unknown) => error);
      expect(pending).toBeInstanceOf(MigrationsPendingError);
      expect((pending as MigrationsPendingError).pending).toEqual(["001_a", "002_b"]);
      const tables = async () =>
        (await target.db.query("SELECT to_regclass('a') AS a, to_regclass('schema_migrations') AS m")).rows[0];
      expect(await tables()).toEqual({ a: null, m: null });

      expect(await migrate(target.db, dir)).toEqual(["001_a", "002_b"]);
      expect(await migrate(target.db, dir, undefined, { check: true })).toEqual([]);
      const changed = await migrationsFolder({
        "001_a.sql": "CREATE TABLE a (id bigint);",
        "002_b.sql": "CREATE TABLE b (id int);",
      });
      await expect(migrate(target.db, changed, undefined, { check: true })).rejects.toThrow(/001_a\.sql was changed/);
    } finally {
      await target.drop();
    }
  });

  it("runs each migration exactly once when many instances start together", async () => {
    const target = await createTestDatabase("platform_migrate_race");
    const dir = await migrationsFolder({
      // Not idempotent on purpose: a second run would fail with "already exists".
      "001_counter.sql": "CREATE TABLE counter (n int); INSERT INTO counter VALUES (1);",
      "002_bump.sql": "UPDATE counter SET n = n + 1;",
    });
    const pools = Array.from({ length: 6 }, () => createPool(target.url, { max: 2 }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, dir)));
      expect(results.flat().sort()).toEqual(["001_counter", "002_bump"]);
      expect((await target.db.query("SELECT n FROM counter")).rows).toEqual([{ n: 2 }]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await target.drop();
    }
  });

  it("rolls back a failing migration and refuses a changed one", async () => {
    const target = await createTestDatabase("platform_migrate_fail");
    try {
      const bad = await migrationsFolder({
        "001_ok.sql": "CREATE TABLE ok (id int);",
        "002_bad.sql": "CREATE TABLE half (id int); SELECT * FROM no_such_table;",
      });
      await expect(migrate(target.db, bad)).rejects.toThrow(/002_bad\.sql failed: .*no_such_table/);
      const { rows } = await target.db.query("SELECT to_regclass('half') AS half, to_regclass('ok') AS ok");
      expect(rows[0]).toEqual({ half: null, ok: "ok" });

      const changed = await migrationsFolder({ "001_ok.sql": "CREATE TABLE ok (id bigint);" });
      await expect(migrate(target.db, changed)).rejects.toThrow(/001_ok\.sql was changed after it was applied/);
    } finally {
      await target.drop();
    }
  });

  it("rejects badly named files", async () => {
    const dir = await migrationsFolder({ "first.sql": "SELECT 1;" });
    await expect(migrate(database.db, dir)).rejects.toThrow(/must be named NNN_name\.sql/);
  });
});

describe("withTx", () => {
  it("commits when the function resolves and rolls back when it throws", async () => {
    await database.db.query("CREATE TABLE ledger (id int PRIMARY KEY)");
    await withTx(database.db, async (tx) => {
      await tx.query("INSERT INTO ledger VALUES (1)");
    });
    await expect(
      withTx(database.db, async (tx) => {
        await tx.query("INSERT INTO ledger VALUES (2)");
        throw new Error("business rule broken");
      }),
    ).rejects.toThrow("business rule broken");
    const { rows } = await database.db.query("SELECT id FROM ledger ORDER BY id");
    expect(rows).toEqual([{ id: 1 }]);
  });

  it("runs afterCommit's callbacks once the transaction has committed, never after a rollback", async () => {
    const seen: string[] = [];
    await withTx(database.db, async (tx) => {
      afterCommit(tx, () => seen.push("committed"));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(["committed"]);
    await expect(
      withTx(database.db, async (tx) => {
        afterCommit(tx, () => seen.push("rolled back"));
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    // A throwing callback does not turn the committed transaction into an error.
    await withTx(database.db, async (tx) =>
      afterCommit(tx, () => {
        throw new Error("metric");
      }),
    );
    // Outside a withTx transaction (a pool's query has committed already): at once.
    afterCommit(database.db, () => seen.push("pool"));
    expect(seen).toEqual(["committed", "pool"]);
  });
});

describe("prepared statements", () => {
  it("prepares a parameterized query once per connection, by text; leaves the others as they are", async () => {
    const pool = createPool(database.url, { max: 1 });
    try {
      const sql = "SELECT $1::int + 1 AS n";
      for (let i = 0; i < 3; i++) expect((await pool.query(sql, [i])).rows[0].n).toBe(i + 1);
      await withTx(pool, async (tx) => {
        expect((await tx.query(sql, [41])).rows[0].n).toBe(42);
        await tx.query("SELECT 1");
      });
      const prepared = await pool.query("SELECT name, statement FROM pg_prepared_statements");
      expect(prepared.rows).toEqual([{ name: expect.stringMatching(/^q_[0-9a-f]{24}$/), statement: sql }]);
      // The callback form (what pg-pool itself uses) goes through too.
      const viaCallback = await new Promise<number>((resolve, reject) =>
        pool.query(sql, [1], (error: Error | undefined, result: { rows: { n: number }[] }) =>
          error ? reject(error) : resolve(result.rows[0]!.n),
        ),
      );
      expect(viaCallback).toBe(2);
    } finally {
      await pool.end();
    }
  });
});

describe("a client gone without a word", () => {
  it("is looked for by the server: every connection asks for TCP keepalives after 2 s of silence, 3 of them a second apart, and 5 s at most for an acknowledgement", async () => {
    // Over TCP: the settings mean nothing on a Unix socket (where the test server may be reached).
    const port = (await database.db.query("SELECT current_setting('port') AS port")).rows[0].port;
    const url = new URL(database.url);
    url.searchParams.delete("host");
    url.hostname = "127.0.0.1";
    url.port = port;
    const pool = createPool(url.toString(), { max: 1 });
    const off = createPool(url.toString(), { max: 1, serverKeepalive: false });
    try {
      const settings = async (db: typeof pool) =>
        (
          await db.query(
            "SELECT current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_interval') AS interval, current_setting('tcp_keepalives_count') AS count, current_setting('tcp_user_timeout') AS unacknowledged, inet_client_addr() IS NOT NULL AS tcp",
          )
        ).rows[0];
      const on = await settings(pool);
      expect(on.tcp).toBe(true);
      expect(on).toMatchObject({ idle: "2", interval: "1", count: "3", unacknowledged: "5000" });
      // Inside a transaction too: the connection keeps them.
      await withTx(pool, async (tx) => {
        expect((await tx.query("SHOW tcp_keepalives_idle")).rows[0].tcp_keepalives_idle).toBe("2");
      });
      // Behind a pooler in transaction mode, left to the pooler.
      expect((await settings(off)).idle).not.toBe("2");
    } finally {
      await Promise.all([pool.end(), off.end()]);
    }
  });
});

describe("connecting", () => {
  it("says where and why when PostgreSQL cannot be reached", async () => {
    const url = "postgres://postgres@127.0.0.1:1/nowhere";
    const pool = createPool(url);
    try {
      const error = await waitForDatabase(pool, url, 300).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toBe(
        "cannot reach PostgreSQL at 127.0.0.1:1/nowhere: connection refused — is PostgreSQL running there?",
      );
    } finally {
      await pool.end();
    }
  });

  it("names the Unix socket when the URL goes through one (?host=/folder)", async () => {
    const url = "postgres://postgres@127.0.0.1:5999/nowhere?host=/nonexistent-folder";
    const pool = createPool(url);
    try {
      const error = await waitForDatabase(pool, url, 300).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        "cannot reach PostgreSQL at the Unix socket /nonexistent-folder/.s.PGSQL.5999 (database nowhere): no socket there — is PostgreSQL running?",
      );
      expect(redactUrl("postgres://app:secret@127.0.0.1:5999/shop?host=%2Fsrv%2Fpg&sslmode=disable")).toBe(
        "postgres://app:***@127.0.0.1:5999/shop?host=/srv/pg&sslmode=disable",
      );
    } finally {
      await pool.end();
    }
  });

  it("creates a missing database once, even when several instances race", async () => {
    const name = `test_ensure_${Date.now()}`;
    const url = testServerUrl(name);
    const created = await Promise.all(Array.from({ length: 4 }, () => ensureDatabase(url)));
    expect(created.filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(await ensureDatabase(url)).toBe(false);
    const pool = createPool(testServerUrl());
    try {
      const { rowCount } = await pool.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      expect(rowCount).toBe(1);
      await pool.query(`DROP DATABASE ${name}`);
    } finally {
      await pool.end();
    }
  });
});

describe("when PostgreSQL drops connections", () => {
  it("a transaction whose connection is killed between two statements fails as unavailable; the process lives on and the pool reconnects", async () => {
    const db = createPool(database.url, { max: 2, applicationName: "drop-test" });
    try {
      let pid = 0;
      const failed = withTx(db, async (tx) => {
        pid = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
        // Between two statements, the server ends this session (a restart does the same to all).
        await database.db.query("SELECT pg_terminate_backend($1)", [pid]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.query("SELECT 1");
      });
      await expect(failed).rejects.toThrow(/terminat|connection error/i);
      // The broken client was dropped; the next query gets a new session.
      const { rows } = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(rows[0]!.pid).not.toBe(pid);
    } finally {
      await db.end();
    }
  });

  it("after a failed connection attempt, new connections wait a short jittered delay: meanwhile a query fails at once as unavailable", async () => {
    // A port where nothing listens.
    const url = new URL(database.url);
    url.port = "1";
    url.searchParams.delete("host");
    const db = createPool(url.toString(), { max: 2, backoff: { baseMs: 5_000, maxMs: 5_000 } });
    try {
      await expect(db.query("SELECT 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
      const started = performance.now();
      const error = await db.query("SELECT 1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toMatch(/connection refused/);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(figuresOf(db)).toMatchObject({ down: true, refusedWhileDown: 1 });
    } finally {
      await db.end();
    }
  });
});

describe("behind a transaction pooler (preparedStatements: false)", () => {
  it("sends every query unnamed, even one a repository names itself", async () => {
    const db = createPool(database.url, { max: 1, preparedStatements: false });
    try {
      await db.query({ name: "named_by_a_repo", text: "SELECT $1::int AS n", values: [1] });
      await db.query("SELECT $1::int AS n", [2]);
      const { rows } = await db.query("SELECT count(*)::int AS prepared FROM pg_prepared_statements");
      expect(rows[0].prepared).toBe(0);
    } finally {
      await db.end();
    }
  });
});

describe("selectPage", () => {
  const page = (offset: number, limit = 2) => ({
    text: `SELECT n, count(*) OVER ()::int AS total FROM paged WHERE n > $1 ORDER BY n LIMIT $2 OFFSET $3`,
    values: [0, limit, offset],
  });
  const count = { text: `SELECT count(*)::int AS total FROM paged WHERE n > $1`, values: [0] };

  it("gives a page and the total from one statement, and counts on its own only past the last page", async () => {
    await database.db.query("CREATE TABLE paged (n int PRIMARY KEY)");
    await database.db.query("INSERT INTO paged SELECT generate_series(1, 5)");
    expect(await selectPage<{ n: number }>(database.db, page(0), count, 0)).toEqual({
      rows: [{ n: 1 }, { n: 2 }],
      total: 5,
    });
    expect(await selectPage<{ n: number }>(database.db, page(4), count, 4)).toEqual({ rows: [{ n: 5 }], total: 5 });
    // Past the last page: no row carries the total, the count query gives it.
    expect(await selectPage<{ n: number }>(database.db, page(10), count, 10)).toEqual({ rows: [], total: 5 });
    await database.db.query("DELETE FROM paged");
    expect(await selectPage<{ n: number }>(database.db, page(0), count, 0)).toEqual({ rows: [], total: 0 });
  });
});

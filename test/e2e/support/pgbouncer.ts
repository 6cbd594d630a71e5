import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./platform";

export const PGBOUNCER = "/usr/sbin/pgbouncer";

export interface PgBouncer {
  /** `server` with its host and port replaced by PgBouncer's. */
  url: (server: URL) => URL;
  stop: () => Promise<void>;
}

/**
 * A real PgBouncer (Debian's package) in transaction pooling mode in front of `server`, on a free
 * port of its own, with trust authentication for the server's user. PgBouncer refuses to run as
 * root: as root it runs as the postgres user.
 */
export async function startPgBouncer(server: URL, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is not installed (apt-get install pgbouncer)`);
  const dir = await mkdtemp(join(tmpdir(), "comptoir-pgbouncer-"));
  await chmod(dir, 0o777);
  const port = await freePort();
  const user = decodeURIComponent(server.username || "postgres");
  const config = join(dir, "pgbouncer.ini");
  await writeFile(join(dir, "users.txt"), `"${user}" ""\n`);
  await writeFile(
    config,
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "users.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 900",
      `default_pool_size = ${options.poolSize ?? 20}`,
      "max_db_connections = 0",
      `logfile = ${join(dir, "pgbouncer.log")}`,
      `pidfile = ${join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  for (const file of ["users.txt", "pgbouncer.ini"]) await chmod(join(dir, file), 0o644);
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = asRoot
    ? spawn("runuser", ["-u", "postgres", "--", PGBOUNCER, config], { stdio: "ignore" })
    : spawn(PGBOUNCER, [config], { stdio: "ignore" });
  const url = (target: URL) => {
    const through = new URL(target);
    through.hostname = "127.0.0.1";
    through.port = String(port);
    through.searchParams.delete("host");
    return through;
  };
  // Ready when a query goes through it (to the server's own `postgres` database: the target may not exist yet).
  const probe = url(server);
  probe.pathname = "/postgres";
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new pg.Client({ connectionString: probe.toString(), connectionTimeoutMillis: 1_000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        let log = "";
        try {
          log = execFileSync("tail", ["-n", "20", join(dir, "pgbouncer.log")], { encoding: "utf8" });
        } catch {}
        throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

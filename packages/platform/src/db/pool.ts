import { createHash } from "node:crypto";
import pg from "pg";
import { isTracing } from "../tracing/spans";
import { jitteredBackoff } from "./backoff";
import { traceQueries } from "./query-spans";

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
/** Anything that runs a query: the pool or a transaction's client. Repositories take this. */
export type Queryable = Pick<pg.Pool, "query">;

/** Raised when PostgreSQL cannot be reached; its message says where and why, in one line. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    // `?host=/folder` is a Unix socket, which node-postgres uses instead of the URL's host.
    const socket = u.searchParams.get("host");
    const database = decodeURIComponent(u.pathname.slice(1));
    if (socket?.startsWith("/")) return `the Unix socket ${socket}/.s.PGSQL.${u.port || 5432} (database ${database})`;
    return `${u.hostname}:${u.port || 5432}/${database}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

function databaseNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
  } catch {
    return "postgres";
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    // A Unix socket's folder (`?host=/folder`) shown as a path, not percent-encoded.
    return u
      .toString()
      .replace(/([?&]host=)([^&]*)/, (_, key: string, value: string) => key + decodeURIComponent(value));
  } catch {
    return "(unparseable URL)";
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused — is PostgreSQL running there?",
  ENOENT: "no socket there — is PostgreSQL running?",
  ENOTFOUND: "host not found",
  ETIMEDOUT: "connection timed out",
  EAI_AGAIN: "host name lookup failed",
  "28P01": "password authentication failed",
  "28000": "authentication rejected",
  "3D000": "the database does not exist",
};

export function explainDatabaseError(url: string, error: unknown): DatabaseUnavailableError {
  const err = error as { code?: string; message?: string };
  const reason = (err.code && REASONS[err.code]) ?? err.message ?? String(error);
  return new DatabaseUnavailableError(`cannot reach PostgreSQL at ${describeUrl(url)}: ${reason}`);
}

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** An idle connection is closed after this long (DATABASE_IDLE_TIMEOUT_MS; default 10 s). */
  idleTimeoutMs?: number;
  /**
   * Parameterized queries become named prepared statements (default). Off behind a pooler in
   * transaction mode (DATABASE_POOL_MODE=transaction), where the next transaction may run on
   * another server connection that never saw the statement.
   */
  preparedStatements?: boolean;
  /** Delays between new-connection attempts after one failed (see jitteredBackoff). */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Asks the server to notice a client gone without a word (SERVER_KEEPALIVE; default on). Off
   * behind a pooler in transaction mode: the server's client is the pooler, whose own keepalives
   * (PgBouncer's tcp_keepalive settings) do that job for the instances.
   */
  serverKeepalive?: boolean;
}

/** What a pool holds and refuses, for metrics and the readiness answer. */
export interface PoolFigures {
  max: number;
  total: number;
  idle: number;
  waiting: number;
  /** New connections refused at once since start, because the server was found down just before. */
  refusedWhileDown: number;
  /** Whether the last attempt to open a connection failed (the server is thought down). */
  down: boolean;
}

const poolFigures = new WeakMap<pg.Pool, () => PoolFigures>();

export function figuresOf(db: Db): PoolFigures | undefined {
  return poolFigures.get(db)?.();
}

/**
 * A pool of at most `max` connections (the process's connection budget, see budget.ts), idle ones
 * closed after `idleTimeoutMs`. When opening a connection fails (the server restarting, full or
 * unreachable), new connections are not attempted again before a jittered delay (100 ms doubling to
 * 1 s): meanwhile a request that needs one fails at once with DatabaseUnavailableError (503) instead
 * of each one knocking at a server that is not there. Idle connections, if any, are still used.
 */
/**
 * Sent first on every connection, so that the server gives up a client gone without a word (its
 * host cut off) in about 5 s, rolling back its transaction and freeing its locks: TCP keepalives
 * after 2 s of silence, one a second, 3 unanswered; and, when the server has sent something the
 * client never acknowledged (keepalives then wait), 5 s of that (tcp_user_timeout). Left to the
 * operating system's defaults (two hours; some fifteen minutes of retransmissions), the transaction
 * of an instance cut off mid-way keeps its row locks, and every request that needs one of those rows
 * waits: in test/hosts, the row of an Idempotency-Key, or of a cart, that a gateway's retry sent
 * elsewhere was waiting for. A live client's kernel answers keepalives and acknowledges data however
 * busy or idle its process: only a client gone is given up. (Ignored on a Unix socket.)
 */
export const SERVER_KEEPALIVE =
  "SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 5000";

const noop = () => {};

export function createPool(url: string, options: PoolOptions = {}): Db {
  const max = options.max ?? 10;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: 5_000,
    application_name: options.applicationName,
    // Before the connection is handed out (pg-pool awaits it): a query sent alongside another on one
    // connection is deprecated, and will fail in pg 9. A server that refuses a setting keeps its default.
    ...(options.serverKeepalive !== false
      ? { onConnect: (client: pg.ClientBase) => client.query(SERVER_KEEPALIVE).then(noop, noop) }
      : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // drops it and the next query reconnects.
  pool.on("error", () => {});
  // A client checked out but between two queries (inside withTx, say) when the server goes away
  // emits 'error' with no listener of the pool's attached: without this one the process crashes
  // (seen in the chaos suite at every PostgreSQL restart). Its next query fails, and the client is
  // dropped when released with that error.
  pool.on("connect", (client) => client.on("error", () => {}));
  if (options.preparedStatements !== false) pool.on("connect", prepareParameterizedStatements);
  else pool.on("connect", unnamedStatementsOnly);
  if (isTracing()) {
    const database = databaseNameOf(url);
    pool.on("connect", (client) => traceQueries(client, database));
  }

  let failures = 0;
  let downUntil = 0;
  let lastError: unknown;
  let refusedWhileDown = 0;
  const connect = pool.connect.bind(pool) as (callback: ConnectCallback) => void;
  const guarded = (callback?: ConnectCallback): Promise<pg.PoolClient> | undefined => {
    const run = (done: ConnectCallback) => {
      // Only an attempt that opens a new connection tells about the server; waiting for a busy
      // pool's connection to come back (and timing out) does not.
      const opensNew = pool.idleCount === 0 && pool.totalCount < max && !pool.ending;
      if (opensNew && Date.now() < downUntil) {
        refusedWhileDown++;
        done(explainDatabaseError(url, lastError), undefined, () => {});
        return;
      }
      connect((error, client, release) => {
        if (opensNew) {
          if (error) {
            failures++;
            lastError = error;
            downUntil = Date.now() + jitteredBackoff(failures, options.backoff);
          } else {
            failures = 0;
            downUntil = 0;
          }
        }
        done(error, client, release);
      });
    };
    if (callback) {
      run(callback);
      return undefined;
    }
    return new Promise((resolve, reject) => run((error, client) => (error ? reject(error) : resolve(client!))));
  };
  (pool as unknown as { connect: typeof guarded }).connect = guarded;
  poolFigures.set(pool, () => ({
    max,
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    refusedWhileDown,
    down: failures > 0,
  }));
  return pool;
}

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  release: (error?: unknown) => void,
) => void;

/** Statement names by SQL text (the same text, the same name on every connection). */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `q_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

/**
 * Every parameterized query of this connection becomes a named prepared statement, parsed and
 * planned once per connection instead of at every call (PostgreSQL then reuses the plan, or replans
 * when a custom plan is worth it). Measured with `npm run bench:checkout` (2 cores, the whole
 * platform): 37 → 55 checkouts per second. Queries without parameters (DDL, migrations,
 * `BEGIN`) and queries given as a config object are sent as they are.
 */
function prepareParameterizedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text === "string" && Array.isArray(values) && values.length > 0) {
      const config = { name: statementName(text), text, values };
      return callback === undefined ? query(config) : query(config, callback);
    }
    return callback === undefined
      ? values === undefined
        ? query(text)
        : query(text, values)
      : query(text, values, callback);
  };
}

/**
 * Behind a transaction pooler: a query a repository names itself (`{ name, text, values }`) is sent
 * unnamed — the next transaction may run on a server connection that never prepared it ("prepared
 * statement … does not exist", seen through PgBouncer).
 */
function unnamedStatementsOnly(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
    if (config && typeof config === "object" && "name" in config && "text" in config) {
      const { name: _name, ...unnamed } = config as Record<string, unknown>;
      return query(unnamed, ...rest);
    }
    return query(config, ...rest);
  };
}

export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query("SELECT 1");
}

/**
 * Waits for the database to answer, retrying with backoff up to `timeoutMs` (a container may start
 * before its database), then fails with a clear DatabaseUnavailableError.
 */
export async function waitForDatabase(
  db: Db,
  url: string,
  timeoutMs: number,
  onRetry?: (error: DatabaseUnavailableError, attempt: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      await pingDatabase(db);
      return;
    } catch (error) {
      const explained = explainDatabaseError(url, error);
      const code = (error as { code?: string }).code;
      const permanent = code === "28P01" || code === "28000" || code === "3D000";
      if (permanent || Date.now() + delay > deadline) throw explained;
      onRetry?.(explained, attempt);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/**
 * Creates the database named in `url` on its server if it does not exist (connecting to the
 * server's `postgres` database). Safe when several instances race: a duplicate is ignored.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error("DATABASE_URL names no database");
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } catch (error) {
    // 42P04 duplicate_database (a concurrent creator won), 23505 unique violation on pg_database.
    const code = (error as { code?: string }).code;
    if (code === "42P04" || code === "23505") return false;
    throw explainDatabaseError(url, error);
  } finally {
    await client.end().catch(() => {});
  }
}

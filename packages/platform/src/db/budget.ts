/**
 * How many PostgreSQL server connections one service instance may hold, by use. The process never
 * holds more: its pool is capped at `pool`, its session is one connection, start-up work and
 * replays take the one `admin` slot in turn, and the event log (embedded mode) has its own pool
 * and listener. The launcher adds these up for the instances it starts and refuses to start when
 * the server's max_connections (minus its reserved slots) cannot hold them (README, "Connections").
 */
export interface ConnectionBudget {
  /** DATABASE_POOL_SIZE: requests, events handled, sagas, housekeeping. */
  pool: number;
  /** The instance's DatabaseSession: the outbox relay's LISTEN and the consumer leases' locks. */
  session: number;
  /** Creating the database and migrating at start-up; rewinding a consumer group (one at a time). */
  admin: number;
  /** The PostgreSQL event log's pool and its LISTEN connection (embedded mode; 0 with NATS). */
  eventLog: number;
  /** What the instance may hold on PostgreSQL itself (behind a transaction pooler, the pool is the pooler's). */
  server: number;
  total: number;
}

export interface BudgetInput {
  poolSize: number;
  /** The service publishes or consumes events (it has a session). */
  events: boolean;
  /** EVENT_LOG_POOL_SIZE when events go through the PostgreSQL event log; undefined with NATS. */
  eventLogPoolSize?: number | undefined;
  /** DATABASE_POOL_MODE=transaction: the pool's connections go to a pooler, not to the server. */
  transactionPooler?: boolean;
}

export function connectionBudget(input: BudgetInput): ConnectionBudget {
  const pool = input.poolSize;
  const session = input.events ? 1 : 0;
  const admin = 1;
  const eventLog = input.events && input.eventLogPoolSize !== undefined ? input.eventLogPoolSize + 1 : 0;
  const total = pool + session + admin + eventLog;
  return { pool, session, admin, eventLog, server: input.transactionPooler ? total - pool : total, total };
}

/** The server's figures that bound every client's connections together. */
export interface ServerCapacity {
  maxConnections: number;
  /** superuser_reserved_connections (+ reserved_connections from PostgreSQL 16). */
  reserved: number;
}

/** What ordinary roles may open: max_connections minus the reserved slots. */
export function usableConnections(capacity: ServerCapacity): number {
  return capacity.maxConnections - capacity.reserved;
}

/** Reads max_connections and the reserved slots from the server (any role may). */
export async function readServerCapacity(db: {
  query: (text: string) => Promise<{ rows: { name: string; setting: string }[] }>;
}): Promise<ServerCapacity> {
  const { rows } = await db.query(
    "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'superuser_reserved_connections', 'reserved_connections')",
  );
  const setting = (name: string) => Number(rows.find((row) => row.name === name)?.setting ?? 0);
  return {
    maxConnections: setting("max_connections"),
    reserved: setting("superuser_reserved_connections") + setting("reserved_connections"),
  };
}

import { Counter, Gauge, type Registry } from "prom-client";
import type { ConnectionBudget } from "./budget";
import { type Db, figuresOf } from "./pool";

/**
 * The instance's database connections against its budget, read at each scrape:
 * `db_connections{state}` (pool connections in use and idle, session), `db_connection_budget{use}`,
 * `db_pool_waiting` (queries waiting for a connection) and `db_unavailable` (1 while the last
 * attempt to connect failed), `db_connections_refused_total` (new connections not attempted because
 * the server was just found down).
 */
export function registerDatabaseMetrics(
  registry: Registry,
  db: Db,
  budget: ConnectionBudget,
  session: () => boolean | undefined,
): void {
  new Gauge({
    name: "db_connection_budget",
    help: "Server connections this instance may hold, by use (pool, session, admin, event_log).",
    labelNames: ["use"] as const,
    registers: [registry],
    collect() {
      this.set({ use: "pool" }, budget.pool);
      this.set({ use: "session" }, budget.session);
      this.set({ use: "admin" }, budget.admin);
      this.set({ use: "event_log" }, budget.eventLog);
    },
  });
  new Gauge({
    name: "db_connections",
    help: "Connections this instance holds now: the pool's in use and idle, and its session.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const figures = figuresOf(db);
      if (!figures) return;
      this.set({ state: "in_use" }, figures.total - figures.idle);
      this.set({ state: "idle" }, figures.idle);
      this.set({ state: "session" }, session() ? 1 : 0);
    },
  });
  new Gauge({
    name: "db_pool_waiting",
    help: "Queries waiting for a pool connection.",
    registers: [registry],
    collect() {
      this.set(figuresOf(db)?.waiting ?? 0);
    },
  });
  new Gauge({
    name: "db_unavailable",
    help: "1 while the last attempt to open a connection failed (PostgreSQL down, full or unreachable).",
    registers: [registry],
    collect() {
      this.set(figuresOf(db)?.down ? 1 : 0);
    },
  });
  new Counter({
    name: "db_connections_refused_total",
    help: "Requests for a new connection refused at once because PostgreSQL was just found down (backoff).",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(figuresOf(db)?.refusedWhileDown ?? 0);
    },
  });
}

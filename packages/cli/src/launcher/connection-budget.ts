import { BACKEND_SERVICES, type BackendService } from "@comptoir/contracts";
import {
  connectionBudget,
  readServerCapacity,
  type ServerCapacity,
  usableConnections,
} from "@comptoir/platform/budget";
import pg from "pg";
import { redactUrl, withDatabase } from "../config/databases";
import type { InstanceCounts } from "../config/instances.option";
import { UserError } from "../errors";

/** The pool size when nothing constrains it (and what DATABASE_POOL_SIZE defaults to in a service). */
export const DEFAULT_POOL_SIZE = 10;
/** Below this, a pool queues most requests: better refuse to start than run starved. */
export const MIN_POOL_SIZE = 2;
/** Left free on each server when pools are sized automatically: psql, `comptoir events`, a migration Job. */
export const HEADROOM = 5;

export interface BudgetRequest {
  instances: InstanceCounts;
  /** Where each service's session, admin and (without a transaction pooler) pool connections go. */
  serviceUrls: Record<BackendService, URL>;
  /** The PostgreSQL event log's database, when events do not go through NATS. */
  eventLogUrl: URL | undefined;
  /** DATABASE_POOL_SIZE given to the launcher: used as is, checked, never changed. */
  poolSize: number | undefined;
  eventLogPoolSize: number;
  /** DATABASE_POOL_MODE=transaction: the pools' connections go to the pooler, not to these servers. */
  transactionPooler: boolean;
}

export interface ServerPlan {
  /** The server, as shown (password hidden). */
  server: string;
  capacity: ServerCapacity;
  /** Instances whose service database is on this server. */
  instances: number;
  /** Connections the platform may hold there, pools excepted. */
  fixed: number;
  /** Connections the platform may hold there, pools included, with the chosen pool size. */
  total: number;
  /** How the total is made, for the message. */
  formula: string;
}

export interface BudgetPlan {
  poolSize: number;
  /** Whether the pool size was chosen here (DATABASE_POOL_SIZE not given). */
  automatic: boolean;
  servers: ServerPlan[];
}

/** Reads each server's capacity and plans the connections; throws UserError when they cannot fit. */
export async function planConnections(request: BudgetRequest): Promise<BudgetPlan> {
  const capacities = new Map<string, ServerCapacity>();
  for (const url of serverUrls(request)) {
    const key = serverKey(url);
    if (!capacities.has(key)) capacities.set(key, await readCapacity(url));
  }
  return planBudget(request, (url) => capacities.get(serverKey(url))!);
}

/**
 * The same plan from known capacities. Per instance: its pool (unless a transaction pooler holds
 * it), one session, one admin slot, and — on the event log's server — the event log's pool and
 * listener (see ConnectionBudget). Without DATABASE_POOL_SIZE, the pool size is the largest up to
 * 10 that leaves HEADROOM free on every server; with it, the total must fit the usable connections.
 */
export function planBudget(request: BudgetRequest, capacityOf: (url: URL) => ServerCapacity): BudgetPlan {
  const totalInstances = BACKEND_SERVICES.reduce((sum, service) => sum + request.instances[service], 0);
  const unit = connectionBudget({
    poolSize: 0,
    events: true,
    eventLogPoolSize: request.eventLogUrl ? request.eventLogPoolSize : undefined,
  });
  const perServer = new Map<string, { url: URL; instances: number; eventLog: boolean }>();
  for (const service of BACKEND_SERVICES) {
    const url = request.serviceUrls[service];
    const entry = perServer.get(serverKey(url)) ?? { url, instances: 0, eventLog: false };
    entry.instances += request.instances[service];
    perServer.set(serverKey(url), entry);
  }
  if (request.eventLogUrl) {
    const key = serverKey(request.eventLogUrl);
    const entry = perServer.get(key) ?? { url: request.eventLogUrl, instances: 0, eventLog: false };
    entry.eventLog = true;
    perServer.set(key, entry);
  }

  const fixedOf = (entry: { instances: number; eventLog: boolean }) =>
    entry.instances * (unit.session + unit.admin) + (entry.eventLog ? totalInstances * unit.eventLog : 0);
  const pooled = (entry: { instances: number }) => (request.transactionPooler ? 0 : entry.instances);

  let poolSize = request.poolSize ?? DEFAULT_POOL_SIZE;
  const automatic = request.poolSize === undefined;
  if (automatic) {
    for (const entry of perServer.values()) {
      if (pooled(entry) === 0) continue;
      const room = usableConnections(capacityOf(entry.url)) - HEADROOM - fixedOf(entry);
      poolSize = Math.min(poolSize, Math.floor(room / pooled(entry)));
    }
  }

  const entries = [...perServer.values()];
  const servers: ServerPlan[] = entries.map((entry) => {
    const fixed = fixedOf(entry);
    const parts: string[] = [];
    if (entry.instances > 0) {
      const pool = request.transactionPooler ? "" : `pool ${poolSize} + `;
      parts.push(`${entry.instances} instances × (${pool}session ${unit.session} + admin ${unit.admin})`);
    }
    if (entry.eventLog) parts.push(`event log: ${totalInstances} instances × ${unit.eventLog}`);
    return {
      // A Unix socket folder (`?host=/folder`) shown as a path.
      server: redactUrl(withDatabase(entry.url, "")).replace(/%2F/gi, "/"),
      capacity: capacityOf(entry.url),
      instances: entry.instances,
      fixed,
      total: fixed + pooled(entry) * poolSize,
      formula: parts.join(" + "),
    };
  });

  servers.forEach((plan, i) => {
    const entry = entries[i]!;
    const usable = usableConnections(plan.capacity);
    const fits = automatic ? poolSize >= MIN_POOL_SIZE && plan.total <= usable : plan.total <= usable;
    if (fits) return;
    const largest = pooled(entry) > 0 ? Math.floor((usable - plan.fixed) / pooled(entry)) : 0;
    const shown = automatic
      ? {
          total: plan.fixed + pooled(entry) * MIN_POOL_SIZE,
          formula: plan.formula.replace(`pool ${poolSize}`, `pool ${MIN_POOL_SIZE}`),
        }
      : plan;
    throw new UserError(
      [
        `not enough PostgreSQL connections at ${plan.server}: it allows ${usable} ` +
          `(max_connections ${plan.capacity.maxConnections} − ${plan.capacity.reserved} reserved), and the platform would hold up to ` +
          `${shown.total}: ${shown.formula}.`,
        automatic
          ? `Even pools of ${MIN_POOL_SIZE} do not fit (with ${HEADROOM} connections left free): start fewer instances, or raise max_connections (or put PgBouncer in front, DATABASE_POOL_MODE=transaction).`
          : `Lower DATABASE_POOL_SIZE (${largest >= 1 ? `at most ${largest} fits` : "no pool size fits"}), start fewer instances, or raise max_connections.`,
      ].join("\n"),
    );
  });
  return { poolSize, automatic, servers };
}

function serverUrls(request: BudgetRequest): URL[] {
  return [
    ...BACKEND_SERVICES.map((service) => request.serviceUrls[service]),
    ...(request.eventLogUrl ? [request.eventLogUrl] : []),
  ];
}

function serverKey(url: URL): string {
  return withDatabase(url, "").toString();
}

/** Read before any database is created: from the server's `postgres` database, else the target one. */
async function readCapacity(url: URL): Promise<ServerCapacity> {
  let lastError: unknown;
  for (const target of [withDatabase(url, "postgres"), url]) {
    const client = new pg.Client({ connectionString: target.toString(), connectionTimeoutMillis: 5_000 });
    client.on("error", () => {});
    try {
      await client.connect();
      return await readServerCapacity(client);
    } catch (error) {
      lastError = error;
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new UserError(
    `cannot read max_connections at ${redactUrl(withDatabase(url, ""))}: ${(lastError as Error).message}`,
  );
}

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BACKEND_SERVICES,
  type BackendService,
  CREDENTIAL_HOLDERS,
  type CredentialHolder,
  DEFAULT_KEYS_SECRET,
  GATEWAY,
  JWKS_PATH,
  type ServiceName,
} from "@comptoir/contracts";
import { usableConnections } from "@comptoir/platform/budget";
import { deriveServiceCredential } from "@comptoir/platform/service-credentials";
import {
  databaseOf,
  eventLogDatabaseUrl,
  needsSharedServer,
  redactNatsUrl,
  redactUrl,
  resolveServiceDatabaseUrls,
} from "../config/databases";
import type { InstanceCounts } from "../config/instances.option";
import type { LauncherConfig } from "../config/launcher.config";
import { EmbeddedPostgres } from "../embedded/postgres";
import { UserError } from "../errors";
import { bannerLines, type DemoKey } from "./banner";
import { blank, fail, info, instanceLine, raw, success, warn } from "./console";
import type { DataLock } from "./data-lock";
import { type BudgetPlan, planConnections } from "./connection-budget";
import { ensureDatabases } from "./databases";
import { firstFreePort, freePorts, isPortFree } from "./ports";
import { GATEWAY_STATUS_PATH, waitUntilReady } from "./readiness";
import { removeRuntimeFile, writeRuntimeFile } from "./runtime-file";
import { loadOrCreateSecrets, type PlatformSecrets } from "./secrets-file";
import { describeExit, type InstanceEvents, SupervisedInstance } from "./supervisor";

export interface LauncherOptions {
  config: LauncherConfig;
  instances: InstanceCounts;
  /** The repository root: the services' working directory. */
  root: string;
  entries: Record<ServiceName, string>;
  lock: DataLock;
}

/** Where the services' events go. */
type EventsTarget = { kind: "nats"; url: string } | { kind: "postgres"; url: URL; description: string };

const LOOPBACK = "127.0.0.1";
/** Every address of the machine. */
const ANY_ADDRESS = "0.0.0.0";
/**
 * What only identity may see (INTERNAL_SECRET, KEYS_SECRET) and what only one service may see (its
 * SERVICE_CREDENTIAL): never inherited from the launcher's environment, set per instance instead.
 */
const SECRET_VARIABLES = ["INTERNAL_SECRET", "KEYS_SECRET", "SERVICE_CREDENTIAL"] as const;
const FIRST_EMBEDDED_PG_PORT = 5433;
/** How long a service may take to drain after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;
/** A second signal within this window is the same Ctrl-C (npm forwards it to us), not a "force". */
const REPEATED_SIGNAL_MS = 500;

/**
 * `comptoir up`: PostgreSQL (embedded unless configured), one database per service, every service
 * as supervised child processes (backends first, the gateway last), readiness, then an orderly
 * shutdown on SIGINT/SIGTERM.
 */
export class Launcher {
  private readonly backends = new Map<BackendService, SupervisedInstance[]>();
  private gateway: SupervisedInstance | undefined;
  private postgres: EmbeddedPostgres | undefined;
  private postgresDescription = "";
  private events: EventsTarget | undefined;
  private secrets: PlatformSecrets | undefined;
  /** Each service's DATABASE_SESSION_URL, when the pools go through a transaction-mode pooler. */
  private sessionUrls: Record<BackendService, URL> | undefined;
  private connections: BudgetPlan | undefined;
  private readonly aborted = new AbortController();
  private shutdown: Promise<number> | undefined;
  private firstSignalAt = 0;
  private forced = false;
  private ready = false;
  private readonly watchingReadiness = new Set<SupervisedInstance>();
  private finish: (code: number) => void = () => {};
  private readonly finished = new Promise<number>((resolve) => {
    this.finish = resolve;
  });

  constructor(private readonly options: LauncherOptions) {}

  /** Where identity writes the demo API keys the first time it creates them (mode 0600). */
  private get demoKeysFile(): string {
    return join(this.options.config.dataDir, "demo-api-keys.json");
  }

  private get logsDir(): string {
    return join(this.options.config.dataDir, "logs");
  }

  /**
   * Where the gateway listens: HOST, else 127.0.0.1 in demo mode (anyone who can reach it can log in
   * as the demo admin, whose password is public) and every address otherwise.
   */
  private get gatewayHost(): string {
    const { config } = this.options;
    return config.host ?? (config.demo ? LOOPBACK : ANY_ADDRESS);
  }

  /** The gateway as this machine reaches it (readiness, runtime.json). */
  private get gatewayUrl(): string {
    const host = this.gatewayHost;
    const reach = host === ANY_ADDRESS || host === "::" ? LOOPBACK : host;
    return `http://${reach.includes(":") ? `[${reach}]` : reach}:${this.options.config.port}`;
  }

  /** Starts everything and resolves with the exit code once stopped. */
  async run(): Promise<number> {
    this.handleProcessEvents();
    try {
      await this.start();
    } catch (error) {
      // A signal during startup aborts it: the shutdown already in progress decides the exit code.
      if (this.shutdown) return this.finished;
      fail(error instanceof UserError ? error.message : ((error as Error).stack ?? String(error)));
      void this.stop(1);
    }
    return this.finished;
  }

  private async start(): Promise<void> {
    const { config } = this.options;
    if (!(await isPortFree(config.port, ANY_ADDRESS))) {
      throw new UserError(
        `port ${config.port} is already in use — is Comptoir already running? set PORT to use another`,
      );
    }
    info(`data folder ${config.dataDir}`);
    removeRuntimeFile(config.dataDir);
    // Before PostgreSQL: whether identity has run here before is told by the cluster's presence.
    this.secrets = this.loadSecrets();
    const databaseUrls = await this.prepareDatabases();

    const avoid = [config.port, ...(this.postgres ? [this.postgres.port] : [])];
    const ports = await freePorts(this.backendCount, LOOPBACK, avoid);
    if (this.shutdown) return;
    info(`starting ${BACKEND_SERVICES.length + 1} services (${this.backendCount + 1} processes)`);
    const demoKeysExisted = existsSync(this.demoKeysFile);
    this.startBackends(ports, databaseUrls);
    this.startGateway();

    await this.waitForReadiness();
    this.ready = true;
    for (const line of bannerLines({
      demo: config.demo
        ? { keysFile: this.demoKeysFile, newKeys: demoKeysExisted ? undefined : readDemoKeys(this.demoKeysFile) }
        : undefined,
      port: config.port,
      listen: { host: this.gatewayHost, explicit: config.host !== undefined },
      dataDir: config.dataDir,
      logsDir: this.logsDir,
      postgres: this.postgresDescription,
      events: this.eventsDescription(),
      secondsToReady: process.uptime(),
    })) {
      raw(line);
    }
    this.writeRuntimeFile();
  }

  private eventsDescription(): string {
    const events = this.events;
    if (!events) return "none";
    return events.kind === "nats" ? `NATS JetStream ${redactNatsUrl(events.url)}` : events.description;
  }

  /** Tells `comptoir events ...` where the running platform is (removed on stop). */
  private writeRuntimeFile(): void {
    const { config } = this.options;
    if (this.shutdown) return;
    try {
      writeRuntimeFile(config.dataDir, {
        pid: process.pid,
        gatewayUrl: this.gatewayUrl,
        ...(this.events?.kind === "postgres" ? { eventLogUrl: this.events.url.toString() } : {}),
        ...(this.events?.kind === "nats" ? { natsUrl: this.events.url } : {}),
        ...(config.natsPrefix ? { natsPrefix: config.natsPrefix } : {}),
        ...(config.demo ? { demo: true } : {}),
        services: Object.fromEntries(
          [...this.backends].map(([service, instances]) => [service, instances.map((instance) => instance.spec.url)]),
        ),
      });
    } catch (error) {
      warn(`cannot write ${join(config.dataDir, "runtime.json")}: ${(error as Error).message}`);
    }
  }

  /**
   * INTERNAL_SECRET and KEYS_SECRET: given explicitly (a distributed setup), else the data folder's
   * own (secrets.json, generated on its first start). Never a built-in default, except the
   * development KEYS_SECRET of a data folder whose signing keys were encrypted with it.
   */
  private loadSecrets(): PlatformSecrets {
    const { config } = this.options;
    const file = loadOrCreateSecrets(config.dataDir);
    if (file.created) info(`generated this data folder's INTERNAL_SECRET and KEYS_SECRET in ${file.path} (0600)`);
    if (file.narrowed) warn(`${file.path} was readable by others: now 0600`);
    const secrets = {
      internalSecret: config.internalSecret ?? file.secrets.internalSecret,
      keysSecret: config.keysSecret ?? file.secrets.keysSecret,
    };
    if (config.keysSecret === undefined && secrets.keysSecret === DEFAULT_KEYS_SECRET) {
      warn(
        `identity's signing keys in this data folder are encrypted under the development KEYS_SECRET ` +
          `(the folder predates ${file.path}); start from a new data folder (COMPTOIR_DATA) to get a random one`,
      );
    }
    return secrets;
  }

  /**
   * The exact DATABASE_URL of each backend, and the event log's database unless events go through
   * NATS (`<base>_events` on the same server, or EVENT_LOG_URL), each created if missing.
   */
  private async prepareDatabases(): Promise<Record<BackendService, URL>> {
    const { config } = this.options;
    const transactionPooler = config.poolMode === "transaction";
    if (transactionPooler) {
      if (!config.databaseUrl || !config.databaseSessionUrl) {
        throw new UserError(
          "DATABASE_POOL_MODE=transaction needs DATABASE_URL (the pooler, e.g. PgBouncer in transaction mode) and " +
            "DATABASE_SESSION_URL (PostgreSQL itself, or a pooler in session mode): LISTEN, consumer leases, " +
            "migrations and the event log need real sessions, which a transaction-mode pooler does not give",
        );
      }
      if (Object.keys(config.serviceDatabaseUrls).length > 0) {
        throw new UserError(
          "DATABASE_POOL_MODE=transaction takes the databases from DATABASE_URL and DATABASE_SESSION_URL; unset the <SERVICE>_DATABASE_URL variables",
        );
      }
    }
    // The event log needs the shared server too, unless NATS or an EVENT_LOG_URL takes its place.
    const eventLogOnSharedServer = !config.natsUrl && !config.eventLogUrl;
    let serverUrl = config.databaseUrl;
    if (serverUrl) {
      this.postgresDescription = `${redactUrl(serverUrl)} (external${transactionPooler ? ", transaction pooling" : ""})`;
    } else if (eventLogOnSharedServer || needsSharedServer(BACKEND_SERVICES, config.serviceDatabaseUrls)) {
      serverUrl = await this.startEmbeddedPostgres();
    } else {
      this.postgresDescription = "per-service DATABASE_URLs";
    }
    const urls = resolveServiceDatabaseUrls(BACKEND_SERVICES, { serverUrl, overrides: config.serviceDatabaseUrls });
    // Behind a transaction pooler, the same databases on the server itself: what needs a session goes there.
    const sessionServer = transactionPooler ? config.databaseSessionUrl : serverUrl;
    this.sessionUrls = transactionPooler
      ? resolveServiceDatabaseUrls(BACKEND_SERVICES, { serverUrl: sessionServer, overrides: {} })
      : undefined;
    if (config.natsUrl) {
      this.events = { kind: "nats", url: config.natsUrl };
    } else if (config.eventLogUrl) {
      const url = config.eventLogUrl;
      this.events = { kind: "postgres", url, description: `PostgreSQL event log ${redactUrl(url)}` };
    } else {
      const url = eventLogDatabaseUrl(sessionServer as URL);
      this.events = { kind: "postgres", url, description: `PostgreSQL event log ${databaseOf(url)}` };
    }
    const sessionSide = this.sessionUrls ?? urls;
    // Before creating anything: a platform that cannot fit the server does not start at all.
    this.connections = await planConnections({
      instances: this.options.instances,
      serviceUrls: sessionSide,
      eventLogUrl: this.events.kind === "postgres" ? this.events.url : undefined,
      poolSize: config.poolSize,
      eventLogPoolSize: config.eventLogPoolSize,
      transactionPooler,
    });
    for (const line of describePlan(this.connections, transactionPooler)) info(line);
    const all = [...Object.values(sessionSide), ...(this.events.kind === "postgres" ? [this.events.url] : [])];
    const startedAt = Date.now();
    const created = await ensureDatabases(all);
    const createdNote = created.length ? `${created.length} created, ` : "";
    success(`${all.length} databases ready (${createdNote}${seconds(startedAt)})`);
    return urls;
  }

  private async startEmbeddedPostgres(): Promise<URL> {
    const { config } = this.options;
    const dataDir = join(config.dataDir, "postgres");
    const postgres = new EmbeddedPostgres({
      dataDir,
      passwordFile: join(config.dataDir, "postgres.password"),
      logFile: join(this.logsDir, "postgres.log"),
      port: async () => {
        if (config.pgPort === undefined) return firstFreePort(FIRST_EMBEDDED_PG_PORT, LOOPBACK, [config.port]);
        if (!(await isPortFree(config.pgPort, LOOPBACK))) {
          throw new UserError(`COMPTOIR_PG_PORT ${config.pgPort} is already in use; choose another or unset it`);
        }
        return config.pgPort;
      },
      // Each instance may hold 15 (connection-budget.ts: pool 10, session, admin slot, event-log
      // pool 2 and its listener); 30 each leaves room for psql and `comptoir events tail`.
      maxConnections: Math.max(100, 30 * this.backendCount + 20),
      onProgress: info,
    });
    this.postgres = postgres;
    const startedAt = Date.now();
    info("starting embedded PostgreSQL");
    await postgres.start();
    this.postgresDescription = `embedded, port ${postgres.port} (${dataDir})`;
    success(`PostgreSQL ready on port ${postgres.port} ${since(startedAt)}`);
    return postgres.url("comptoir");
  }

  private startBackends(ports: number[], databaseUrls: Record<BackendService, URL>): void {
    // Every service verifies access tokens against identity's public keys (its first instance: any
    // instance publishes the same keys, read from identity's database).
    const identityPort = ports[
      BACKEND_SERVICES.slice(0, BACKEND_SERVICES.indexOf("identity")).reduce(
        (sum, service) => sum + this.options.instances[service],
        0,
      )
    ] as number;
    const shared: Record<string, string> = {
      JWKS_URL: `http://${LOOPBACK}:${identityPort}${JWKS_PATH}`,
      COMPTOIR_DEMO: this.options.config.demo ? "true" : "false",
    };
    // Where every service's instances are (`INVENTORY_URLS=http://127.0.0.1:3103,...`), for the
    // services that call another directly (supply → inventory) with client-side load balancing.
    let offset = 0;
    for (const service of BACKEND_SERVICES) {
      const count = this.options.instances[service];
      shared[`${service.toUpperCase()}_URLS`] = ports
        .slice(offset, offset + count)
        .map((port) => `http://${LOOPBACK}:${port}`)
        .join(",");
      offset += count;
    }
    let next = 0;
    for (const service of BACKEND_SERVICES) {
      const instances: SupervisedInstance[] = [];
      for (let n = 1; n <= this.options.instances[service]; n++) {
        const port = ports[next++] as number;
        const env: Record<string, string> = {
          ...shared,
          DATABASE_URL: databaseUrls[service].toString(),
          DATABASE_POOL_SIZE: String(this.connections!.poolSize),
          DATABASE_POOL_MODE: this.options.config.poolMode,
          EVENT_LOG_POOL_SIZE: String(this.options.config.eventLogPoolSize),
        };
        if (this.sessionUrls) env.DATABASE_SESSION_URL = this.sessionUrls[service].toString();
        if (service === "identity") env.DEMO_API_KEYS_FILE = this.demoKeysFile;
        if (this.events?.kind === "postgres") env.EVENT_LOG_URL = this.events.url.toString();
        instances.push(this.instance(service, n, port, LOOPBACK, env));
      }
      this.backends.set(service, instances);
    }
    for (const instance of this.backendInstances()) instance.start();
  }

  private startGateway(): void {
    const upstreams: Record<string, string> = {};
    for (const [service, instances] of this.backends) {
      upstreams[`UPSTREAM_${service.toUpperCase()}`] = instances.map((instance) => instance.spec.url).join(",");
    }
    this.gateway = this.instance(GATEWAY, 1, this.options.config.port, this.gatewayHost, upstreams);
    this.gateway.start();
  }

  private instance(
    service: ServiceName,
    n: number,
    port: number,
    host: string,
    extraEnv: Record<string, string>,
  ): SupervisedInstance {
    const id = `${service}-${n}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: this.options.config.logLevel,
      PORT: String(port),
      HOST: host,
      INSTANCE_ID: id,
      // Absolute, so that a service storing files (catalog's images) finds the same folder.
      COMPTOIR_DATA: this.options.config.dataDir,
      ...extraEnv,
    };
    // The gateway has no database; an external DATABASE_URL in our env is not for it.
    if (service === GATEWAY) delete env.DATABASE_URL;
    // Set per service above, or not at all (never the launcher's own, which names the server).
    if (service === GATEWAY || !extraEnv.DATABASE_SESSION_URL) delete env.DATABASE_SESSION_URL;
    // Identity alone holds the secrets; a service with an account, and the gateway (which signs
    // what it tells identity), get their own credential, no other.
    for (const name of SECRET_VARIABLES) delete env[name];
    const secrets = this.secrets as PlatformSecrets;
    if (service === "identity") {
      env.INTERNAL_SECRET = secrets.internalSecret;
      env.KEYS_SECRET = secrets.keysSecret;
    } else if ((CREDENTIAL_HOLDERS as readonly string[]).includes(service)) {
      env.SERVICE_CREDENTIAL = deriveServiceCredential(secrets.internalSecret, service as CredentialHolder);
    }
    // With NATS, the services must not see an event log (nor the gateway, ever).
    if (service === GATEWAY || this.events?.kind !== "postgres") delete env.EVENT_LOG_URL;
    return new SupervisedInstance(
      {
        id,
        service,
        port,
        url: service === GATEWAY ? this.gatewayUrl : `http://${LOOPBACK}:${port}`,
        entry: this.options.entries[service],
        cwd: this.options.root,
        env,
        logFile: join(this.logsDir, `${id}.log`),
      },
      this.instanceEvents,
    );
  }

  private readonly instanceEvents: InstanceEvents = {
    onAttention: (instance, line) => instanceLine(instance.id, line.level, line.message),
    onCrash: (instance, exit, delayMs) =>
      warn(`${instance.id} exited (${describeExit(exit)}) — restarting in ${(delayMs / 1000).toFixed(1)} s`),
    onRestart: (instance) => {
      if (!this.ready || this.watchingReadiness.has(instance)) return;
      this.watchingReadiness.add(instance);
      waitUntilReady(instance.spec.url, this.aborted.signal).then(
        () => {
          this.watchingReadiness.delete(instance);
          success(`${instance.id} ready again`);
        },
        () => this.watchingReadiness.delete(instance),
      );
    },
  };

  private async waitForReadiness(): Promise<void> {
    const signal = this.aborted.signal;
    const pending = new Set<string>([...this.backends.keys(), GATEWAY]);
    const reminder = setInterval(
      () => warn(`still waiting for ${[...pending].join(", ")} — see the logs in ${this.logsDir}`),
      30_000,
    );
    const startedAt = Date.now();
    const readyLine = (service: string, count: number) => {
      pending.delete(service);
      success(`${service} ready (${count} instance${count > 1 ? "s" : ""}, ${seconds(startedAt)})`);
    };
    try {
      await Promise.all(
        [...this.backends].map(async ([service, instances]) => {
          await Promise.all(instances.map((instance) => waitUntilReady(instance.spec.url, signal)));
          readyLine(service, instances.length);
        }),
      );
      // Ready for the launcher once the gateway itself sees an instance of every service up
      // (/health/status); its own /health/ready only says that it can serve.
      await waitUntilReady(this.gatewayUrl, signal, undefined, GATEWAY_STATUS_PATH);
      readyLine(GATEWAY, 1);
    } finally {
      clearInterval(reminder);
    }
  }

  private get backendCount(): number {
    return BACKEND_SERVICES.reduce((sum, service) => sum + this.options.instances[service], 0);
  }

  private backendInstances(): SupervisedInstance[] {
    return [...this.backends.values()].flat();
  }

  private allInstances(): SupervisedInstance[] {
    return [...(this.gateway ? [this.gateway] : []), ...this.backendInstances()];
  }

  /** Gateway first (no new requests), then the backends, then PostgreSQL, then the lock. */
  private stop(code: number): Promise<number> {
    this.shutdown ??= (async () => {
      this.aborted.abort();
      // From now on, `comptoir events` no longer finds a running platform here.
      removeRuntimeFile(this.options.config.dataDir);
      const startedAt = Date.now();
      try {
        if (this.allInstances().length > 0) {
          info("stopping services");
          await this.gateway?.stop(STOP_TIMEOUT_MS);
          await Promise.all(this.backendInstances().map((instance) => instance.stop(STOP_TIMEOUT_MS)));
          if (!this.forced) success(`services stopped ${since(startedAt)}`);
        }
        if (this.postgres && !this.forced) {
          const pgStartedAt = Date.now();
          if (await this.postgres.stop()) success(`PostgreSQL stopped ${since(pgStartedAt)}`);
        }
      } catch (error) {
        fail(`while stopping: ${(error as Error).message}`);
        code = code || 1;
      } finally {
        this.options.lock.release();
      }
      // After a forced stop, forceStop decides the exit code.
      if (!this.forced) this.finish(code);
      return code;
    })();
    return this.shutdown;
  }

  /** A second Ctrl-C: kill everything now. */
  private async forceStop(): Promise<void> {
    if (this.forced) return;
    this.forced = true;
    warn("forced stop: killing services and PostgreSQL");
    for (const instance of this.allInstances()) instance.kill();
    await this.postgres?.kill();
    removeRuntimeFile(this.options.config.dataDir);
    this.options.lock.release();
    this.finish(130);
  }

  private handleProcessEvents(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (!this.shutdown) {
        this.firstSignalAt = Date.now();
        blank();
        info(`${signal} received — stopping (press Ctrl-C again to force)`);
        void this.stop(0);
      } else if (Date.now() - this.firstSignalAt > REPEATED_SIGNAL_MS) {
        void this.forceStop();
      }
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
    // A closed terminal (SIGHUP) makes console writes fail; that must not interrupt the shutdown.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    process.on("uncaughtException", (error) => {
      fail(`unexpected error: ${error.stack ?? error.message}`);
      void this.stop(1);
    });
    // Last resort if we exit without stopping them (they would also go when their IPC channel closes).
    process.on("exit", () => {
      removeRuntimeFile(this.options.config.dataDir);
      for (const instance of this.allInstances()) instance.kill();
    });
  }
}

/** What the launcher planned, one line per server: the pool size and the connections it may take. */
function describePlan(plan: BudgetPlan, transactionPooler: boolean): string[] {
  const pool = transactionPooler
    ? `pools of ${plan.poolSize} per instance go through the pooler`
    : `pools of ${plan.poolSize} per instance${plan.automatic ? " (sized to fit)" : " (DATABASE_POOL_SIZE)"}`;
  return [
    `database connections: ${pool}`,
    ...plan.servers.map(
      (server) =>
        `  ${server.server}: at most ${server.total} of ${usableConnections(server.capacity)} usable ` +
        `(max_connections ${server.capacity.maxConnections} − ${server.capacity.reserved} reserved) = ${server.formula}`,
    ),
  ];
}

function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
}

function since(startedAt: number): string {
  return `(${seconds(startedAt)})`;
}

/** The demo API keys identity wrote at its first start, or undefined when there are none. */
function readDemoKeys(path: string): DemoKey[] | undefined {
  try {
    const keys = JSON.parse(readFileSync(path, "utf8")) as DemoKey[];
    return Array.isArray(keys) ? keys : undefined;
  } catch {
    return undefined;
  }
}

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { ServiceAccountName } from "@comptoir/contracts";
import type { EventBus } from "@comptoir/events";
import type { ServiceTokens } from "@comptoir/platform";
import type { TokenVerifier } from "@comptoir/platform";
import type { Db } from "@comptoir/platform/db";
import type { App } from "@comptoir/platform";
import { createLogger, type Logger } from "@comptoir/platform";
import { migrationsDirOf } from "@comptoir/platform";
import { closeEach } from "./expectations";
import { http, listen, type TestApi } from "./http";
import { createServiceTestbed, type ServiceTestbed, type ServiceTestbedOptions } from "./service-testbed";
import { createTestIssuer, type TestIssuer, type TestTokenOptions } from "./test-issuer";

/** What every service's `buildApp` takes; a test adds what is particular to the service. */
export interface ServiceParts {
  db: Db;
  /** The database's URL, for a pool of the test's own next to the service's (not a buildApp dependency). */
  databaseUrl: string;
  bus: EventBus;
  logger: Logger;
  instance: string;
  auth: TokenVerifier;
}

export type BuildService = (parts: ServiceParts) => Promise<App>;

export interface StartServiceOptions extends Omit<ServiceTestbedOptions, "instance"> {
  /** The service's public `buildApp`, given the parts and what the test adds. */
  build: BuildService;
  /** Starts the bus after the first instance listens: relay and consumers run (default: never started). */
  startBus?: boolean;
  /** A token issuer shared with other services of the test (they trust each other's tokens); else its own. */
  issuer?: TestIssuer;
  /** Keeps every log line of every instance (JSON, level debug) in `logs`. */
  keepLogs?: boolean;
}

/** One listening instance of the service. */
export interface ServiceInstance {
  name: string;
  app: App;
  base: string;
  inject: App["inject"];
  anonymous: TestApi;
  /** A caller with a bearer token of the issuer the service trusts. */
  as(options: TestTokenOptions): Promise<TestApi>;
  close(): Promise<void>;
}

export interface StartedService extends ServiceInstance {
  service: string;
  /** The service's own database: for white-box assertions in this service's own tests only. */
  db: Db;
  testbed: ServiceTestbed;
  issuer: TestIssuer;
  /** An admin caller (every permission) of the first instance. */
  admin: TestApi;
  /** Every log line, when started with `keepLogs`. */
  logs: string[];
  bus: EventBus;
  /** The token another service presents when it calls this one (its service account). */
  serviceTokens(account: ServiceAccountName): ServiceTokens;
  /** Another instance on the same database and bus (a second process); `build` defaults to the service's. */
  instance(name: string, build?: BuildService): Promise<ServiceInstance>;
  /**
   * Closes every instance, stops the bus, runs `between` (e.g. rewinding a consumer group), then starts
   * a new bus and a first instance again on the same databases: a restart. This object then points at it.
   */
  restart(between?: () => Promise<void>): Promise<void>;
  /** Outbox events of a type (their data), oldest first, optionally for one subject. */
  published(type: string, subject?: string): Promise<any[]>;
  /** Something of the test's to close with the service: after its instances, before its databases. */
  onClose(what: string, close: () => Promise<unknown>): void;
  close(): Promise<void>;
}

/** The migrations folder of a workspace package (another service), found from its entry point. */
export function migrationsDirOfPackage(name: string): string {
  return migrationsDirOf(pathToFileURL(createRequire(import.meta.url).resolve(name)).href);
}

/**
 * Any service from its public `buildApp`, as its component tests need it: a fresh database with its
 * migrations and the event tables, a bus on the PostgreSQL event log (not started unless asked), a test
 * token issuer, listening on an ephemeral port; `close` bounds each part (15 s) and names one that hangs.
 */
export async function startService(options: StartServiceOptions): Promise<StartedService> {
  const { build, startBus, keepLogs, ...testbedOptions } = options;
  const service = options.service;
  const [testbed, issuer] = await Promise.all([
    createServiceTestbed({ ...testbedOptions, instance: `${service}-test` }),
    options.issuer ?? createTestIssuer(),
  ]);
  const logs: string[] = [];
  const instances: ServiceInstance[] = [];
  const closers: (readonly [string, () => Promise<unknown>])[] = [];
  let lives = 0;
  // `<service>-test`, then `<service>-test-2`… after restarts (the bus's and first instance's name).
  const lifeName = (life: number) => (life === 1 ? `${service}-test` : `${service}-test-${life}`);

  const loggerOf = (instance: string): Logger =>
    keepLogs
      ? createLogger({
          service,
          instance,
          level: "debug",
          destination: { write: (line: string) => void logs.push(line) },
        })
      : testbed.logger;

  async function instance(name: string, buildIt: BuildService = build): Promise<ServiceInstance> {
    const app = await buildIt({
      db: testbed.database.db,
      databaseUrl: testbed.database.url,
      bus: testbed.bus,
      logger: loggerOf(name),
      instance: name,
      auth: issuer.verifier,
    });
    const base = await listen(app);
    const started: ServiceInstance = {
      name,
      app,
      base,
      inject: app.inject.bind(app),
      anonymous: http(base),
      as: async (o) => http(base, { authorization: `Bearer ${await issuer.token(o)}` }),
      close: () => app.close(),
    };
    instances.push(started);
    return started;
  }

  /** The first instance (again, after a restart): what `started` shows of it. */
  async function boot() {
    lives++;
    const { name, app, base, inject, anonymous, as } = await instance(lifeName(lives));
    if (startBus) await testbed.bus.start();
    return { name, app, base, inject, anonymous, as, admin: await as({ role: "admin" }) };
  }

  const closeInstances = () =>
    closeEach(
      `${service} test`,
      instances.splice(0).map((i) => [`instance ${i.name}`, () => i.close()] as const),
    );

  async function closeAll() {
    await closeInstances();
    await closeEach(`${service} test`, [
      ...closers.splice(0),
      ["its testbed", () => testbed.close()],
      ...(options.issuer ? [] : [["its issuer", () => issuer.close()] as const]),
    ]);
  }

  let first: Awaited<ReturnType<typeof boot>>;
  try {
    first = await boot();
  } catch (error) {
    // A buildApp that throws leaves no database behind.
    await closeAll();
    throw error;
  }
  const started: StartedService = {
    ...first,
    service,
    db: testbed.database.db,
    testbed,
    issuer,
    logs,
    get bus() {
      return testbed.bus;
    },
    serviceTokens: (account) => ({ token: () => issuer.token({ service: account }), invalidate() {} }),
    instance,
    async restart(between) {
      await closeInstances();
      await testbed.bus.stop();
      await between?.();
      testbed.bus = await testbed.newBus(lifeName(lives + 1));
      Object.assign(started, await boot());
    },
    async published(type, subject) {
      const { rows } = await testbed.database.db.query(
        "SELECT envelope FROM outbox WHERE type = $1 AND ($2::text IS NULL OR subject = $2) ORDER BY position",
        [type, subject ?? null],
      );
      return rows.map((r) => r.envelope.data);
    },
    onClose: (what, close) => void closers.push([what, close]),
    close: closeAll,
  };
  return started;
}

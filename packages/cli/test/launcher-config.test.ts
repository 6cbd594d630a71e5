import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseUpArguments } from "../src/commands/up.command";
import { parseInstances } from "../src/config/instances.option";
import { loadLauncherConfig, serviceDatabaseUrlVariable } from "../src/config/launcher.config";
import { UsageError } from "../src/errors";

const cwd = "/srv/shop";

function configError(env: Record<string, string>): UsageError {
  try {
    loadLauncherConfig(env, cwd);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a configuration error");
}

describe("launcher configuration from the environment", () => {
  it("has defaults that need no configuration at all", () => {
    expect(loadLauncherConfig({}, cwd)).toEqual({
      port: 8080,
      dataDir: "/srv/shop/.data",
      databaseUrl: undefined,
      serviceDatabaseUrls: {},
      pgPort: undefined,
      logLevel: "info",
      eventLogUrl: undefined,
      natsUrl: undefined,
      natsPrefix: undefined,
      demo: true,
      host: undefined,
      internalSecret: undefined,
      keysSecret: undefined,
      poolSize: undefined,
      eventLogPoolSize: 2,
      poolMode: "session",
      databaseSessionUrl: undefined,
    });
  });

  it("reads the connection settings: pool sizes, the pooling mode and the session URL", () => {
    expect(
      loadLauncherConfig(
        {
          DATABASE_POOL_SIZE: "4",
          EVENT_LOG_POOL_SIZE: "3",
          DATABASE_POOL_MODE: "transaction",
          DATABASE_SESSION_URL: "postgres://app@db:5432/shop",
        },
        cwd,
      ),
    ).toMatchObject({
      poolSize: 4,
      eventLogPoolSize: 3,
      poolMode: "transaction",
      databaseSessionUrl: new URL("postgres://app@db:5432/shop"),
    });
    expect(() => loadLauncherConfig({ DATABASE_POOL_SIZE: "0" }, cwd)).toThrow(
      'DATABASE_POOL_SIZE must be an integer from 1 to 200, got "0"',
    );
    expect(() => loadLauncherConfig({ DATABASE_POOL_MODE: "statement" }, cwd)).toThrow(
      'DATABASE_POOL_MODE must be session or transaction, got "statement"',
    );
  });

  it("runs in demo mode unless told otherwise or in production", () => {
    expect(loadLauncherConfig({ COMPTOIR_DEMO: "0" }, cwd).demo).toBe(false);
    expect(loadLauncherConfig({ COMPTOIR_DEMO: "off" }, cwd).demo).toBe(false);
    expect(loadLauncherConfig({ NODE_ENV: "production" }, cwd).demo).toBe(false);
    // Asked for explicitly in production: the launcher passes it on, and identity refuses to start.
    expect(loadLauncherConfig({ NODE_ENV: "production", COMPTOIR_DEMO: "yes" }, cwd).demo).toBe(true);
    expect(() => loadLauncherConfig({ COMPTOIR_DEMO: "maybe" }, cwd)).toThrow(
      'COMPTOIR_DEMO must be true or false (1/0, yes/no, on/off), got "maybe"',
    );
  });

  it("reads every variable, resolving a relative data folder against the working directory", () => {
    const config = loadLauncherConfig(
      {
        PORT: "9000",
        COMPTOIR_DATA: "var/comptoir",
        DATABASE_URL: "postgres://app:secret@db.internal:5432/shop",
        CATALOG_DATABASE_URL: "postgresql://cat@catalog-db/catalog",
        COMPTOIR_PG_PORT: "6543",
        LOG_LEVEL: "DEBUG",
        EVENT_LOG_URL: "postgres://events@events-db/log",
        NATS_URL: "nats://nats-1:4222,nats://nats-2:4222",
        NATS_PREFIX: "shop",
        HOST: "0.0.0.0",
        INTERNAL_SECRET: " an internal secret, spaces kept ",
        KEYS_SECRET: "a keys secret",
      },
      cwd,
    );
    expect(config.port).toBe(9000);
    expect(config.dataDir).toBe(resolve(cwd, "var/comptoir"));
    expect(config.databaseUrl?.hostname).toBe("db.internal");
    expect(config.serviceDatabaseUrls.catalog?.toString()).toBe("postgresql://cat@catalog-db/catalog");
    expect(config.pgPort).toBe(6543);
    expect(config.logLevel).toBe("debug");
    expect(config.eventLogUrl?.toString()).toBe("postgres://events@events-db/log");
    expect(config.natsUrl).toBe("nats://nats-1:4222,nats://nats-2:4222");
    expect(config.natsPrefix).toBe("shop");
    expect(config.host).toBe("0.0.0.0");
    // Secrets as given: identity reads them untrimmed, and credentials derive from the exact value.
    expect(config.internalSecret).toBe(" an internal secret, spaces kept ");
    expect(config.keysSecret).toBe("a keys secret");
  });

  it("treats an empty variable as unset", () => {
    expect(loadLauncherConfig({ PORT: "", DATABASE_URL: " ", HOST: "", INTERNAL_SECRET: "" }, cwd)).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      host: undefined,
      internalSecret: undefined,
    });
  });

  it("keeps an absolute data folder as is", () => {
    expect(loadLauncherConfig({ COMPTOIR_DATA: "/var/lib/comptoir" }, cwd).dataDir).toBe("/var/lib/comptoir");
  });

  it.each([
    [{ PORT: "abc" }, 'PORT must be a port number (1-65535), got "abc"'],
    [{ PORT: "0" }, 'PORT must be a port number (1-65535), got "0"'],
    [{ PORT: "70000" }, 'PORT must be a port number (1-65535), got "70000"'],
    [{ PORT: "80.5" }, 'PORT must be a port number (1-65535), got "80.5"'],
    [{ COMPTOIR_PG_PORT: "-1" }, 'COMPTOIR_PG_PORT must be a port number (1-65535), got "-1"'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [
      { DATABASE_URL: "localhost:5432" },
      'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:port/database), got "localhost:5432"',
    ],
    [
      { EVENT_LOG_URL: "redis://localhost" },
      'EVENT_LOG_URL must be a PostgreSQL URL (postgres://user:password@host:port/database), got "redis://localhost"',
    ],
    [{ NATS_URL: "localhost:4222" }, 'NATS_URL must be a NATS URL (nats://host:4222), got "localhost:4222"'],
    [
      { HOST: "http://0.0.0.0" },
      'HOST must be an address to listen on (127.0.0.1, 0.0.0.0, a host name), got "http://0.0.0.0"',
    ],
    [
      { NATS_PREFIX: "Shop_1" },
      'NATS_PREFIX must be lowercase letters and digits starting with a letter, got "Shop_1"',
    ],
  ])("rejects %j with one line naming the variable", (env, message) => {
    const error = configError(env);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it("never shows the password of an invalid URL", () => {
    const error = configError({ ORDERS_DATABASE_URL: "mysql://shop:hunter2@db/orders" });
    expect(error.message).toMatch(/^ORDERS_DATABASE_URL must be a PostgreSQL URL/);
    expect(error.message).not.toContain("hunter2");
    const nats = configError({ NATS_URL: "nats://svc:hunter2@nats:4222,http://nats-2" });
    expect(nats.message).toBe(
      'NATS_URL must be a NATS URL (nats://host:4222), got "nats://svc:***@nats:4222,http://nats-2"',
    );
  });

  it("names the per-service override variables after the service", () => {
    expect(serviceDatabaseUrlVariable("notifications")).toBe("NOTIFICATIONS_DATABASE_URL");
  });
});

describe("--instances", () => {
  it("runs one instance of each backend by default", () => {
    const counts = parseInstances([]);
    expect(Object.keys(counts)).toHaveLength(11);
    expect(Object.values(counts).every((count) => count === 1)).toBe(true);
  });

  it("accepts repeated and comma-separated values", () => {
    const counts = parseInstances(["catalog=3", "search=2, orders=4"]);
    expect(counts).toMatchObject({ catalog: 3, search: 2, orders: 4, identity: 1 });
  });

  it("is read from the up command's arguments, in both spellings", () => {
    expect(parseUpArguments(["--instances", "catalog=2", "--instances=cart=3"]).instances).toMatchObject({
      catalog: 2,
      cart: 3,
    });
  });

  it.each([
    ["nope=2", '--instances: unknown service "nope" (one of: identity, catalog,'],
    ["catalog=0", '--instances: the count for catalog must be a positive integer, got "0"'],
    ["catalog=two", '--instances: the count for catalog must be a positive integer, got "two"'],
    ["catalog=1.5", '--instances: the count for catalog must be a positive integer, got "1.5"'],
    ["catalog", '--instances expects <service>=<count> (e.g. catalog=3), got "catalog"'],
    ["gateway=2", "--instances: the gateway runs as one instance"],
  ])("rejects %s with one clear line (exit code 2)", (value, message) => {
    expect(() => parseInstances([value])).toThrow(message);
    expect(() => parseInstances([value])).toThrow(UsageError);
  });

  it("rejects unknown options and stray arguments of up", () => {
    expect(() => parseUpArguments(["--bogus"])).toThrow("up: unknown option --bogus");
    expect(() => parseUpArguments(["now"])).toThrow('up: unexpected argument "now"');
    expect(() => parseUpArguments(["--instances"])).toThrow("--instances needs a value");
  });
});

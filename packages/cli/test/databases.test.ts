import { BACKEND_SERVICES } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import {
  baseDatabaseName,
  eventLogDatabaseUrl,
  needsSharedServer,
  redactNatsUrl,
  redactUrl,
  resolveServiceDatabaseUrls,
  withDatabase,
} from "../src/config/databases";

describe("database of each service", () => {
  it("is <name of DATABASE_URL>_<service> on the shared server, keeping user, password and options", () => {
    const urls = resolveServiceDatabaseUrls(BACKEND_SERVICES, {
      serverUrl: new URL("postgres://shop:s3cret@db.internal:6432/comptoir?sslmode=require"),
      overrides: {},
    });
    expect(urls.catalog.toString()).toBe("postgres://shop:s3cret@db.internal:6432/comptoir_catalog?sslmode=require");
    expect(Object.keys(urls)).toEqual([...BACKEND_SERVICES]);
    expect(new Set(Object.values(urls).map((url) => url.pathname)).size).toBe(11);
  });

  it("defaults the base name to comptoir when the server URL names no database", () => {
    expect(baseDatabaseName(new URL("postgres://127.0.0.1:5432"))).toBe("comptoir");
    expect(baseDatabaseName(new URL("postgres://127.0.0.1:5432/"))).toBe("comptoir");
    const urls = resolveServiceDatabaseUrls(["orders"], { serverUrl: new URL("postgres://127.0.0.1"), overrides: {} });
    expect(urls.orders.toString()).toBe("postgres://127.0.0.1/comptoir_orders");
  });

  it("uses a <SERVICE>_DATABASE_URL override exactly", () => {
    const override = new URL("postgres://cat:pw@catalog-db:5432/products");
    const urls = resolveServiceDatabaseUrls(["catalog", "cart"], {
      serverUrl: new URL("postgres://127.0.0.1/shop"),
      overrides: { catalog: override },
    });
    expect(urls.catalog).toBe(override);
    expect(urls.cart.toString()).toBe("postgres://127.0.0.1/shop_cart");
  });

  it("needs no shared server when every service has its own URL", () => {
    const all = Object.fromEntries(BACKEND_SERVICES.map((service) => [service, new URL(`postgres://h/${service}`)]));
    expect(needsSharedServer(BACKEND_SERVICES, all)).toBe(false);
    expect(needsSharedServer(BACKEND_SERVICES, { catalog: new URL("postgres://h/c") })).toBe(true);
  });

  it("encodes unusual characters in passwords and names", () => {
    const server = new URL("postgres://127.0.0.1:5433/x");
    server.username = "postgres";
    server.password = "a/b@c";
    const url = withDatabase(server, "comptoir_catalog");
    expect(decodeURIComponent(url.password)).toBe("a/b@c");
    expect(url.pathname).toBe("/comptoir_catalog");
  });

  it("hides the password when shown", () => {
    expect(redactUrl(new URL("postgres://shop:s3cret@db:5432/comptoir"))).toBe("postgres://shop:***@db:5432/comptoir");
    expect(redactUrl(new URL("postgres://db:5432/comptoir"))).toBe("postgres://db:5432/comptoir");
  });
});

describe("the PostgreSQL event log's database", () => {
  it("is <name>_events on the shared server, keeping user, password and options", () => {
    const server = new URL("postgres://shop:s3cret@db.internal:6432/comptoir?sslmode=require");
    expect(eventLogDatabaseUrl(server).toString()).toBe(
      "postgres://shop:s3cret@db.internal:6432/comptoir_events?sslmode=require",
    );
    expect(eventLogDatabaseUrl(new URL("postgres://127.0.0.1:5433")).pathname).toBe("/comptoir_events");
  });
});

describe("NATS URLs in messages and the banner", () => {
  it("hide a password, and a token altogether", () => {
    expect(redactNatsUrl("nats://127.0.0.1:4222")).toBe("nats://127.0.0.1:4222");
    expect(redactNatsUrl("nats://svc:hunter2@nats-1:4222, tls://s3cr3ttoken@nats-2:4222")).toBe(
      "nats://svc:***@nats-1:4222,tls://***@nats-2:4222",
    );
  });
});

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ComptoirClient, problemOf, unwrap } from "@comptoir/client";
import { ALL_SERVICES, BACKEND_SERVICES } from "@comptoir/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { testServerUrl } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  LAUNCHER,
  pidOf,
  type Platform,
  processesOf,
  ROOT,
  start,
  stop,
  waitUntilReady,
  withoutComptoirVariables,
} from "./support/platform";
import { PGBOUNCER, type PgBouncer, startPgBouncer } from "./support/pgbouncer";
import { expectStatus, gatewayClient } from "./support/api";

/**
 * Boots the whole platform the way a user does (`npm start` runs this same launcher bundle) and
 * talks to it only through the gateway.
 */

async function json(res: Response): Promise<any> {
  return res.json();
}

/** The gateway's typed client signed in as a demo account (seeded in demo mode, the launcher's default). */
async function signedIn(base: string, who = "admin"): Promise<ComptoirClient> {
  const api = gatewayClient(base);
  const email = `${who}@demo.comptoir.dev`;
  const res = await api.identity.POST("/api/identity/login", { body: { email, password: "comptoir-demo" } });
  expectStatus(res, 200, `login of ${email}`);
  return api.withToken(res.data!.token);
}

/** One variant's level at one location: the status, and the level when the answer is one. */
async function stockLevel(api: ComptoirClient, variantId: string, locationId: string) {
  const res = await api.inventory.GET("/api/inventory/stock", { params: { query: { variantId, locationId } } });
  return { status: res.response.status, level: res.data && "onHand" in res.data ? res.data : undefined };
}

/** The events admin API's status (its answer's shape is not in the public documents). */
type EventsStatus = {
  outbox: { unsent: number };
  groups: { lag: Record<string, number> }[];
  deadLetters: unknown[];
};

describe("the platform, booted by the launcher, through the gateway", { timeout: 150_000 }, () => {
  let dataDir: string;
  let port: number;
  let platform: Platform | undefined;

  beforeAll(async () => {
    expect(existsSync(LAUNCHER), "run `npm run build` first (npm test does)").toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
    port = await freePort();
  });
  afterAll(async () => {
    if (platform) await stop(platform, "SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts on embedded PostgreSQL with all twelve services ready (two catalog instances)", async () => {
    platform = start({ PORT: String(port), COMPTOIR_DATA: dataDir }, ["--instances", "catalog=2"]);
    const { seconds, body } = await waitUntilReady(platform);
    console.log(`platform ready in ${seconds.toFixed(1)} s (embedded PostgreSQL, first start)`);
    expect(body.status).toBe("ok");
    expect(Object.keys(body.services).sort()).toEqual([...BACKEND_SERVICES].sort());
    for (const service of BACKEND_SERVICES) {
      expect(body.services[service].status, service).toBe("ok");
      expect(body.services[service].instances.length, service).toBeGreaterThanOrEqual(1);
    }
    expect(body.services.catalog.instances).toHaveLength(2);
    expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    expect(ALL_SERVICES).toHaveLength(12);
  });

  it("routes to the catalog: a category created through the gateway can be read back", async () => {
    const base = platform!.base;
    const admin = await signedIn(base);
    const anonymous = await gatewayClient(base).catalog.POST("/api/catalog/categories", {
      body: { name: "Épicerie fine" },
    });
    expect(anonymous.response.status).toBe(401);
    const created = await admin.catalog.POST("/api/catalog/categories", {
      body: { name: "Épicerie fine" },
      headers: { "x-request-id": "e2e-create-1" },
    });
    expectStatus(created, 201, "category");
    expect(created.response.headers.get("x-request-id")).toBe("e2e-create-1");
    const category = created.data!;
    expect(category.slug).toBe("epicerie-fine");

    const tree = unwrap(await gatewayClient(base).catalog.GET("/api/catalog/categories"));
    expect(tree.data.map((c) => c.id)).toContain(category.id);

    const invalid = await admin.catalog.POST("/api/catalog/categories", { body: { name: "" } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(problemOf(invalid)?.code).toBe("validation_failed");

    // A path no service has: raw HTTP, the client knows only real paths.

    const unknown = await fetch(`${base}/api/nothing/here`);
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).code).toBe("route_not_found");
  });

  it("makes a product created in catalog known to inventory within a second (with no demo stock: that is the demo catalog's alone)", async () => {
    const base = platform!.base;
    const admin = await signedIn(base);
    const tree = unwrap(await admin.catalog.GET("/api/catalog/categories"));
    const leaf = tree.data.find((c) => c.slug === "epicerie-fine")!;
    const central = "0192f5a0-0000-7000-8000-00000000c001";
    const variants: string[] = [];
    /** Creates a product with one variant; resolves with the ms until inventory knows it. */
    const knownAfter = async (name: string): Promise<number> => {
      const created = await admin.catalog.POST("/api/catalog/products", {
        body: {
          categoryId: leaf.id,
          name,
          status: "active",
          variants: [{ sku: `E2E-${Date.now()}`, options: { poids: "220 g" }, price: 690 }],
        },
      });
      expectStatus(created, 201, "product");
      const startedAt = Date.now();
      const variantId = created.data!.variants[0]!.id;
      variants.push(variantId);
      for (;;) {
        const level = await stockLevel(admin, variantId, central);
        if (level.status === 200) return Date.now() - startedAt;
        if (level.status !== 200) expect(level.status).toBe(404); // variant_not_found until the event arrives
        if (Date.now() - startedAt > 10_000) throw new Error("inventory never learned the variant");
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    // The first event after a start also opens the consumers' connections; the second is the steady state.
    const first = await knownAfter("Rillettes du Mans");
    // Steady state: the demo data's events (156 variants, their demo stock) all handled, so that the
    // figure is the flow's latency and not a queue behind the start-up's backlog on two cores.
    const quietSince = Date.now();
    for (;;) {
      const catalog = unwrap(await admin.catalog.GET("/api/catalog/admin/events/status")) as EventsStatus;
      const inventory = unwrap(await admin.inventory.GET("/api/inventory/admin/events/status")) as EventsStatus;
      const lag = inventory.groups.flatMap((g) => Object.values(g.lag)).reduce((sum, n) => sum + n, 0);
      if (catalog.outbox.unsent === 0 && inventory.outbox.unsent === 0 && lag === 0) break;
      if (Date.now() - quietSince > 30_000) throw new Error(`never quiet: ${JSON.stringify({ catalog, inventory })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await knownAfter("Rillettes de canard");
    console.log(`catalog → inventory: variant known after ${first} ms (first), ${second} ms (next)`);
    expect(second).toBeLessThan(1_000);
    // Once catalog.variant.created is handled too (the lag back to 0), a user's product still has
    // nothing on hand: demo stock is for the demo catalog's variants only.
    const handled = Date.now();
    for (;;) {
      const inventory = unwrap(await admin.inventory.GET("/api/inventory/admin/events/status")) as EventsStatus;
      if (inventory.groups.flatMap((g) => Object.values(g.lag)).every((n) => n === 0)) break;
      if (Date.now() - handled > 30_000) throw new Error("inventory never caught up with catalog's events");
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const variantId of variants) {
      expect((await stockLevel(admin, variantId, central)).level!.onHand).toBe(0);
    }
  });

  it("replenishes a store: the clerk asks, the manager approves, supply moves the stock with its own service token", async () => {
    const base = platform!.base;
    const [clerk, manager] = [await signedIn(base, "clerk"), await signedIn(base, "manager")];
    const central = "0192f5a0-0000-7000-8000-00000000c001";
    const store1 = "0192f5a0-0000-7000-8000-00000000c101";
    const levels = unwrap(
      await manager.inventory.GET("/api/inventory/stock", { params: { query: { locationId: central, limit: 1 } } }),
    );
    const variantId = "data" in levels ? levels.data[0]!.variantId : levels.variantId;
    const levelAt = async (locationId: string) => (await stockLevel(manager, variantId, locationId)).level!;
    const before = { central: await levelAt(central), store: await levelAt(store1) };

    const asked = await clerk.supply.POST("/api/supply/requests", {
      body: { locationId: store1, items: [{ variantId, quantity: 2 }], note: "e2e" },
    });
    expectStatus(asked, 201, "replenishment request");
    const { id } = asked.data!;
    const approve = (who: ComptoirClient) =>
      who.supply.POST("/api/supply/requests/{id}/approve", { params: { path: { id } } });
    expect((await approve(clerk)).response.status).toBe(403);
    const approved = await approve(manager);
    expectStatus(approved, 200, "approval");
    expect(approved.data!.status).toBe("completed");
    expect((await levelAt(central)).onHand).toBe(before.central.onHand - 2);
    expect((await levelAt(store1)).onHand).toBe(before.store.onHand + 2);
    // The service-token endpoint is internal: never reachable through the gateway (nor in the
    // client, which knows only the public documents: raw HTTP).
    const internal = await fetch(`${base}/api/identity/internal/service-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ service: "supply", secret: "comptoir-development-internal-secret" }),
    });
    expect(internal.status).toBe(404);
  });

  it("serves every service's health, metrics and OpenAPI document behind the gateway", async () => {
    const base = platform!.base;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const doc = await json(await fetch(`${base}/docs/catalog/openapi.json`));
    expect(Object.keys(doc.paths)).toContain("/api/catalog/categories");
  });

  it("restarts a service that crashes, and the gateway routes to it again", async () => {
    const victim = pidOf(dataDir, "inventory-1");
    expect(victim).toBeDefined();
    process.kill(victim!, "SIGKILL");
    // Routed and answered by inventory itself (its own 404), not a 503 from the gateway.
    const routed = async () => (await fetch(`${platform!.base}/api/inventory/nothing-here`)).status === 404;
    const deadline = Date.now() + 20_000;
    let restarted: number | undefined;
    while (Date.now() < deadline) {
      restarted = pidOf(dataDir, "inventory-1");
      if (restarted && restarted !== victim && (await routed())) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(victim);
    expect(await routed()).toBe(true);
    expect(platform!.output()).toMatch(/inventory-1 exited \(.*SIGKILL.*\) — restarting/);
  });

  it("feeds search from catalog's events, each category once, even when the catalog is killed mid-stream", async () => {
    const base = platform!.base;
    const admin = await signedIn(base);
    const createCategory = async (name: string): Promise<string> => {
      const res = await admin.catalog.POST("/api/catalog/categories", { body: { name } });
      expectStatus(res, 201, "category");
      return res.data!.id;
    };
    const searchIds = async (): Promise<string[]> => {
      const res = await gatewayClient(base).search.GET("/api/search/categories");
      expectStatus(res, 200, "search's categories");
      return res.data!.data.map((c) => c.id);
    };
    async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
      const deadline = Date.now() + 30_000;
      let value = await probe();
      while (!done(value)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
        await new Promise((r) => setTimeout(r, 100));
        value = await probe();
      }
      return value;
    }

    const first = await createCategory("Flux 0");
    await eventually(searchIds, (ids) => ids.includes(first), "the first category in search");

    const created = [first];
    for (let i = 1; i <= 20; i++) created.push(await createCategory(`Flux ${i}`));
    // Every catalog instance dies at once, maybe between writing its outbox and marking it sent.
    const victims = ["catalog-1", "catalog-2"].map((instance) => pidOf(dataDir, instance));
    expect(victims.every((pid) => pid !== undefined)).toBe(true);
    for (const pid of victims) process.kill(pid!, "SIGKILL");
    await eventually(
      async () => ({
        pid: pidOf(dataDir, "catalog-1"),
        status: await gatewayClient(base)
          .catalog.GET("/api/catalog/categories")
          .then(
            (r) => r.response.status,
            () => 0,
          ),
      }),
      ({ pid, status }) => pid !== undefined && !victims.includes(pid) && status === 200,
      "the catalog to be restarted",
    );
    expect(platform!.output()).toMatch(/catalog-1 exited \(.*SIGKILL.*\) — restarting/);

    const ids = await eventually(
      searchIds,
      (ids) => created.every((id) => ids.includes(id)),
      "all 21 categories in search",
    );
    const ours = ids.filter((id) => created.includes(id));
    expect(ours).toHaveLength(21); // none twice
    expect(new Set(ours).size).toBe(21);
    const status = await eventually(
      async () => (await admin.search.GET("/api/search/admin/events/status")).data as EventsStatus | undefined,
      (body) => body?.groups?.[0]?.lag?.catalog === 0,
      "search to have caught up",
    );
    expect(status!.deadLetters).toEqual([]);
  });

  it("refuses a second start on the same port with a clear message", async () => {
    const second = start({ PORT: String(port), COMPTOIR_DATA: `${dataDir}-other` });
    const code = await new Promise<number | null>((r) => second.process.once("exit", (c) => r(c)));
    expect(code).not.toBe(0);
    expect(second.output()).toMatch(new RegExp(`port ${port} is already in use`));
    expect(second.output()).not.toMatch(/\n\s+at /); // no stack trace
    await rm(`${dataDir}-other`, { recursive: true, force: true });
  });

  it("stops cleanly on SIGTERM, leaving no process behind", async () => {
    const code = await stop(platform!);
    expect(code).toBe(0);
    platform = undefined;
    await new Promise((r) => setTimeout(r, 200));
    expect(processesOf(dataDir)).toEqual([]);
  });

  it("starts again on the same data and still has the category; stops on SIGINT", async () => {
    platform = start({ PORT: String(port), COMPTOIR_DATA: dataDir });
    const { seconds } = await waitUntilReady(platform);
    console.log(`platform ready in ${seconds.toFixed(1)} s (second start, data reused)`);
    const tree = unwrap(await gatewayClient(platform.base).catalog.GET("/api/catalog/categories"));
    expect(tree.data.map((c) => c.slug)).toContain("epicerie-fine");
    expect(await stop(platform, "SIGINT")).toBe(0);
    platform = undefined;
    await new Promise((r) => setTimeout(r, 200));
    expect(processesOf(dataDir)).toEqual([]);
  });

  it("says which variable is wrong when PORT is invalid", async () => {
    const bad = start({ PORT: "abc", COMPTOIR_DATA: dataDir });
    const code = await new Promise<number | null>((r) => bad.process.once("exit", (c) => r(c)));
    expect(code).not.toBe(0);
    expect(bad.output().trim().split("\n")).toHaveLength(1);
    expect(bad.output()).toMatch(/PORT must be a port number \(1-65535\), got "abc"/);
  });
});

describe("comptoir service <name>", { timeout: 60_000 }, () => {
  it("runs one service alone from its environment, creating its database, and stops on SIGTERM", async () => {
    const name = `e2e_service_${Date.now().toString(36)}`;
    const url = testServerUrl(name);
    const eventLogUrl = testServerUrl(`${name}_events`);
    const port = await freePort();
    const child = spawn(process.execPath, [LAUNCHER, "service", "catalog"], {
      cwd: ROOT,
      env: {
        ...withoutComptoirVariables(process.env),
        PORT: String(port),
        DATABASE_URL: url,
        EVENT_LOG_URL: eventLogUrl,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      let ready = false;
      for (let i = 0; i < 150 && !ready; i++) {
        ready = await fetch(`${base}/health/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready, output).toBe(true);
      expect((await fetch(`${base}/api/catalog/categories`)).status).toBe(200);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      const admin = new pg.Client({ connectionString: testServerUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS "${name}_events" WITH (FORCE)`);
      await admin.end();
    }
  });

  it("names the valid services when given an unknown one", async () => {
    const child = spawn(process.execPath, [LAUNCHER, "service", "warehouse"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code).not.toBe(0);
    expect(output).toContain("warehouse");
    expect(output).toContain("catalog");
  });
});

/**
 * Distributed mode as far as this machine allows: with PgBouncer installed (CI installs it), the
 * pools go through a real PgBouncer in transaction mode (DATABASE_POOL_MODE=transaction) and what
 * needs a session goes straight to the server (DATABASE_SESSION_URL).
 */
const throughPgBouncer = existsSync(PGBOUNCER) || process.env.COMPTOIR_REQUIRE_REAL_INFRA === "1";

describe.runIf(process.env.TEST_DATABASE_URL)(
  `the platform on an external PostgreSQL (DATABASE_URL${throughPgBouncer ? " through PgBouncer in transaction mode" : ""})`,
  { timeout: 150_000 },
  () => {
    const prefix = `e2e_${Date.now().toString(36)}`;
    const natsPrefix = `e2e${Date.now().toString(36)}`;
    let dataDir: string;
    let platform: Platform | undefined;

    async function dropDatabases() {
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${prefix}_%`]);
        for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        return rows.map((r) => r.datname as string);
      } finally {
        await admin.end();
      }
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-ext-"));
    });
    let pgbouncer: PgBouncer | undefined;
    afterAll(async () => {
      if (platform) await stop(platform, "SIGKILL");
      await pgbouncer?.stop();
      await dropDatabases();
      await rm(dataDir, { recursive: true, force: true });
      if (process.env.TEST_NATS_URL) {
        const nc = await connect({ servers: process.env.TEST_NATS_URL });
        const jsm = await jetstreamManager(nc);
        for await (const stream of jsm.streams.names()) {
          if (stream.startsWith(`${natsPrefix.toUpperCase()}_`)) await jsm.streams.delete(stream);
        }
        await nc.close();
      }
    });

    it("creates one database per service on that server and serves through the gateway; two inventory instances never oversell; a guest buys (cart in Redis, two orders instances, e-mail through the transport)", async () => {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${prefix}`;
      const port = await freePort();
      // Distributed mode as far as this machine allows: an external PostgreSQL, NATS JetStream when
      // a server is given (CI), two instances of inventory.
      const nats: Record<string, string> = process.env.TEST_NATS_URL
        ? { NATS_URL: process.env.TEST_NATS_URL, NATS_PREFIX: natsPrefix }
        : {};
      // Carts (and the gateway's rate limits) in Redis when a server is given (CI).
      const redis: Record<string, string> = process.env.TEST_REDIS_URL
        ? {
            REDIS_URL: process.env.TEST_REDIS_URL,
            CART_REDIS_KEY_PREFIX: `${natsPrefix}:carts:`,
            // Budgets of its own: another run (a bench) on the same Redis may have spent 127.0.0.1's.
            RATE_LIMIT_KEY_PREFIX: `${natsPrefix}:ratelimit:`,
          }
        : {};
      let database: Record<string, string> = { DATABASE_URL: url.toString() };
      if (throughPgBouncer) {
        pgbouncer = await startPgBouncer(url);
        database = {
          DATABASE_URL: pgbouncer.url(url).toString(),
          DATABASE_POOL_MODE: "transaction",
          DATABASE_SESSION_URL: url.toString(),
        };
      }
      platform = start({ PORT: String(port), COMPTOIR_DATA: dataDir, ...database, ...nats, ...redis }, [
        "--instances",
        "inventory=2,orders=2",
      ]);
      const { seconds, body } = await waitUntilReady(platform);
      console.log(
        `platform ready in ${seconds.toFixed(1)} s (external PostgreSQL${throughPgBouncer ? " through PgBouncer" : ""}${nats.NATS_URL ? ", NATS" : ""}${redis.REDIS_URL ? ", Redis" : ""})`,
      );
      expect(body.services.inventory.instances).toHaveLength(2);
      expect(body.services.orders.instances).toHaveLength(2);
      const base = platform.base;
      const admin = await signedIn(base);
      const created = await admin.catalog.POST("/api/catalog/categories", { body: { name: "Distributed" } });
      expectStatus(created, 201, "category");

      // catalog → inventory through this mode's event transport.
      const product = await admin.catalog.POST("/api/catalog/products", {
        body: {
          categoryId: created.data!.id,
          name: "Lampe rare",
          status: "active",
          variants: [{ sku: `RARE-${prefix}`, options: {}, price: 4900 }],
        },
      });
      expectStatus(product, 201, "product");
      const variantId = product.data!.variants[0]!.id;
      const online = "0192f5a0-0000-7000-8000-00000000c002";
      const startedAt = Date.now();
      for (;;) {
        const level = await stockLevel(admin, variantId, online);
        // Known from catalog's events, with nothing on hand (demo stock is the demo catalog's alone).
        if (level.status === 200) break;
        expect(level.status).toBe(404);
        if (Date.now() - startedAt > 15_000) throw new Error("inventory never learned the variant");
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(`catalog → inventory (${nats.NATS_URL ? "NATS" : "event log"}): ${Date.now() - startedAt} ms`);
      const received = await admin.inventory.POST("/api/inventory/stock/adjust", {
        body: { variantId, locationId: online, changeQuantity: 40, type: "adjustment", reason: "e2e: received" },
      });
      expectStatus(received, 201, "stock received");

      // A guest's purchase in this mode: the cart in Redis, the checkout saga on one of two orders
      // instances, the confirmation e-mail from orders' event through this mode's transport.
      const shopper = gatewayClient(base);
      const cart = unwrap(await shopper.cart.POST("/api/cart/carts"));
      const guest = { "x-cart-token": cart.token! };
      const added = await shopper.cart.POST("/api/cart/carts/{id}/items", {
        params: { path: { id: cart.id } },
        headers: guest,
        body: { variantId, quantity: 2 },
      });
      expectStatus(added, 200, "add to the cart");
      if (redis.REDIS_URL) {
        const { Redis } = await import("ioredis");
        const client = new Redis(redis.REDIS_URL);
        const keys = await client.keys(`${redis.CART_REDIS_KEY_PREFIX}*`);
        client.disconnect();
        expect(keys.length, "the cart is kept in Redis").toBeGreaterThan(0);
      }
      const email = `guest-${prefix}@example.com`;
      const checkout = await shopper.orders.POST("/api/orders/checkout", {
        params: { header: { ...guest, "idempotency-key": `e2e-${prefix}` } },
        body: {
          cartId: cart.id,
          email,
          shippingAddress: {
            name: "Camille Martin",
            line1: "12 rue des Lilas",
            city: "Lyon",
            postalCode: "69003",
            country: "FR",
          },
          payment: { method: "card", card: { number: "4242424242424242", expMonth: 12, expYear: 2099, cvc: "123" } },
        },
      });
      expectStatus(checkout, 201, "checkout");
      expect(checkout.data!.status).toBe("paid");
      const mailStarted = Date.now();
      for (;;) {
        const mails = unwrap(
          await admin.notifications.GET("/api/notifications/messages", { params: { query: { to: email } } }),
        );
        if (mails.data.some((m) => m.template === "order_confirmed")) break;
        if (Date.now() - mailStarted > 15_000) throw new Error(`no confirmation e-mail: ${JSON.stringify(mails)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(
        `checkout → confirmation e-mail (${nats.NATS_URL ? "NATS" : "event log"}): ${Date.now() - mailStarted} ms`,
      );

      // Exactly 20 units online (demo mode gave it some: take them out first), then 200 buyers at
      // once through the gateway, spread over both inventory instances.
      const { level } = await stockLevel(admin, variantId, online);
      if (level!.onHand !== 20) {
        const adjust = await admin.inventory.POST("/api/inventory/stock/adjust", {
          body: {
            variantId,
            locationId: online,
            changeQuantity: 20 - level!.onHand,
            type: "adjustment",
            reason: "e2e: exactly 20",
          },
        });
        expectStatus(adjust, 201, "stock adjustment");
      }
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          admin.inventory
            .POST("/api/inventory/reservations", {
              body: { reference: `e2e-${prefix}-${i}`, locationId: online, items: [{ variantId, quantity: 1 }] },
            })
            .then((r) => r.response.status),
        ),
      );
      const counts = Object.fromEntries(
        [201, 409].map((status) => [status, answers.filter((a) => a === status).length]),
      );
      expect(counts).toEqual({ 201: 20, 409: 180 });
      const after = (await stockLevel(admin, variantId, online)).level;
      expect(after).toMatchObject({ onHand: 20, reserved: 20, available: 0 });

      expect(existsSync(join(dataDir, "postgres"))).toBe(false);
      expect(await stop(platform)).toBe(0);
      platform = undefined;
      const databases = await dropDatabases();
      // One per backend service, and the event log's unless events went through NATS.
      const expected = nats.NATS_URL ? [...BACKEND_SERVICES] : [...BACKEND_SERVICES, "events"];
      expect(databases.sort()).toEqual(expected.map((s) => `${prefix}_${s}`).sort());
    });
  },
);

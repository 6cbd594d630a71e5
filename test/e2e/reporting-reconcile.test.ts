import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_STORES } from "@comptoir/contracts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  LAUNCHER,
  type Platform,
  ROOT,
  start,
  stop,
  waitUntilReady,
  withoutComptoirVariables,
} from "./support/platform";

/**
 * `comptoir reporting reconcile` against the whole platform booted by the launcher (demo mode, one
 * boot): a till sale and an online order through the gateway, then reporting agrees with orders and
 * retail (exit 0); a figure of reporting's `sales_daily` changed in its database is named (exit 1).
 * Needs `npm run build` first.
 */

const DEMO_PASSWORD = "comptoir-demo";
const [STORE_1] = DEMO_STORES;
const CARD = { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
const ADDRESS = { name: "Camille Martin", line1: "12 rue des Lilas", city: "Lyon", postalCode: "69003", country: "FR" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir: string;
let platform: Platform | undefined;

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

/** A call through the gateway: the status and the JSON body. */
async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${platform!.base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function expectAnswer(answer: { status: number; body: any }, status: number, what: string): any {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body;
}

async function login(email: string): Promise<string> {
  return expectAnswer(
    await call("POST", "/api/identity/login", { body: { email, password: DEMO_PASSWORD } }),
    200,
    `login of ${email}`,
  ).token;
}

/** `comptoir reporting reconcile ...` run by the CLI bundle, finding the platform from the data folder alone. */
async function reconcile(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [LAUNCHER, "reporting", "reconcile", ...args], {
    cwd: ROOT,
    env: { ...withoutComptoirVariables(process.env), NO_COLOR: "1", COMPTOIR_DATA: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { code, stdout, stderr };
}

/** Today in Europe/Paris: the demo stores' time zone and reporting's default online one. */
const parisDay = () =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());

describe("comptoir reporting reconcile, against the running platform", { timeout: 300_000 }, () => {
  let admin: string;
  let day: string;

  beforeAll(async () => {
    expect(existsSync(LAUNCHER), "run `npm run build` first (npm test does)").toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-reconcile-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
    platform = start({ PORT: String(await freePort()), COMPTOIR_DATA: dataDir });
    await waitUntilReady(platform);
    admin = await login("admin@demo.comptoir.dev");
    const clerk = await login("clerk@demo.comptoir.dev");

    // A product of the test's own, stocked at store 1 and at the online location.
    const category = expectAnswer(
      await call("POST", "/api/catalog/categories", { token: admin, body: { name: "Rapprochement e2e" } }),
      201,
      "category",
    );
    const product = expectAnswer(
      await call("POST", "/api/catalog/products", {
        token: admin,
        body: {
          categoryId: category.id,
          name: "Bonnet rayé",
          status: "active",
          variants: [{ sku: `RECON-${randomUUID().slice(0, 8)}`, options: { taille: "U" }, price: 1500 }],
        },
      }),
      201,
      "product",
    );
    const variantId: string = product.variants[0].id;
    const locations = expectAnswer(await call("GET", "/api/inventory/locations", { token: admin }), 200, "locations");
    const online: string = locations.data.find((l: { kind: string }) => l.kind === "online").id;
    for (const locationId of [STORE_1.locationId, online]) {
      // Inventory learns the variant from catalog's events.
      await until(
        () =>
          call("POST", "/api/inventory/stock/adjust", {
            token: admin,
            body: { variantId, locationId, changeQuantity: 5, type: "receipt", reason: "e2e: reconcile" },
          }),
        (res) => res.status === 201,
        `stock of the variant at ${locationId}`,
      );
    }

    // A till sale at store 1.
    const registers = expectAnswer(
      await call("GET", `/api/retail/stores/${STORE_1.storeId}/registers`, { token: clerk }),
      200,
      "store 1's registers",
    );
    const registerId: string = registers.data[0].id;
    expectAnswer(
      await call("POST", `/api/retail/registers/${registerId}/open`, { token: clerk, body: { openingFloat: 10_000 } }),
      201,
      "the register opened",
    );
    expectAnswer(
      await call("POST", "/api/retail/sales", {
        token: clerk,
        headers: { "idempotency-key": randomUUID() },
        body: {
          registerId,
          lines: [{ variantId, quantity: 1 }],
          tenders: [{ method: "cash", amount: 2000 }],
        },
      }),
      201,
      "the till sale",
    );

    // An online order, as a guest.
    const cart = expectAnswer(await call("POST", "/api/cart/carts"), 201, "guest cart");
    expectAnswer(
      await call("POST", `/api/cart/carts/${cart.id}/items`, {
        headers: { "x-cart-token": cart.token },
        body: { variantId, quantity: 2 },
      }),
      200,
      "added to the cart",
    );
    const order = expectAnswer(
      await call("POST", "/api/orders/checkout", {
        headers: { "idempotency-key": randomUUID(), "x-cart-token": cart.token },
        body: {
          cartId: cart.id,
          email: "camille@example.com",
          shippingAddress: ADDRESS,
          payment: { method: "card", card: CARD },
        },
      }),
      201,
      "checkout",
    );
    expect(order.status).toBe("paid");

    // Both reach reporting from the events.
    day = parisDay();
    await until(
      async () =>
        expectAnswer(
          await call("GET", `/api/reporting/sales?from=${day}&to=${day}&groupBy=store`, { token: admin }),
          200,
          "reporting's sales by store",
        ).data as { key: string; transactions: number }[],
      (rows) =>
        rows.some((r) => r.key === "online" && r.transactions > 0) &&
        rows.some((r) => r.key === STORE_1.storeId && r.transactions > 0),
      "the sale and the order in reporting",
    );
  }, 240_000);

  afterAll(async () => {
    if (platform) {
      const ended = await Promise.race([stop(platform), sleep(30_000).then(() => "timeout" as const)]);
      if (ended === "timeout") await stop(platform, "SIGKILL");
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("finds no difference once reporting has the sale and the order (exit 0), then names a figure changed in reporting's table (exit 1)", async () => {
    // Events reporting has not applied yet would show as differences: give it a few seconds.
    const clean = await until(
      () => reconcile(["--from", day, "--to", day]),
      (r) => r.code !== 1 || r.stderr !== "",
      "reconcile to find no difference",
      20_000,
    );
    expect(clean.stderr).toBe("");
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toMatch(
      new RegExp(`^reporting matches orders and retail from ${day} to ${day} \\(online and \\d+ stores?\\)$`, "m"),
    );
    const json = await reconcile(["--from", day, "--to", day, "--json"]);
    expect(json.code).toBe(0);
    const clear = JSON.parse(json.stdout);
    expect(clear).toMatchObject({ from: day, to: day, onlineTimeZone: "Europe/Paris", differences: [] });
    expect(clear.stores.map((s: { id: string }) => s.id)).toContain(STORE_1.storeId);

    // Reporting's database on the data folder's embedded PostgreSQL: the event log's server, database comptoir_reporting.
    const runtime = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")) as { eventLogUrl: string };
    const url = new URL(runtime.eventLogUrl);
    url.pathname = "/comptoir_reporting";
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      const planted = await db.query(
        "UPDATE sales_daily SET revenue = revenue + 100 WHERE day = $1::date AND channel = $2",
        [day, STORE_1.storeId],
      );
      expect(planted.rowCount).toBe(1);
      // As every write to the read model does: a new version, so that no answer kept from before serves.
      await db.query("UPDATE reporting_version SET token = gen_random_uuid()");
    } finally {
      await db.end();
    }

    const found = await reconcile(["--from", day, "--to", day]);
    expect(found.stderr).toBe("");
    expect(found.code, found.stdout).toBe(1);
    const lines = found.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^DAY +CHANNEL +FIGURE +REPORTING +SOURCE +DIFFERENCE$/);
    expect(lines[1]!.split(/ {2,}/)).toEqual([
      day,
      `store ${STORE_1.code}`,
      "revenue",
      expect.any(String),
      expect.any(String),
      "+1.00",
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(`^1 difference between reporting and orders/retail from ${day} to ${day}, in 1 channel and 1 day`),
    );
    const asJson = await reconcile(["--from", day, "--to", day, "--json"]);
    expect(asJson.code).toBe(1);
    const differences = JSON.parse(asJson.stdout).differences;
    expect(differences).toEqual([
      {
        day,
        channel: STORE_1.storeId,
        store: STORE_1.code,
        figure: "revenue",
        reporting: expect.any(Number),
        source: expect.any(Number),
        difference: 100,
      },
    ]);
    expect(differences[0].reporting - differences[0].source).toBe(100);
  });
});

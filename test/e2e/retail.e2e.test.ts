import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ComptoirClient } from "@comptoir/client";
import { DEMO_STORES } from "@comptoir/contracts";
import { declaredMetrics, metricValue } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectStatus, gatewayClient } from "./support/api";
import {
  freePort,
  LAUNCHER,
  type Platform,
  processesOf,
  ROOT,
  start,
  stop,
  waitUntilReady,
  withoutComptoirVariables,
} from "./support/platform";

/**
 * A day at the till, end to end: the whole platform booted by the launcher (embedded PostgreSQL, demo
 * mode), every call through the gateway. Store 1's demo clerk opens a register, sells three items
 * (scanned, typed and picked) with a line and a basket discount, paid by card and in cash with change,
 * prints the receipt, takes one item back, and closes the register short of a few coins; the Z report
 * adds up, the store's journal verifies, the manager sees it all, and store 2's register stays out of
 * the clerk's reach.
 * Retail's routes are not in @comptoir/client's generated types yet: they are called with plain fetch.
 */

const DEMO_PASSWORD = "comptoir-demo";
const [STORE_1, STORE_2] = DEMO_STORES;
const CARD = { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
/** Euro notes and coins, in cents, largest first: what a cashier counts in the drawer. */
const DENOMINATIONS = [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1];

let dataDir: string;
let platform: Platform | undefined;
let api: ComptoirClient;
const as = (token: string | undefined) => api.withToken(token);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

async function login(email: string): Promise<string> {
  const res = await api.identity.POST("/api/identity/login", { body: { email, password: DEMO_PASSWORD } });
  expectStatus(res, 200, `login of ${email}`);
  return res.data!.token;
}

interface Answer {
  status: number;
  body: any;
  text: string;
  contentType: string;
}

/** A call to retail through the gateway, as the bearer of `token`. */
async function retail(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${platform!.base}/api/retail${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    text,
    contentType,
    body: contentType.includes("json") && text ? JSON.parse(text) : text,
  };
}

function expectAnswer(res: Answer, status: number, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 2000)}`).toBe(status);
  return res.body;
}

/** The drawer's content making `amount` cents, as a cashier counts it (per denomination). */
function drawerOf(amount: number): Record<string, number> {
  const counted: Record<string, number> = {};
  let left = amount;
  for (const d of DENOMINATIONS) {
    const n = Math.floor(left / d);
    if (n > 0) counted[String(d)] = n;
    left -= n * d;
  }
  return counted;
}

/** One variant's on-hand at store 1's location. */
async function onHandAtStore(adminToken: string, variantId: string): Promise<number> {
  const res = await as(adminToken).inventory.GET("/api/inventory/stock", {
    params: { query: { variantId, locationId: STORE_1.locationId } },
  });
  expectStatus(res, 200, "stock at store 1");
  return (res.data as { onHand: number }).onHand;
}

/** Store 1's day (the demo stores are in Europe/Paris): what reporting books the till's documents under. */
const storeDay = (at = new Date()) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);

/** A report through the gateway, as the bearer of `token`. */
async function report(token: string, path: string, accept = "application/json"): Promise<Answer> {
  const res = await fetch(`${platform!.base}/api/reporting${path}`, {
    headers: { authorization: `Bearer ${token}`, accept },
  });
  const text = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    text,
    contentType,
    body: contentType.includes("json") && text ? JSON.parse(text) : text,
  };
}

const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("a day at the till, through the gateway", { timeout: 300_000 }, () => {
  let admin: string;
  let clerk: string;
  let manager: string;
  /** The three variants sold: scanned (its barcode), typed (its SKU) and picked (its id). */
  let scanned: { id: string; barcode: string; price: number };
  let typed: { id: string; sku: string; price: number };
  let picked: { id: string; price: number };
  let registerId: string;
  let sessionId: string;
  let sale: any;
  let refund: { cash: number; total: number };
  const OPENING_FLOAT = 15_000;
  const BANK_DROP = 5_000;

  beforeAll(async () => {
    expect(existsSync(LAUNCHER), "run `npm run build` first (npm test does)").toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-retail-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
    const port = await freePort();
    platform = start({ PORT: String(port), COMPTOIR_DATA: dataDir });
    api = gatewayClient(platform.base);
    const { seconds } = await waitUntilReady(platform);
    console.log(`platform ready in ${seconds.toFixed(1)} s`);
    [admin, clerk, manager] = await Promise.all([
      login("admin@demo.comptoir.dev"),
      login("clerk@demo.comptoir.dev"),
      login("manager@demo.comptoir.dev"),
    ]);

    // Two products of the shop's own, at two VAT rates, stocked at store 1 only (10 of each variant).
    const category = await as(admin).catalog.POST("/api/catalog/categories", { body: { name: "Caisse e2e" } });
    expectStatus(category, 201, "category");
    const run = randomUUID().slice(0, 8);
    const pullovers = await as(admin).catalog.POST("/api/catalog/products", {
      body: {
        categoryId: category.data!.id,
        name: "Pull marin",
        status: "active",
        variants: [
          { sku: `TILL-${run}-M`, options: { taille: "M" }, price: 2490 },
          { sku: `TILL-${run}-L`, options: { taille: "L" }, price: 1990 },
        ],
      },
    });
    expectStatus(pullovers, 201, "the pullovers (20 % VAT)");
    const books = await as(admin).catalog.POST("/api/catalog/products", {
      // A book: 5.5 % VAT (the catalog's contract gains vatRate with issue 18).
      body: {
        categoryId: category.data!.id,
        name: "Carnet de croquis",
        status: "active",
        vatRate: 550,
        variants: [{ sku: `TILL-${run}-BOOK`, options: { format: "A5" }, price: 450 }],
      } as never,
    });
    expectStatus(books, 201, "the book (5.5 % VAT)");
    const [m, l] = pullovers.data!.variants;
    const book = books.data!.variants[0]!;
    scanned = { id: m!.id, barcode: m!.barcode!, price: m!.price };
    typed = { id: l!.id, sku: l!.sku, price: l!.price };
    picked = { id: book.id, price: book.price };
    expect(scanned.barcode, "every variant has a barcode").toMatch(/^[0-9]{8,14}$/);
    for (const variantId of [scanned.id, typed.id, picked.id]) {
      // Inventory learns the variants from catalog's events.
      await until(
        () =>
          as(admin).inventory.POST("/api/inventory/stock/adjust", {
            body: {
              variantId,
              locationId: STORE_1.locationId,
              changeQuantity: 10,
              type: "receipt",
              reason: "e2e: store stock",
            },
          }),
        (res) => res.response.status === 201,
        `stock for ${variantId} at store 1`,
      );
    }
  }, 240_000);

  afterAll(async () => {
    if (platform) {
      // SIGTERM lets the launcher stop its services and the embedded PostgreSQL; SIGKILL only if it hangs.
      const ended = await Promise.race([stop(platform), sleep(30_000).then(() => "timeout" as const)]);
      if (ended === "timeout") await stop(platform, "SIGKILL");
      else expect(ended).toBe(0);
      await sleep(200);
      expect(processesOf(dataDir)).toEqual([]);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("1. the clerk sees their store and its registers, and opens one with a counted float", async () => {
    const stores = expectAnswer(await retail(clerk, "GET", "/stores"), 200, "the clerk's stores");
    expect(stores.data.map((s: { id: string }) => s.id)).toEqual([STORE_1.storeId]);
    expect(stores.data[0]).toMatchObject({ code: STORE_1.code, locationId: STORE_1.locationId });

    const registers = expectAnswer(
      await retail(clerk, "GET", `/stores/${STORE_1.storeId}/registers`),
      200,
      "store 1's registers",
    );
    expect(registers.data).toHaveLength(2);
    registerId = registers.data[0].id;

    const session = expectAnswer(
      await retail(clerk, "POST", `/registers/${registerId}/open`, { openingFloat: OPENING_FLOAT }),
      201,
      "opening the register",
    );
    expect(session).toMatchObject({
      registerId,
      storeId: STORE_1.storeId,
      status: "open",
      openingFloat: OPENING_FLOAT,
    });
    sessionId = session.id;
    const again = await retail(clerk, "POST", `/registers/${registerId}/open`, { openingFloat: OPENING_FLOAT });
    expect(again.status, again.text).toBe(409);
    expect(again.body.code).toBe("session_already_open");
  });

  it("2. three items scanned, typed and picked, a line and a basket discount, paid by card and in cash with change", async () => {
    // 24.90 − 10 % (2.49) + 2 × 19.90 + 4.50 = 66.71, less 1.00 off the basket = 65.71:
    // 40.00 by card, then 30.00 in cash for the 25.71 left → 4.29 of change.
    const body = {
      registerId,
      lines: [
        { barcode: scanned.barcode, quantity: 1, discount: { percent: 10 } },
        { sku: typed.sku, quantity: 2 },
        { variantId: picked.id, quantity: 1 },
      ],
      discount: { amount: 100 },
      tenders: [
        { method: "card", amount: 4000, card: CARD },
        { method: "cash", amount: 3000 },
      ],
    };
    const key = randomUUID();
    sale = expectAnswer(await retail(clerk, "POST", "/sales", body, { "idempotency-key": key }), 201, "the sale");
    expect(sale).toMatchObject({
      registerId,
      storeId: STORE_1.storeId,
      sessionId,
      status: "completed",
      subtotal: 6920,
      discountTotal: 349,
      total: 6571,
      cashTendered: 3000,
      change: 429,
    });
    expect(sale.lines).toMatchObject([
      { variantId: scanned.id, quantity: 1, unitPrice: 2490, lineDiscount: 249 },
      { variantId: typed.id, quantity: 2, unitPrice: 1990 },
      { variantId: picked.id, quantity: 1, unitPrice: 450, vatRate: 550 },
    ]);
    expect(sumOf(sale.lines.map((l: { lineTotal: number }) => l.lineTotal))).toBe(6571);
    expect(sale.receipt).toMatchObject({ receiptNumber: sale.receiptNumber, duplicate: false, change: 429 });
    expect(sale.receiptNumber, "a receipt number from the store's sequence").toBeTruthy();
    // The VAT table adds up to the total, at the two rates sold.
    const vat = sale.receipt.vat as { rate: number; base: number; vat: number; total: number }[];
    expect(vat.map((v) => v.rate).sort()).toEqual([2000, 550].sort());
    expect(sumOf(vat.map((v) => v.total))).toBe(6571);
    for (const v of vat) expect(v.base + v.vat).toBe(v.total);

    // A till that lost the answer sends the same sale again: the same sale, nothing sold twice.
    const replay = await retail(clerk, "POST", "/sales", body, { "idempotency-key": key });
    expect(replay.status, replay.text).toBe(201);
    expect(replay.body.id).toBe(sale.id);
    expect(await onHandAtStore(admin, scanned.id)).toBe(9);
    expect(await onHandAtStore(admin, typed.id)).toBe(8);
    expect(await onHandAtStore(admin, picked.id)).toBe(9);

    // Reporting books it from retail's event: in the store's indicators and the day's sales within 2 s.
    const day = storeDay();
    const started = Date.now();
    const indicators = await until(
      async () => (await report(manager, `/stores/${STORE_1.storeId}/indicators?from=${day}&to=${day}`)).body,
      (b) => b?.transactions === 1,
      "the sale in store 1's indicators",
      2_000,
    );
    console.log(`the till sale reached reporting in ${Date.now() - started} ms`);
    expect(indicators).toMatchObject({ revenue: 6571, transactions: 1, averageBasket: 6571, unitsPerTransaction: 4 });
  });

  it("3. the receipt, reprinted: JSON and printable HTML, each marked as a duplicate", async () => {
    const json = expectAnswer(await retail(clerk, "GET", `/sales/${sale.id}/receipt`), 200, "the receipt");
    expect(json).toMatchObject({ receiptNumber: sale.receiptNumber, duplicate: true, total: 6571 });
    const html = await retail(clerk, "GET", `/sales/${sale.id}/receipt?format=html`);
    expect(html.status, html.text).toBe(200);
    expect(html.contentType).toContain("text/html");
    expect(html.text).toContain(sale.receiptNumber);
    expect(html.text).toContain("DUPLICATA");
    expect(html.text).toContain(STORE_1.name);
  });

  it("4. one pullover brought back with the receipt: refunded by the original tenders, back in stock", async () => {
    const ret = expectAnswer(
      await retail(
        clerk,
        "POST",
        `/sales/${sale.id}/returns`,
        { registerId, lines: [{ variantId: typed.id, quantity: 1 }], reason: "too small" },
        { "idempotency-key": randomUUID() },
      ),
      201,
      "the return",
    );
    // Its share of the basket discount stays with the sale: at most 19.90 back.
    expect(ret.total).toBeGreaterThan(1900);
    expect(ret.total).toBeLessThanOrEqual(1990);
    const tenders = ret.refunds;
    expect(sumOf(tenders.map((t: { amount: number }) => t.amount))).toBe(ret.total);
    refund = {
      total: ret.total,
      cash: sumOf(
        tenders.filter((t: { method: string }) => t.method === "cash").map((t: { amount: number }) => t.amount),
      ),
    };
    expect(await onHandAtStore(admin, typed.id)).toBe(9);

    // The other pullover of the line may come back; a third may not.
    const tooMany = await retail(
      clerk,
      "POST",
      `/sales/${sale.id}/returns`,
      { registerId, lines: [{ variantId: typed.id, quantity: 2 }] },
      { "idempotency-key": randomUUID() },
    );
    expect(tooMany.status, tooMany.text).toBe(409);
    expect(tooMany.body.code).toBe("return_exceeds_sold");
  });

  it("5. the register closes 2.00 short: the Z report adds up the sale, the return, the bank drop and the cash", async () => {
    expectAnswer(
      await retail(clerk, "POST", `/registers/${registerId}/cash-movements`, {
        direction: "out",
        amount: BANK_DROP,
        reason: "bank_drop",
      }),
      201,
      "the bank drop",
    );
    const cashTaken = 3000 - 429;
    const expectedCash = OPENING_FLOAT - BANK_DROP + cashTaken - refund.cash;
    const counted = expectedCash - 200;
    const closed = expectAnswer(
      await retail(clerk, "POST", `/registers/${registerId}/close`, {
        counted: drawerOf(counted),
        note: "2 € manquants",
      }),
      200,
      "closing the register",
    );
    expect(closed).toMatchObject({ id: sessionId, status: "closed" });
    const z = closed.zReport;
    expect(z).toMatchObject({
      salesCount: 1,
      salesTotal: 6571,
      discountTotal: 349,
      returnsCount: 1,
      returnsTotal: refund.total,
      voidsCount: 0,
      expectedCash,
      countedCash: counted,
      variance: -200,
    });
    const byTender = Object.fromEntries(
      (z.byTender as { method: string; amount: number }[]).map((t) => [t.method, t.amount]),
    );
    expect(byTender).toMatchObject({ card: 4000, cash: cashTaken });
    // By VAT rate: the sale less the return, every rate's lines adding up.
    const vat = z.byVatRate as { rate: number; base: number; vat: number; total: number }[];
    expect(sumOf(vat.map((v) => v.total))).toBe(6571 - refund.total);

    const twice = await retail(clerk, "POST", `/registers/${registerId}/close`, { counted: drawerOf(counted) });
    expect(twice.status, twice.text).toBe(409);
  });

  it("6. the store's journal holds the sale, the reprints, the return and the close, and verifies", async () => {
    const journal = expectAnswer(
      await retail(admin, "GET", `/journal?storeId=${STORE_1.storeId}&limit=100`),
      200,
      "store 1's journal",
    );
    const types = (journal.data as { kind: string }[]).map((e) => e.kind);
    expect(types.filter((t) => t !== "reprint")).toEqual(["sale", "return", "session_close"]);
    expect(types.filter((t) => t === "reprint").length).toBeGreaterThanOrEqual(2);

    const verified = expectAnswer(
      await retail(admin, "GET", `/admin/journal/verify?storeId=${STORE_1.storeId}`),
      200,
      "the journal's verification",
    );
    expect(verified.stores).toEqual([
      expect.objectContaining({ storeId: STORE_1.storeId, entries: types.length, ok: true, firstBroken: null }),
    ]);

    // The operator's command says the same, and exits 0.
    const cli = spawnSync(
      process.execPath,
      [LAUNCHER, "retail", "verify", "--store", STORE_1.code, "--url", platform!.base],
      {
        encoding: "utf8",
        env: { ...withoutComptoirVariables(process.env), COMPTOIR_TOKEN: admin },
        timeout: 30_000,
      },
    );
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain(STORE_1.code);
  });

  it("7. the manager of store 1 sees the closed session and its sale", async () => {
    const sessions = expectAnswer(
      await retail(manager, "GET", `/sessions?storeId=${STORE_1.storeId}&status=closed`),
      200,
      "store 1's sessions",
    );
    expect(sessions.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: sessionId, status: "closed", registerId, flagged: false }),
      ]),
    );
    const one = expectAnswer(await retail(manager, "GET", `/sessions/${sessionId}`), 200, "the session");
    expect(one.zReport).toMatchObject({ salesCount: 1, variance: -200 });
    const sales = expectAnswer(await retail(manager, "GET", `/sales?sessionId=${sessionId}`), 200, "its sales");
    expect(sales.data.map((s: { id: string; total: number }) => [s.id, s.total])).toEqual([[sale.id, 6571]]);
  });

  it("7b. reporting: the day's sales and store 1's indicators hold the sale, the return and the variance; the CSV says the same", async () => {
    const day = storeDay();
    const byStore = expectAnswer(
      await report(manager, `/sales?from=${day}&to=${day}&groupBy=store&storeId=${STORE_1.storeId}`),
      200,
      "the day's sales of store 1",
    );
    expect(byStore.data).toEqual([
      expect.objectContaining({
        key: STORE_1.storeId,
        revenue: 6571,
        transactions: 1,
        units: 4,
        discounts: 349,
        returns: refund.total,
        netRevenue: 6571 - refund.total,
      }),
    ]);
    // The VAT the report shows is the sale's, per rate.
    expect(sumOf(byStore.data[0].vat.map((v: { total: number }) => v.total))).toBe(6571);
    const indicators = await until(
      async () =>
        expectAnswer(
          await report(manager, `/stores/${STORE_1.storeId}/indicators?from=${day}&to=${day}`),
          200,
          "store 1's indicators",
        ),
      (b) => b.cashVariance === -200,
      "the closing's variance in the indicators",
      2_000,
    );
    expect(indicators).toMatchObject({ revenue: 6571, transactions: 1, cashVariance: -200 });
    expect(indicators.returnRate).toBeCloseTo(refund.total / 6571, 3);

    // The same figures as CSV, semicolons and decimal commas for a French spreadsheet.
    const csv = await report(
      manager,
      `/sales?from=${day}&to=${day}&groupBy=store&storeId=${STORE_1.storeId}&format=csv&sep=;`,
    );
    expect(csv.status, csv.text).toBe(200);
    expect(csv.contentType).toContain("text/csv");
    const rows = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const row = rows.find((r) => r.includes(STORE_1.storeId))!;
    expect(row, csv.text).toBeDefined();
    expect(row).toContain("65,71");
    expect(row).toContain((refund.total / 100).toFixed(2).replace(".", ","));

    // The manager's reach ends at their store; a clerk reads no report.
    expect((await report(manager, `/stores/${STORE_2.storeId}/indicators?from=${day}&to=${day}`)).status).toBe(403);
    expect((await report(clerk, `/sales?from=${day}&to=${day}`)).status).toBe(403);
  });

  it("8. store 2's register is out of the clerk's reach: 404, whatever the clerk tries", async () => {
    const registers = expectAnswer(
      await retail(admin, "GET", `/stores/${STORE_2.storeId}/registers`),
      200,
      "store 2's registers",
    );
    const elsewhere = registers.data[0].id as string;
    expect((await retail(clerk, "GET", `/registers/${elsewhere}`)).status).toBe(404);
    expect((await retail(clerk, "GET", `/stores/${STORE_2.storeId}`)).status).toBe(404);
    expect((await retail(clerk, "POST", `/registers/${elsewhere}/open`, { openingFloat: 1000 })).status).toBe(404);
    const sold = await retail(
      clerk,
      "POST",
      "/sales",
      {
        registerId: elsewhere,
        lines: [{ variantId: picked.id, quantity: 1 }],
        tenders: [{ method: "cash", amount: 450 }],
      },
      { "idempotency-key": randomUUID() },
    );
    expect(sold.status, sold.text).toBe(404);
    // Store 1's stock did not move.
    expect(await onHandAtStore(admin, picked.id)).toBe(9);
  });

  it("9. every metric deploy/prometheus's rules and deploy/grafana's dashboards read is on some service's /metrics", async () => {
    // An online order too, collected at store 1 (the till sale and the return are above): business metrics have samples.
    const cart = await api.cart.POST("/api/cart/carts");
    expectStatus(cart, 201, "guest cart");
    const cartHeaders = { "x-cart-token": cart.data!.token! };
    const added = await api.cart.POST("/api/cart/carts/{id}/items", {
      params: { path: { id: cart.data!.id } },
      headers: cartHeaders,
      body: { variantId: typed.id, quantity: 1 },
    });
    expectStatus(added, 200, "add to the guest cart");
    const ordered = await api.orders.POST("/api/orders/checkout", {
      params: { header: { "idempotency-key": randomUUID(), ...cartHeaders } },
      body: {
        cartId: cart.data!.id,
        email: "metrics@example.com",
        pickupLocationId: STORE_1.locationId,
        payment: { method: "card", card: CARD },
      },
    });
    expectStatus(ordered, 201, "checkout");

    // Every instance the gateway knows, and the gateway itself.
    const status = (await (await fetch(`${platform!.base}/health/status`)).json()) as {
      services: Record<string, { instances: { url: string }[] }>;
    };
    const urls = [platform!.base, ...Object.values(status.services).flatMap((s) => s.instances.map((i) => i.url))];
    expect(urls.length).toBeGreaterThanOrEqual(12);
    const pages = await Promise.all(urls.map(async (url) => (await fetch(`${url}/metrics`)).text()));
    const exposed = new Set(pages.flatMap((page) => [...declaredMetrics(page)]));
    const used = JSON.parse(
      spawnSync(process.execPath, [join(ROOT, "scripts/check-observability.mjs"), "--list-metrics"], {
        encoding: "utf8",
      }).stdout,
    ) as string[];
    expect(used.length).toBeGreaterThan(30);
    // A histogram's series (`_bucket`, `_sum`, `_count`) are declared under its name.
    const missing = used.filter((name) => !exposed.has(name) && !exposed.has(name.replace(/_(bucket|sum|count)$/, "")));
    expect(missing).toEqual([]);
    // And the business metrics counted what was done above.
    const all = pages.join("\n");
    expect(metricValue(all, "comptoir_orders_paid_total", { channel: "online", fulfilment: "pickup" })).toBeGreaterThan(
      0,
    );
    expect(metricValue(all, "comptoir_pos_sales_total", { store: STORE_1.code })).toBeGreaterThan(0);
    expect(metricValue(all, "comptoir_pos_returns_total", { store: STORE_1.code })).toBeGreaterThan(0);
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { EventsContext } from "../src/commands/events.command";
import { differencesOf, formatFigure, reconcile } from "../src/commands/reporting-reconcile";
import { reportingCommand } from "../src/commands/reporting.command";
import { UsageError, UserError } from "../src/errors";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const STORE = "0192f5a0-0000-7000-8000-000000000001";
const D1 = "2026-03-14";
const D2 = "2026-03-15";

const figures = (f: Record<string, number | string>) => ({
  label: "",
  revenueExclVat: 0,
  vat: [],
  units: 0,
  averageBasket: 0,
  netRevenue: 0,
  revenue: 0,
  transactions: 0,
  discounts: 0,
  returns: 0,
  refunds: 0,
  ...f,
});

/** What orders, retail and reporting answer: both sides agree unless a test changes one. */
function world() {
  return {
    orders: {
      from: D1,
      to: D2,
      timeZone: "Europe/Paris",
      data: [
        { day: D1, paidCount: 2, paidTotal: 5000, refundsCount: 0, refundsTotal: 0 },
        { day: D2, paidCount: 0, paidTotal: 0, refundsCount: 1, refundsTotal: 2490 },
      ],
      totals: { paidCount: 2, paidTotal: 5000, refundsCount: 1, refundsTotal: 2490 },
    },
    retail: {
      from: D1,
      to: D2,
      data: [
        {
          storeId: STORE,
          storeCode: "STORE-1",
          timezone: "Europe/Paris",
          day: D2,
          salesCount: 1,
          salesTotal: 1500,
          discountTotal: 100,
          returnsCount: 0,
          returnsTotal: 0,
          voidsCount: 0,
          voidsTotal: 0,
          closings: 1,
          cashVariance: -40,
        },
      ],
      totals: {},
    },
    online: [figures({ key: D1, revenue: 5000, transactions: 2 }), figures({ key: D2, refunds: 2490 })],
    stores: [figures({ key: STORE, revenue: 1500, transactions: 1, discounts: 100 })],
    store: [figures({ key: D2, revenue: 1500, transactions: 1, discounts: 100 })],
    cashVariance: { [`${D1}..${D2}`]: -40, [`${D1}..${D1}`]: 0, [`${D2}..${D2}`]: -40 } as Record<string, number>,
  };
}

/** A gateway stand-in answering from `w`; `seen` lists the paths asked. */
async function gateway(w: ReturnType<typeof world>): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    seen.push(`${url.pathname}?${url.searchParams} ${req.headers.authorization ?? "-"}`);
    const q = Object.fromEntries(url.searchParams);
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/api/orders/admin/sales-totals") return json(w.orders);
    if (url.pathname === "/api/retail/admin/sales-totals") return json(w.retail);
    if (url.pathname === "/api/reporting/sales") {
      const data = q.channel === "online" ? w.online : q.groupBy === "store" ? w.stores : q.storeId ? w.store : [];
      return json({ from: q.from, to: q.to, groupBy: q.groupBy, data, totals: figures({}) });
    }
    if (url.pathname === `/api/reporting/stores/${STORE}/indicators`)
      return json({ cashVariance: w.cashVariance[`${q.from}..${q.to}`] ?? 0 });
    json({ status: 404, code: "not_found" }, 404);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

function context(url: string) {
  const out: string[] = [];
  const ctx: EventsContext = {
    env: { COMPTOIR_URL: url, COMPTOIR_TOKEN: "admin-token" },
    cwd: "/nonexistent",
    out: (line) => out.push(line),
    err: (line) => out.push(line),
  };
  return { ctx, out };
}

const period = ["--from", D1, "--to", D2];

describe("comptoir reporting reconcile", () => {
  it("says reporting matches and exits 0, asking orders (in the online time zone), retail and reporting with the token", async () => {
    const gw = await gateway(world());
    const { ctx, out } = context(gw.url);
    expect(await reportingCommand(["reconcile", ...period], ctx)).toBe(0);
    expect(out).toEqual([`reporting matches orders and retail from ${D1} to ${D2} (online and 1 store)`]);
    expect(gw.seen).toContain(
      `/api/orders/admin/sales-totals?from=${D1}&to=${D2}&timeZone=Europe%2FParis Bearer admin-token`,
    );
    expect(gw.seen).toContain(`/api/retail/admin/sales-totals?from=${D1}&to=${D2} Bearer admin-token`);
    expect(gw.seen).toContain(
      `/api/reporting/sales?from=${D1}&to=${D2}&format=json&groupBy=day&storeId=${STORE} Bearer admin-token`,
    );
    // The cash variance agrees over the period: no call per day.
    expect(gw.seen.filter((s) => s.includes("/indicators"))).toHaveLength(1);
  });

  it("lists each difference (day, channel, figure, reporting, source, difference) and exits 1; --json says the same", async () => {
    const w = world();
    w.online[0]!.revenue = 4000;
    w.store[0]!.discounts = 0;
    w.cashVariance = { [`${D1}..${D2}`]: -50, [`${D1}..${D1}`]: -10, [`${D2}..${D2}`]: -40 };
    const gw = await gateway(w);
    const { ctx, out } = context(gw.url);
    expect(await reconcile([...period, "--online-timezone", "UTC"], ctx)).toBe(1);
    expect(gw.seen.some((s) => s.includes("timeZone=UTC"))).toBe(true);
    expect(out.map((l) => l.split(/ {2,}/))).toEqual([
      ["DAY", "CHANNEL", "FIGURE", "REPORTING", "SOURCE", "DIFFERENCE"],
      [D1, "online", "revenue", "40.00", "50.00", "-10.00"],
      [D1, "store STORE-1", "cashVariance", "-0.10", "0.00", "-0.10"],
      [D2, "store STORE-1", "discounts", "0.00", "1.00", "-1.00"],
      [
        "3 differences between reporting and orders/retail from 2026-03-14 to 2026-03-15, in 2 channels and 2 days (online and 1 store checked; amounts in euros, difference = reporting − source)",
      ],
    ]);
    const json = context(gw.url);
    expect(await reconcile([...period, "--json"], json.ctx)).toBe(1);
    expect(JSON.parse(json.out[0]!).differences[0]).toEqual({
      day: D1,
      channel: "online",
      store: null,
      figure: "revenue",
      reporting: 4000,
      source: 5000,
      difference: -1000,
    });
  });

  it("counts a store only reporting knows, and a day only one side has", async () => {
    const w = world();
    w.retail.data = [];
    const gw = await gateway(w);
    const { ctx, out } = context(gw.url);
    expect(await reconcile(period, ctx)).toBe(1);
    expect(out.slice(1, -1).map((l) => l.split(/ {2,}/).slice(0, 3))).toEqual([
      [D2, `store ${STORE}`, "revenue"],
      [D2, `store ${STORE}`, "transactions"],
      [D2, `store ${STORE}`, "discounts"],
      [D2, `store ${STORE}`, "cashVariance"],
    ]);
  });

  it("refuses bad days (usage, exit 2) and says what a service answered", async () => {
    const { ctx } = context("http://127.0.0.1:9");
    await expect(reconcile(["--from", D1], ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(reconcile(["--from", "14/03/2026", "--to", D2], ctx)).rejects.toBeInstanceOf(UsageError);
    await expect(reconcile(["--from", D2, "--to", D1], ctx)).rejects.toThrow(/is after/);
    await expect(reconcile([...period, "--store", "x"], ctx)).rejects.toBeInstanceOf(UsageError);
    server = createServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/problem+json" });
      res.end(
        JSON.stringify({ title: "Invalid request", status: 400, detail: "At most 1098 days.", code: "invalid_period" }),
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const refused = context(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const failure = reconcile(period, refused.ctx);
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toThrow(
      /orders' sales totals: 400 Invalid request: At most 1098 days. \[invalid_period\]/,
    );
  });
});

describe("the comparison", () => {
  it("treats a day one side lacks as zeros, and writes amounts in euros", () => {
    const found = differencesOf(
      { id: "online", store: null },
      ["revenue", "transactions"],
      new Map([[D1, { revenue: 100, transactions: 1 }]]),
      new Map([[D2, { revenue: 5, transactions: 1 }]]),
    );
    expect(found.map((d) => [d.day, d.figure, d.difference])).toEqual([
      [D1, "revenue", 100],
      [D1, "transactions", 1],
      [D2, "revenue", -5],
      [D2, "transactions", -1],
    ]);
    expect(formatFigure("revenue", 123456)).toBe("1234.56");
    expect(formatFigure("refunds", -5)).toBe("-0.05");
    expect(formatFigure("transactions", 3, true)).toBe("+3");
  });
});

import { randomUUID } from "node:crypto";
import type { RawEnvelope } from "@comptoir/contracts";
import { waitFor } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envelope, type ReportingHarness, startReporting } from "./support/harness";
import {
  category,
  newItem,
  newStore,
  orderCancelled,
  orderPaid,
  orderPlaced,
  orderRefunded,
  product,
  registerClosed,
  saleCompleted,
  saleReturned,
  saleVoided,
} from "./support/sales-events";

/**
 * Reporting's sales read model through its HTTP API, fed by events appended to its event log as
 * orders', retail's and catalog's outboxes would: each event's effect on the reports, duplicates and
 * events out of order, days and hours across DST, who may read what, bad input and CSV.
 */
let h: ReportingHarness;

beforeAll(async () => {
  h = await startReporting("reporting_sales");
});
afterAll(async () => {
  await h?.close();
});

const get = async (path: string, headers?: Record<string, string>) => {
  const res = await h.reporting.admin.get(path, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
};
const sales = async (query: string) => (await get(`/api/reporting/sales?${query}`)).body;

async function expectNoDeadLetters() {
  const letters = await h.reporting.bus.listDeadLetters({ limit: 10, offset: 0 });
  expect(letters.data.map((l) => l.error)).toEqual([]);
}

describe("online sales", () => {
  it("a paid order is a sale on its Paris day; a refund is booked on its own day; placed and cancelled count nothing", async () => {
    const coffee = newItem("Café", 1000, 550);
    const mug = newItem("Mug", 2500, 2000);
    const paid = orderPaid(
      [
        { item: coffee, quantity: 2 },
        { item: mug, quantity: 1 },
      ],
      { shipping: 490 },
    );
    // 00:30 in Paris on 2026-03-29, the night clocks go forward: still 2026-03-29 (UTC+1).
    await h.publish("orders.order.placed", orderPlaced(paid), paid.orderId, { occurredAt: "2026-03-28T23:20:00.000Z" });
    await h.publish("orders.order.paid", paid, paid.orderId, { occurredAt: "2026-03-28T23:30:00.000Z" });
    await h.publish("orders.order.cancelled", orderCancelled(paid), paid.orderId, {
      occurredAt: "2026-03-30T08:00:00.000Z",
    });
    await h.publish("orders.order.refunded", orderRefunded(paid, 4990), paid.orderId, {
      occurredAt: "2026-03-30T08:01:00.000Z",
    });
    await h.settle();
    await expectNoDeadLetters();

    const report = await sales("from=2026-03-28&to=2026-03-30&groupBy=day&channel=online");
    const vat = paid.vat!.reduce((s, v) => s + v.vat, 0);
    expect(report.data).toEqual([
      expect.objectContaining({
        key: "2026-03-29",
        revenue: 4990,
        revenueExclVat: 4990 - vat,
        vat: paid.vat,
        transactions: 1,
        units: 3,
        averageBasket: 4990,
        discounts: 0,
        returns: 0,
        refunds: 0,
        netRevenue: 4990,
      }),
      expect.objectContaining({ key: "2026-03-30", revenue: 0, transactions: 0, refunds: 4990, netRevenue: -4990 }),
    ]);
    expect(report.totals).toMatchObject({ revenue: 4990, refunds: 4990, netRevenue: 0, transactions: 1 });
  });

  it("a paid order on 2026-10-25 at 00:30 in Paris (the night clocks go back) is on the 25th", async () => {
    const paid = orderPaid([{ item: newItem("Thé", 1500, 550), quantity: 1 }], { withVat: false });
    await h.publish("orders.order.paid", paid, paid.orderId, { occurredAt: "2026-10-24T22:30:00.000Z" });
    await h.settle();
    const report = await sales("from=2026-10-24&to=2026-10-25&groupBy=day&channel=online");
    // Without a VAT breakdown: one 20 % line computed from the total.
    expect(report.data).toEqual([
      expect.objectContaining({
        key: "2026-10-25",
        revenue: 1500,
        revenueExclVat: 1250,
        vat: [{ rate: 2000, base: 1250, vat: 250, total: 1500 }],
      }),
    ]);
  });
});

describe("store sales", () => {
  const paris = newStore("PAR", "Europe/Paris");
  const tokyo = newStore("TYO", "Asia/Tokyo");
  const shirt = newItem("Chemise", 4000, 2000);
  const book = newItem("Livre", 1200, 550);

  it("a sale at 00:30 local on both DST nights lands on that day and hour", async () => {
    const spring = saleCompleted(paris, "2026-03-28T23:30:00.000Z", [{ item: shirt, quantity: 1 }]);
    const autumn = saleCompleted(paris, "2026-10-24T22:30:00.000Z", [{ item: shirt, quantity: 1 }]);
    await h.publish("retail.sale.completed", spring, spring.saleId);
    await h.publish("retail.sale.completed", autumn, autumn.saleId);
    await h.settle();
    for (const day of ["2026-03-29", "2026-10-25"]) {
      const report = await sales(`from=${addDay(day, -1)}&to=${day}&groupBy=day&storeId=${paris.id}`);
      expect(report.data.map((r: { key: string; revenue: number }) => [r.key, r.revenue])).toEqual([[day, 4000]]);
      const indicators = (await get(`/api/reporting/stores/${paris.id}/indicators?from=${day}&to=${day}`)).body;
      expect(indicators.salesByHour[0]).toEqual({ hour: 0, revenue: 4000, transactions: 1 });
      expect(indicators.salesByHour.filter((x: { revenue: number }) => x.revenue !== 0)).toHaveLength(1);
    }
  });

  it("a sale, a return and a register closing make the store's figures and indicators", async () => {
    const sale = saleCompleted(tokyo, "2026-05-04T01:15:00.000Z", [
      { item: shirt, quantity: 2, discount: 500 },
      { item: book, quantity: 1 },
    ]);
    await h.publish("retail.sale.completed", sale, sale.saleId);
    const ret = saleReturned(tokyo, "2026-05-05T02:00:00.000Z", [{ item: book, quantity: 1 }], sale.saleId);
    await h.publish("retail.sale.returned", ret, sale.saleId);
    await h.publish("retail.register.closed", registerClosed(tokyo, "2026-05-05T10:00:00.000Z", -230), randomUUID());
    // The previous period (2026-05-02..03): one smaller sale.
    const before = saleCompleted(tokyo, "2026-05-03T03:00:00.000Z", [{ item: book, quantity: 1 }]);
    await h.publish("retail.sale.completed", before, before.saleId);
    await h.settle();
    await expectNoDeadLetters();

    const total = 2 * 4000 - 500 + 1200;
    const report = await sales(`from=2026-05-04&to=2026-05-05&groupBy=store&storeId=${tokyo.id}`);
    expect(report.data).toEqual([
      expect.objectContaining({
        key: tokyo.id,
        label: tokyo.name,
        revenue: total,
        revenueExclVat: total - sale.vat.reduce((s, v) => s + v.vat, 0),
        vat: sale.vat,
        transactions: 1,
        units: 3,
        discounts: 500,
        returns: 1200,
        netRevenue: total - 1200,
      }),
    ]);

    const indicators = (await get(`/api/reporting/stores/${tokyo.id}/indicators?from=2026-05-04&to=2026-05-05`)).body;
    expect(indicators).toMatchObject({
      store: { id: tokyo.id, code: "TYO", name: tokyo.name, timezone: "Asia/Tokyo" },
      revenue: total,
      transactions: 1,
      averageBasket: total,
      unitsPerTransaction: 3,
      returnRate: Math.round((1200 / total) * 10_000) / 10_000,
      discountRate: Math.round((500 / (total + 500)) * 10_000) / 10_000,
      cashVariance: -230,
      previous: { from: "2026-05-02", to: "2026-05-03", revenue: 1200, transactions: 1, averageBasket: 1200 },
      change: {
        revenue: Math.round(((total - 1200) / 1200) * 1000) / 10,
        transactions: 0,
        cashVariance: null,
        returnRate: null,
      },
    });
    // 01:15 UTC is 10:15 in Tokyo.
    expect(indicators.salesByHour[10]).toEqual({ hour: 10, revenue: total, transactions: 1 });
  });

  it("an unknown store has no indicators (404)", async () => {
    const res = await h.reporting.admin.get(
      `/api/reporting/stores/${randomUUID()}/indicators?from=2026-05-01&to=2026-05-31`,
    );
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("store_not_found");
  });
});

describe("voids, duplicates and order", () => {
  const item = newItem("Lampe", 3000, 2000);
  const other = newItem("Ampoule", 450, 2000);

  /** A sale, its void, a return of another sale's goods, and a kept sale, for `store`; in `order`. */
  function story(store: ReturnType<typeof newStore>) {
    const voided = saleCompleted(store, "2026-06-10T09:00:00.000Z", [
      { item, quantity: 1 },
      { item: other, quantity: 2 },
    ]);
    const kept = saleCompleted(store, "2026-06-10T11:00:00.000Z", [{ item, quantity: 2, discount: 300 }]);
    const ret = saleReturned(store, "2026-06-11T09:00:00.000Z", [{ item, quantity: 1 }], kept.saleId);
    return {
      sale: envelope("retail.sale.completed", voided, voided.saleId),
      void: envelope("retail.sale.voided", saleVoided(voided, "2026-06-10T09:05:00.000Z"), voided.saleId),
      kept: envelope("retail.sale.completed", kept, kept.saleId),
      return: envelope("retail.sale.returned", ret, kept.saleId),
    };
  }

  const figures = async (storeId: string) => {
    const report = await sales(`from=2026-06-09&to=2026-06-12&groupBy=day&storeId=${storeId}`);
    const top = (await get(`/api/reporting/top-products?from=2026-06-09&to=2026-06-12&storeId=${storeId}&by=units`))
      .body;
    return { data: report.data, totals: report.totals, top: top.data };
  };

  it("a void takes its sale out of the sale's day, whatever the order; duplicates change nothing", async () => {
    const inOrder = newStore("ORD", "Europe/Paris");
    const reversed = newStore("REV", "Europe/Paris");
    const a = story(inOrder);
    const b = story(reversed);
    await h.appendAll([a.sale, a.void, a.kept, a.return]);
    // The void before its sale, the return before its sale.
    await h.appendAll([b.void, b.return, b.sale, b.kept]);
    await h.settle();
    await expectNoDeadLetters();

    const expected = await figures(inOrder.id);
    expect(expected.totals).toMatchObject({ revenue: 5700, transactions: 1, units: 2, discounts: 300, returns: 3000 });
    expect(expected.data).toEqual([
      expect.objectContaining({ key: "2026-06-10", revenue: 5700, transactions: 1 }),
      expect.objectContaining({ key: "2026-06-11", revenue: 0, returns: 3000 }),
    ]);
    expect(await figures(reversed.id)).toEqual(expected);

    // The same envelopes delivered again, and the void and sale announced again under new ids.
    await h.appendAll([a.sale, a.void, a.kept, a.return, b.void, b.sale]);
    await h.appendAll([
      { ...a.void, id: randomUUID() },
      { ...a.sale, id: randomUUID() },
    ] satisfies RawEnvelope[]);
    await h.settle();
    expect(await figures(inOrder.id)).toEqual(expected);
    expect(await figures(reversed.id)).toEqual(expected);

    // Units sold per variant, net of voids, for the stock report (days of cover), whatever the order (a
    // voided sale booked before its void leaves rows at zero, one voided before it arrived none).
    const unitsOf = async (channel: string) =>
      (
        await h.reporting.db.query(
          `SELECT variant_id, units_sold, units_returned FROM sales_variant_daily
            WHERE channel = $1 AND (units_sold <> 0 OR units_returned <> 0) ORDER BY day, variant_id`,
          [channel],
        )
      ).rows;
    const units = await unitsOf(inOrder.id);
    expect(units).toEqual([
      { variant_id: item.variantId, units_sold: 2, units_returned: 0 },
      { variant_id: item.variantId, units_sold: 0, units_returned: 1 },
    ]);
    expect(await unitsOf(reversed.id)).toEqual(units);
  });
});

describe("products and categories", () => {
  const store = newStore("CAT", "Europe/Paris");
  const espresso = newItem("espresso (till)", 250, 1000);
  const beans = newItem("beans (till)", 1800, 550);
  const cups = "0192f5a0-0000-7000-8000-0000000c0001";
  const food = "0192f5a0-0000-7000-8000-0000000c0002";

  it("top products carry catalog's names and categories, by revenue or units; an older update changes nothing", async () => {
    const s1 = saleCompleted(store, "2026-07-01T09:00:00.000Z", [
      { item: espresso, quantity: 6 },
      { item: beans, quantity: 1 },
    ]);
    await h.publish("retail.sale.completed", s1, s1.saleId);
    await h.settle();
    // Before catalog speaks: the line's name, no category.
    let top = (await get(`/api/reporting/top-products?from=2026-07-01&to=2026-07-01&storeId=${store.id}`)).body;
    expect(top.data.map((p: { name: string; category: string | null }) => [p.name, p.category])).toEqual([
      ["beans (till)", null],
      ["espresso (till)", null],
    ]);

    await h.publish("catalog.category.created", category(cups, "Boissons"), cups, {
      occurredAt: "2026-06-01T00:00:00.000Z",
    });
    await h.publish("catalog.category.created", category(food, "Épicerie"), food, {
      occurredAt: "2026-06-01T00:00:00.000Z",
    });
    await h.publish("catalog.product.created", product(espresso, cups, "Espresso"), espresso.productId, {
      occurredAt: "2026-06-01T00:00:00.000Z",
    });
    await h.publish("catalog.product.updated", product(beans, food, "Café en grains"), beans.productId, {
      occurredAt: "2026-06-03T00:00:00.000Z",
    });
    // Older than the update above: ignored.
    await h.publish("catalog.product.created", product(beans, cups, "Old name"), beans.productId, {
      occurredAt: "2026-06-02T00:00:00.000Z",
    });
    await h.publish("catalog.category.updated", { ...category(food, "Épicerie fine"), position: 1 }, food, {
      occurredAt: "2026-06-04T00:00:00.000Z",
    });
    await h.settle();

    top = (await get(`/api/reporting/top-products?from=2026-07-01&to=2026-07-01&storeId=${store.id}&by=revenue`)).body;
    expect(top).toMatchObject({ from: "2026-07-01", to: "2026-07-01", by: "revenue" });
    expect(top.data).toEqual([
      {
        productId: beans.productId,
        name: "Café en grains",
        categoryId: food,
        category: "Épicerie fine",
        units: 1,
        revenue: 1800,
        unitsReturned: 0,
        returns: 0,
      },
      expect.objectContaining({ name: "Espresso", category: "Boissons", units: 6, revenue: 1500 }),
    ]);
    top = (await get(`/api/reporting/top-products?from=2026-07-01&to=2026-07-01&storeId=${store.id}&by=units&limit=1`))
      .body;
    expect(top.data.map((p: { name: string }) => p.name)).toEqual(["Espresso"]);

    const byCategory = await sales(`from=2026-07-01&to=2026-07-01&groupBy=category&storeId=${store.id}`);
    expect(byCategory.data).toEqual([
      expect.objectContaining({ key: cups, label: "Boissons", revenue: 1500, units: 6, transactions: null }),
      expect.objectContaining({
        key: food,
        label: "Épicerie fine",
        revenue: 1800,
        vat: [{ rate: 550, base: 1706, vat: 94, total: 1800 }],
      }),
    ]);
  });
});

describe("a deleted category", () => {
  it("keeps its name, marked deleted; an older update does not bring it back", async () => {
    const store = newStore("DEL", "Europe/Paris");
    const vase = newItem("Vase", 3500, 2000);
    const id = "0192f5a0-0000-7000-8000-0000000c0003";
    await h.publish("catalog.category.created", category(id, "Déco"), id, { occurredAt: "2026-06-01T00:00:00.000Z" });
    await h.publish("catalog.product.created", product(vase, id), vase.productId, {
      occurredAt: "2026-06-01T00:00:00.000Z",
    });
    await h.publish("catalog.category.deleted", { id }, id, { occurredAt: "2026-06-05T00:00:00.000Z" });
    await h.publish("catalog.category.updated", category(id, "Déco v2"), id, {
      occurredAt: "2026-06-04T00:00:00.000Z",
    });
    const sale = saleCompleted(store, "2026-07-02T09:00:00.000Z", [{ item: vase, quantity: 1 }]);
    await h.publish("retail.sale.completed", sale, sale.saleId);
    await h.settle();
    const top = (await get(`/api/reporting/top-products?from=2026-07-02&to=2026-07-02&storeId=${store.id}`)).body;
    expect(top.data).toEqual([expect.objectContaining({ categoryId: id, category: "Déco (deleted)", revenue: 3500 })]);
  });
});

describe("who reads the reports", () => {
  const mine = newStore("MGR", "Europe/Paris");
  const theirs = newStore("OTH", "Europe/Paris");

  beforeAll(async () => {
    for (const store of [mine, theirs]) {
      const sale = saleCompleted(store, "2026-08-01T10:00:00.000Z", [{ item: newItem("Pull", 5000), quantity: 1 }]);
      await h.publish("retail.sale.completed", sale, sale.saleId);
    }
    await h.settle();
  });

  it("a manager reads their own store's figures, nothing wider", async () => {
    const manager = await h.reporting.as({ role: "manager", storeId: mine.id });
    const q = "from=2026-08-01&to=2026-08-01";
    expect((await manager.get(`/api/reporting/sales?${q}&storeId=${mine.id}`)).status).toBe(200);
    expect((await manager.get(`/api/reporting/top-products?${q}&storeId=${mine.id}`)).status).toBe(200);
    expect((await manager.get(`/api/reporting/stores/${mine.id}/indicators?${q}`)).status).toBe(200);
    for (const path of [
      `/api/reporting/sales?${q}`,
      `/api/reporting/sales?${q}&groupBy=store`,
      `/api/reporting/sales?${q}&channel=online`,
      `/api/reporting/sales?${q}&storeId=${theirs.id}`,
      `/api/reporting/top-products?${q}`,
      `/api/reporting/stores/${theirs.id}/indicators?${q}`,
    ]) {
      const res = await manager.get(path);
      expect(res.status, path).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("an admin reads every store; clerks and customers nothing; anonymous callers are asked to sign in", async () => {
    const q = "from=2026-08-01&to=2026-08-01";
    const all = await sales(`${q}&groupBy=store`);
    expect(all.data.map((r: { key: string }) => r.key)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    for (const role of ["clerk", "customer"] as const) {
      const caller = await h.reporting.as({ role, storeId: mine.id });
      expect((await caller.get(`/api/reporting/sales?${q}&storeId=${mine.id}`)).status).toBe(403);
      expect((await caller.get(`/api/reporting/stores/${mine.id}/indicators?${q}`)).status).toBe(403);
    }
    expect((await h.reporting.anonymous.get(`/api/reporting/sales?${q}`)).status).toBe(401);
  });
});

describe("answers kept while the read model does not change", () => {
  const store = newStore("CCH", "Europe/Paris");
  const q = `from=2026-09-01&to=2026-09-30&storeId=${store.id}`;
  const scarf = newItem("Écharpe", 3000);
  const sellOne = async () => {
    const sale = saleCompleted(store, "2026-09-12T10:00:00.000Z", [{ item: scarf, quantity: 1 }]);
    await h.publish("retail.sale.completed", sale, sale.saleId);
    await h.settle();
  };

  it("a report asked again is the same answer; an event applied, of any kind, changes it at once", async () => {
    await sellOne();
    const first = await get(`/api/reporting/sales?${q}&groupBy=store`);
    expect(first.body.totals).toMatchObject({ revenue: 3000, transactions: 1 });
    const again = await get(`/api/reporting/sales?${q}&groupBy=store`);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.headers.get("reporting-data-age")).not.toBeNull();

    await sellOne();
    expect((await sales(`${q}&groupBy=store`)).totals).toMatchObject({ revenue: 6000, transactions: 2 });
    // A catalog event names the product differently: the top products kept say so at once.
    expect((await get(`/api/reporting/top-products?${q}`)).body.data[0]).toMatchObject({ name: "Écharpe" });
    const accessories = randomUUID();
    await h.publish("catalog.category.created", category(accessories, "Accessoires"), accessories);
    await h.publish("catalog.product.created", product(scarf, accessories, "Écharpe en laine"), scarf.productId);
    await h.settle();
    expect((await get(`/api/reporting/top-products?${q}`)).body.data[0]).toMatchObject({
      name: "Écharpe en laine",
      category: "Accessoires",
    });
  });

  it("an answer kept for one caller is no answer for a caller who may not read it", async () => {
    const other = newStore("CC2", "Europe/Paris");
    const manager = await h.reporting.as({ role: "manager", storeId: other.id });
    // The admin's answer is kept; the other store's manager still gets 403 for the same query.
    await get(`/api/reporting/sales?${q}&groupBy=day`);
    const res = await manager.get(`/api/reporting/sales?${q}&groupBy=day`);
    expect(res.status).toBe(403);
    const wider = await manager.get(`/api/reporting/sales?from=2026-09-01&to=2026-09-30&groupBy=day`);
    expect(wider.status).toBe(403);
  });
});

describe("bad input", () => {
  it.each([
    ["/api/reporting/sales?from=2026-03-02&to=2026-03-01", "invalid_period"],
    ["/api/reporting/sales?from=2023-01-01&to=2026-01-03", "invalid_period"],
    ["/api/reporting/sales?from=2026-02-30&to=2026-03-01", "invalid_period"],
    ["/api/reporting/sales?from=2026-3-1&to=2026-03-01", "validation_failed"],
    ["/api/reporting/sales?to=2026-03-01", "validation_failed"],
    ["/api/reporting/sales?from=2026-03-01&to=2026-03-01&groupBy=hour", "validation_failed"],
    ["/api/reporting/sales?from=2026-03-01&to=2026-03-01&channel=web", "validation_failed"],
    [`/api/reporting/sales?from=2026-03-01&to=2026-03-01&channel=online&storeId=${randomUUID()}`, "invalid_filter"],
    ["/api/reporting/top-products?from=2026-03-01&to=2026-03-01&by=margin", "validation_failed"],
    ["/api/reporting/top-products?from=2026-03-01&to=2026-03-01&limit=0", "validation_failed"],
    ["/api/reporting/top-products?from=2026-03-01&to=2026-03-01&limit=101", "validation_failed"],
    [`/api/reporting/stores/${randomUUID()}/indicators?from=2026-03-09&to=2026-03-01`, "invalid_period"],
    ["/api/reporting/stores/nope/indicators?from=2026-03-01&to=2026-03-01", "validation_failed"],
  ])("%s → 400 %s", async (path, code) => {
    const res = await h.reporting.admin.get(path);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe(code);
  });
});

describe("CSV", () => {
  const store = newStore("CSV", "Europe/Paris");

  beforeAll(async () => {
    const sale = saleCompleted(store, "2026-09-01T10:00:00.000Z", [
      { item: newItem('Sac "cabas", toile', 1234, 2000), quantity: 1, discount: 100 },
    ]);
    await h.publish("retail.sale.completed", sale, sale.saleId);
    await h.publish("retail.register.closed", registerClosed(store, "2026-09-01T18:00:00.000Z", -5), randomUUID());
    await h.settle();
  });

  it("with Accept: text/csv, the sales report as an attachment: BOM, CRLF, euros with two decimals", async () => {
    const res = await get(`/api/reporting/sales?from=2026-09-01&to=2026-09-01&groupBy=day&storeId=${store.id}`, {
      accept: "text/csv",
    });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="sales-2026-09-01-2026-09-01.csv"');
    const text: string = res.body;
    // fetch's text() drops the BOM; the raw bytes keep it (checked below).
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(
      "key,label,revenue,revenue excl. VAT,VAT,VAT 20%,transactions,units,average basket,discounts,returns,refunds,net revenue",
    );
    expect(lines[1]).toBe("2026-09-01,2026-09-01,11.34,9.45,1.89,1.89,1,1,11.34,1.00,0.00,0.00,11.34");
    expect(lines[2]).toBe("total,Total,11.34,9.45,1.89,1.89,1,1,11.34,1.00,0.00,0.00,11.34");
    expect(lines[3]).toBe("");
  });

  it("with format=csv&sep=;, semicolons and decimal commas; names with quotes and commas are quoted", async () => {
    const raw = await fetch(
      `${h.reporting.base}/api/reporting/top-products?from=2026-09-01&to=2026-09-01&storeId=${store.id}&format=csv&sep=;`,
      { headers: { authorization: `Bearer ${await h.reporting.issuer.token({ role: "admin" })}` } },
    );
    expect(raw.status).toBe(200);
    const bytes = new Uint8Array(await raw.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    expect(raw.headers.get("content-disposition")).toBe(
      'attachment; filename="top-products-2026-09-01-2026-09-01.csv"',
    );
    const [header, row] = text.slice(1).split("\r\n");
    expect(header).toBe("product id;name;category;units;revenue;units returned;returns");
    expect(row).toMatch(/^[0-9a-f-]{36};"Sac ""cabas"", toile";;1;11,34;0;0,00$/);

    const semicolon = await get(
      `/api/reporting/stores/${store.id}/indicators?from=2026-09-01&to=2026-09-01&format=csv&sep=semicolon`,
    );
    const rows: string[] = semicolon.body.split("\r\n");
    expect(rows[0]).toBe("figure;2026-09-01 to 2026-09-01;2026-08-31 to 2026-08-31;change %");
    expect(rows).toContain("revenue;11,34;0,00;");
    expect(rows).toContain("discountRate;0,081;;");
    expect(rows).toContain("cashVariance;-0,05;0,00;");
    expect(semicolon.headers.get("content-disposition")).toBe(
      'attachment; filename="indicators-CSV-2026-09-01-2026-09-01.csv"',
    );
  });

  it("every answer says how old its data may be", async () => {
    const res = await get(`/api/reporting/sales?from=2026-09-01&to=2026-09-01&storeId=${store.id}`);
    expect(res.headers.get("reporting-data-age")).toMatch(/^-?\d+$/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await get(`/api/reporting/sales?from=2026-09-01&to=2026-09-01&storeId=${store.id}`);
    expect(later.headers.get("reporting-data-age")).toBe("0");
  });
});

describe("a replay from the first event", () => {
  it("rebuilds the same reports (the model is cleared first)", async () => {
    const year = "from=2026-01-01&to=2026-12-31";
    const reports = async () => {
      const answers: unknown[] = [];
      for (const groupBy of ["store", "channel", "day", "week", "month", "category"]) {
        answers.push((await sales(`${year}&groupBy=${groupBy}`)).data);
      }
      answers.push((await get(`/api/reporting/top-products?${year}&limit=100`)).body.data);
      return answers;
    };
    const handled = async () =>
      Number(
        (await h.reporting.db.query("SELECT count(*) AS n FROM inbox WHERE consumer_group = 'reporting'")).rows[0].n,
      );
    await h.settle();
    const before = await reports();
    const events = await handled();
    // A row no event explains: the reset must clear it.
    await h.reporting.db.query(
      "INSERT INTO sales_daily (day, channel, revenue, transactions) VALUES ('2026-12-31', 'online', 999, 1)",
    );
    const res = await h.reporting.admin.post("/api/reporting/admin/events/replay", {
      group: "reporting",
      fromStart: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await waitFor(handled, (n) => n === events, `the ${events} events handled again`);
    await h.settle();
    expect(await reports()).toEqual(before);
  });
});

function addDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

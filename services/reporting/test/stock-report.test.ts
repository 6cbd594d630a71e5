import { randomUUID } from "node:crypto";
import type { EventData } from "@comptoir/contracts";
import { reportingStockHttp } from "@comptoir/contracts/http";
import { contractMismatches, expectProblem } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockStatus } from "../src/model/stock-status";
import { type ReportingHarness, startReporting } from "./support/harness";
import { category, newItem, product, saleCompleted } from "./support/sales-events";

/**
 * The stock report (issue 20) through reporting's HTTP API: levels from inventory's events (an older
 * event never overwrites a newer one), statuses from the threshold and the last 28 days' sales, goods on
 * their way from supply's requests whatever order their events arrive in, who may read which store, and
 * the CSV export.
 */

type StockChanged = EventData<"inventory.stock.changed">;
type SupplyData = EventData<"supply.request.approved">;

const OVERSTOCK_DAYS = 60;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MINUTE = 60_000;
/** A UTC day relative to today: 0 today, 1 yesterday. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe("the stock report", () => {
  let h: ReportingHarness;

  beforeAll(async () => {
    h = await startReporting("stock_report", { overstockDays: OVERSTOCK_DAYS });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A store with its stock location, and a manager of it. */
  const newStore = () => ({ storeId: randomUUID(), locationId: randomUUID() });

  const level = (
    where: { storeId: string | null; locationId: string; locationKind?: StockChanged["locationKind"] },
    variantId: string,
    figures: { onHand: number; available?: number; threshold?: number | null },
  ): StockChanged => ({
    movementId: randomUUID(),
    variantId,
    locationId: where.locationId,
    locationKind: where.locationKind ?? "store",
    storeId: where.storeId,
    onHand: figures.onHand,
    reserved: figures.onHand - (figures.available ?? figures.onHand),
    available: figures.available ?? figures.onHand,
    delta: 1,
    movementType: "receipt",
    reason: null,
    reference: null,
    actorId: null,
    lowStockThreshold: figures.threshold ?? null,
  });

  const stockChanged = (data: StockChanged, occurredAt?: string) =>
    h.publish("inventory.stock.changed", data, data.variantId, occurredAt ? { occurredAt } : {});

  /** Units sold per day on a channel (the sales read model's table, which sales events fill). */
  const sold = async (channel: string, variantId: string, units: number, day = daysAgo(1)) => {
    await h.reporting.db.query(
      `INSERT INTO sales_variant_daily (day, channel, variant_id, product_id, units_sold) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (day, channel, variant_id) DO UPDATE SET units_sold = sales_variant_daily.units_sold + EXCLUDED.units_sold`,
      [day, channel, variantId, randomUUID(), units],
    );
  };

  const report = async (
    query: string,
    as: { role?: "admin" | "manager" | "clerk" | "customer"; storeId?: string } = {},
  ) => {
    const api = await h.reporting.as({ role: as.role ?? "admin", storeId: as.storeId ?? null });
    return api.get(`/api/reporting/stock?${query}`);
  };
  const rowsOf = async (query: string) => {
    const res = await report(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as any[];
  };
  const rowOf = async (storeId: string, variantId: string) =>
    (await rowsOf(`storeId=${storeId}&limit=200`)).find((r) => r.variantId === variantId);

  it("shows each level as inventory's last movement left it, an older event arriving late changing nothing", async () => {
    const store = newStore();
    const variantId = randomUUID();
    const newest = await stockChanged(
      level(store, variantId, { onHand: 12, available: 10, threshold: 3 }),
      ago(MINUTE),
    );
    await h.settle();
    expect(await rowOf(store.storeId, variantId)).toMatchObject({
      storeId: store.storeId,
      locationId: store.locationId,
      locationKind: "store",
      variantId,
      onHand: 12,
      available: 10,
      lowStockThreshold: 3,
      incoming: 0,
      unitsSold28d: 0,
      daysOfCover: null,
      status: "ok",
      updatedAt: newest.occurredAt,
    });

    // Older, then the newest once more (a redelivery): the level stays the newest's.
    await stockChanged(level(store, variantId, { onHand: 1, threshold: 8 }), ago(5 * MINUTE));
    await h.republish(newest);
    await h.settle();
    expect(await rowOf(store.storeId, variantId)).toMatchObject({ onHand: 12, available: 10, lowStockThreshold: 3 });

    await stockChanged(level(store, variantId, { onHand: 4, available: 2, threshold: 3 }));
    await h.settle();
    expect(await rowOf(store.storeId, variantId)).toMatchObject({ onHand: 4, available: 2, status: "low" });
  });

  it("takes what is available, the threshold and the names from inventory's alerts", async () => {
    const store = newStore();
    const variantId = randomUUID();
    await stockChanged(level(store, variantId, { onHand: 10, threshold: null }), ago(2 * MINUTE));
    const alert = {
      alertId: randomUUID(),
      variantId,
      locationId: store.locationId,
      locationKind: "store" as const,
      storeId: store.storeId,
      sku: "TSH-BLU-M",
      productName: "T-shirt bleu",
      threshold: 6,
      available: 4,
    };
    // A reservation took 6: the alert is the newest word on what is available.
    await h.publish("inventory.alert.raised", alert, variantId, { occurredAt: ago(MINUTE) });
    await h.settle();
    expect(await rowOf(store.storeId, variantId)).toMatchObject({
      onHand: 10,
      available: 4,
      lowStockThreshold: 6,
      sku: "TSH-BLU-M",
      productName: "T-shirt bleu",
      status: "low",
    });

    // Resolved while still at or under the threshold it tells of: the threshold was removed.
    await h.publish("inventory.alert.resolved", alert, variantId);
    await h.settle();
    expect(await rowOf(store.storeId, variantId)).toMatchObject({
      available: 4,
      lowStockThreshold: null,
      status: "ok",
    });
  });

  it("is out, low, ok or overstock by the threshold and the days of cover at the last 28 days' pace", async () => {
    const store = newStore();
    const [out, low, ok, over, still] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await stockChanged(level(store, out, { onHand: 2, available: 0, threshold: 2 }));
    await stockChanged(level(store, low, { onHand: 5, threshold: 5 }));
    await stockChanged(level(store, ok, { onHand: 28, threshold: 5 }));
    await stockChanged(level(store, over, { onHand: 200, threshold: 5 }));
    await stockChanged(level(store, still, { onHand: 500 }));
    // 28 units over 28 days: one a day (and older sales or another store's do not count).
    await sold(store.storeId, ok, 20, daysAgo(0));
    await sold(store.storeId, ok, 8, daysAgo(27));
    await sold(store.storeId, ok, 50, daysAgo(28));
    await sold(randomUUID(), ok, 50, daysAgo(1));
    await sold(store.storeId, over, 56, daysAgo(3));
    await sold(store.storeId, low, 28, daysAgo(3));
    // The warehouse's level shows to an admin only, with no sales of its own.
    await stockChanged(
      level({ storeId: null, locationId: randomUUID(), locationKind: "warehouse" }, randomUUID(), { onHand: 900 }),
    );
    await h.settle();

    const rows = await rowsOf(`storeId=${store.storeId}`);
    expect(rows.map((r) => [r.variantId, r.status])).toEqual([
      [out, "out"],
      [low, "low"],
      // Problems first: out, low, overstock, then ok (by SKU, then variant id).
      [over, "overstock"],
      ...[ok, still].sort().map((v) => [v, "ok"]),
    ]);
    const byId = new Map(rows.map((r) => [r.variantId, r]));
    expect(byId.get(ok)).toMatchObject({ unitsSold28d: 28, daysOfCover: 28 });
    expect(byId.get(over)).toMatchObject({ unitsSold28d: 56, daysOfCover: 100 });
    expect(byId.get(low)).toMatchObject({ unitsSold28d: 28, daysOfCover: 5 });
    expect(byId.get(still)).toMatchObject({ unitsSold28d: 0, daysOfCover: null });
    expect(byId.get(out)).toMatchObject({ daysOfCover: null });
    for (const r of rows) {
      expect(r.status).toBe(
        stockStatus(
          { available: r.available, lowStockThreshold: r.lowStockThreshold, unitsSold: r.unitsSold28d },
          OVERSTOCK_DAYS,
        ),
      );
    }

    expect((await rowsOf(`storeId=${store.storeId}&status=overstock`)).map((r) => r.variantId)).toEqual([over]);
    expect((await rowsOf(`storeId=${store.storeId}&status=low`)).map((r) => r.variantId)).toEqual([low]);
    const page = await report(`storeId=${store.storeId}&limit=2&page=2`);
    expect(page.body.pagination).toEqual({ page: 2, limit: 2, total: 5 });
    expect(page.body.data.map((r: { variantId: string }) => r.variantId)).toEqual(
      rows.slice(2, 4).map((r) => r.variantId),
    );
    expect((await report(`storeId=${store.storeId}&limit=2&page=9`)).body).toEqual({
      data: [],
      pagination: { page: 9, limit: 2, total: 5 },
    });
  });

  it("is registered with its contract's schemas", async () => {
    expect(await contractMismatches(h.reporting.app, reportingStockHttp.endpoints)).toEqual([]);
  });

  it("takes the pace from the tills' sales, and the product and its name from catalog", async () => {
    const store = newStore();
    const item = newItem("Lampe de chevet", 2_500);
    const storeRef = { id: store.storeId, code: "S1", name: "Store S1", timezone: "Europe/Paris" };
    const sale = saleCompleted(storeRef, ago(60 * MINUTE), [{ item, quantity: 14 }]);
    await h.publish("retail.sale.completed", sale, sale.saleId);
    const categoryId = randomUUID();
    await h.publish("catalog.category.created", category(categoryId, "Maison"), categoryId);
    await h.publish("catalog.product.created", product(item, categoryId), item.productId);
    await stockChanged(level(store, item.variantId, { onHand: 10 }));
    await h.settle();
    expect(await rowOf(store.storeId, item.variantId)).toMatchObject({
      productId: item.productId,
      productName: "Lampe de chevet",
      unitsSold28d: 14,
      daysOfCover: 20,
      status: "ok",
    });
  });

  it("applies the same status rule in SQL as the model's", async () => {
    const cases: [number, number | null, number, number][] = [];
    for (const available of [-1, 0, 1, 5, 6, 30, 90, 91, 500])
      for (const threshold of [null, 0, 5, 90])
        for (const units of [0, 1, 28, 100])
          for (const days of [30, 90]) cases.push([available, threshold, units, days]);
    const { rows } = await h.reporting.db.query<{ status: string }>(
      `SELECT stock_status(c.a, c.t, c.u, c.d) AS status
         FROM jsonb_to_recordset($1::jsonb) AS c(a int, t int, u bigint, d int, n int) ORDER BY c.n`,
      [JSON.stringify(cases.map(([a, t, u, d], n) => ({ a, t, u, d, n })))],
    );
    expect(rows.map((r) => r.status)).toEqual(
      cases.map(([available, lowStockThreshold, unitsSold, days]) =>
        stockStatus({ available, lowStockThreshold, unitsSold }, days),
      ),
    );
  });

  describe("goods on their way", () => {
    const request = (
      store: { storeId: string; locationId: string },
      lines: { variantId: string; quantity: number }[],
    ): Omit<SupplyData, "status"> => ({
      requestId: randomUUID(),
      storeId: store.storeId,
      locationId: store.locationId,
      fromLocationId: randomUUID(),
      lines,
      note: null,
      requestedBy: randomUUID(),
      decidedBy: randomUUID(),
      reason: null,
    });
    const incoming = async (store: { storeId: string }, variantId: string) =>
      (await rowOf(store.storeId, variantId))?.incoming ?? 0;

    it("count a request's quantities from its approval until it is completed or failed", async () => {
      const store = newStore();
      const [a, b] = [randomUUID(), randomUUID()];
      await stockChanged(level(store, a, { onHand: 1 }));
      const r = request(store, [
        { variantId: a, quantity: 5 },
        { variantId: b, quantity: 3 },
      ]);
      const other = request(store, [{ variantId: a, quantity: 2 }]);
      await h.publish("supply.request.created", { ...r, decidedBy: null, status: "requested" }, r.requestId, {
        occurredAt: ago(4 * MINUTE),
      });
      await h.settle();
      expect(await incoming(store, a)).toBe(0);

      await h.publish("supply.request.approved", { ...r, status: "approved" }, r.requestId, {
        occurredAt: ago(3 * MINUTE),
      });
      await h.publish("supply.request.approved", { ...other, status: "approved" }, other.requestId);
      await h.settle();
      expect(await incoming(store, a)).toBe(7);
      // A variant the store has no level of yet shows with what comes.
      expect(await rowOf(store.storeId, b)).toMatchObject({
        onHand: 0,
        available: 0,
        incoming: 3,
        status: "out",
        updatedAt: null,
      });

      await h.publish("supply.request.completed", { ...r, status: "completed" }, r.requestId, {
        occurredAt: ago(MINUTE),
      });
      await h.publish(
        "supply.request.failed",
        { ...other, status: "failed", reason: "transfer_failed" },
        other.requestId,
      );
      await h.settle();
      expect(await incoming(store, a)).toBe(0);
      expect(await rowOf(store.storeId, b)).toBeUndefined();
    });

    it("leave nothing on its way when the end of a request arrives before its approval", async () => {
      const store = newStore();
      const variantId = randomUUID();
      await stockChanged(level(store, variantId, { onHand: 1 }));
      const done = request(store, [{ variantId, quantity: 4 }]);
      const failed = request(store, [{ variantId, quantity: 6 }]);
      const rejected = request(store, [{ variantId, quantity: 9 }]);
      await h.publish("supply.request.completed", { ...done, status: "completed" }, done.requestId);
      await h.publish("supply.request.failed", { ...failed, status: "failed", reason: "no stock" }, failed.requestId);
      await h.publish(
        "supply.request.rejected",
        { ...rejected, status: "rejected", reason: "not now" },
        rejected.requestId,
      );
      await h.settle();
      // Their approvals (and creations) come late, even stamped later than the end (another clock).
      for (const r of [done, failed]) {
        await h.publish("supply.request.approved", { ...r, status: "approved" }, r.requestId, {
          occurredAt: new Date(Date.now() + MINUTE).toISOString(),
        });
      }
      await h.publish(
        "supply.request.created",
        { ...rejected, decidedBy: null, status: "requested" },
        rejected.requestId,
      );
      await h.settle();
      expect(await incoming(store, variantId)).toBe(0);
    });
  });

  describe("who reads it", () => {
    const store = newStore();
    const otherStore = newStore();
    const variantId = randomUUID();
    const warehouse = randomUUID();
    const online = randomUUID();

    beforeAll(async () => {
      await stockChanged(level(store, variantId, { onHand: 3 }));
      await stockChanged(level(otherStore, variantId, { onHand: 7 }));
      await stockChanged(
        level({ storeId: null, locationId: warehouse, locationKind: "warehouse" }, variantId, { onHand: 100 }),
      );
      await stockChanged(
        level({ storeId: null, locationId: online, locationKind: "online" }, variantId, { onHand: 40 }),
      );
      await sold("online", variantId, 280);
      await h.settle();
    });

    it("a manager reads their own store", async () => {
      const res = await report(`storeId=${store.storeId}`, { role: "manager", storeId: store.storeId });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual([expect.objectContaining({ storeId: store.storeId, variantId, onHand: 3 })]);
      // Every event was handled: the data is up to date.
      expect(res.headers.get("reporting-data-age")).toBe("0");
    });

    it("a manager is refused another store, or every store", async () => {
      expectProblem(
        await report(`storeId=${otherStore.storeId}`, { role: "manager", storeId: store.storeId }),
        403,
        "forbidden",
      );
      expectProblem(await report("", { role: "manager", storeId: store.storeId }), 403, "forbidden");
    });

    it("clerks and customers are refused, anonymous callers asked to sign in", async () => {
      expectProblem(
        await report(`storeId=${store.storeId}`, { role: "clerk", storeId: store.storeId }),
        403,
        "forbidden",
      );
      expectProblem(await report(`storeId=${store.storeId}`, { role: "customer" }), 403, "forbidden");
      expectProblem(await h.reporting.anonymous.get(`/api/reporting/stock?storeId=${store.storeId}`), 401);
    });

    it("an admin reads every location without storeId: the warehouse and online too", async () => {
      const rows = (await rowsOf("limit=200")).filter((r) => r.variantId === variantId);
      expect(rows.map((r) => [r.locationKind, r.storeId, r.onHand]).sort()).toEqual(
        [
          ["online", null, 40],
          ["store", otherStore.storeId, 7],
          ["store", store.storeId, 3],
          ["warehouse", null, 100],
        ].sort(),
      );
      // Online's cover comes from online sales: 40 ÷ (280 ÷ 28) = 4 days.
      expect(rows.find((r) => r.locationKind === "online")).toMatchObject({ unitsSold28d: 280, daysOfCover: 4 });
      expect(rows.find((r) => r.locationKind === "warehouse")).toMatchObject({ unitsSold28d: 0, daysOfCover: null });
    });

    it("is refused with an unknown filter or an invalid store id", async () => {
      expectProblem(await report("storeId=nope"), 400, "validation_failed");
      expectProblem(await report(`storeId=${store.storeId}&status=bad`), 400, "validation_failed");
    });
  });

  describe("as CSV", () => {
    const store = newStore();
    const variantId = randomUUID();

    beforeAll(async () => {
      await stockChanged(level(store, variantId, { onHand: 10, available: 9, threshold: 2 }));
      await sold(store.storeId, variantId, 3);
      await h.publish(
        "inventory.alert.resolved",
        {
          alertId: randomUUID(),
          variantId,
          locationId: store.locationId,
          locationKind: "store",
          storeId: store.storeId,
          sku: "MUG-01",
          productName: 'Mug "Comptoir", grès',
          threshold: 2,
          available: 9,
        },
        variantId,
      );
      await h.settle();
    });

    it("exports every row with ?format=csv, one record per row after the header", async () => {
      const res = await report(`storeId=${store.storeId}&format=csv&limit=1&page=3`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      const records = (res.body as string).replace(/^\uFEFF/, "").split("\r\n");
      expect(records[0]).toBe(
        "store id,location id,location kind,variant id,product id,sku,product,on hand,available,low stock threshold," +
          "units sold 28 days,units per day,days of cover,status,incoming,updated at",
      );
      expect(records[1]).toMatch(
        new RegExp(
          `^${store.storeId},${store.locationId},store,${variantId},[0-9a-f-]{36},MUG-01,"Mug ""Comptoir"", grès",10,9,2,3,0.11,84,overstock,0,\\d{4}-`,
        ),
      );
      expect(records.slice(2)).toEqual([""]);
    });

    it("answers Accept: text/csv, with ; and decimal commas on request", async () => {
      const api = await h.reporting.as({ role: "manager", storeId: store.storeId });
      const res = await api.get(`/api/reporting/stock?storeId=${store.storeId}&sep=semicolon`, { accept: "text/csv" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      expect((res.body as string).split("\r\n")[1]).toContain(
        ';"Mug ""Comptoir"", grès";10;9;2;3;0,11;84;overstock;0;',
      );
    });
  });
});

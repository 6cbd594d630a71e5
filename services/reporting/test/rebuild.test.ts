import { randomUUID } from "node:crypto";
import type { EventType } from "@comptoir/contracts";
import type { RebuildPhase } from "@comptoir/events";
import { reportingAdminHttp } from "@comptoir/contracts/http";
import { contractMismatches, waitFor } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_MODEL_TABLES } from "../src/db/rebuild.repo";
import { type ReportingHarness, startReporting } from "./support/harness";
import {
  category,
  type Item,
  newItem,
  newStore,
  orderPaid,
  orderRefunded,
  product,
  registerClosed,
  saleCompleted,
  saleReturned,
  saleVoided,
  type StoreRef,
} from "./support/sales-events";

/**
 * `POST /api/reporting/admin/rebuild`: every stream reporting reads is replayed from the first event
 * into copies of the read model's tables, swapped in, then caught up. The rollups add: an event the
 * live handlers applied during the rebuild must count once in the new model, whichever phase it came
 * in. Reports keep answering (never empty) the whole time. `GET .../freshness` says how far behind.
 */
describe("rebuilding the reporting read model", () => {
  let h: ReportingHarness;
  /** A phase the rebuild waits in until its promise resolves; `reached` tells when it got there. */
  const holds = new Map<RebuildPhase, { reached: () => void; release: Promise<void> }>();
  const hold = (phase: RebuildPhase) => {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    holds.set(phase, { reached, release: new Promise<void>((resolve) => (release = resolve)) });
    return {
      arrived,
      release: () => {
        holds.delete(phase);
        release();
      },
    };
  };

  const store: StoreRef = newStore("PAR", "Europe/Paris");
  const storeOther: StoreRef = newStore("LYO", "Europe/Paris");
  const categoryId = randomUUID();
  let items: Item[] = [];
  const FROM = "2026-03-01";
  const TO = "2026-03-31";
  const at = (day: number, hour = 10) =>
    `2026-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00.000Z`;

  beforeAll(async () => {
    h = await startReporting("reporting_rebuild", {
      onRebuildPhase: async (phase) => {
        const held = holds.get(phase);
        held?.reached();
        await held?.release;
      },
    });
    items = [newItem("Mug", 1_290, 2000), newItem("Thé vert", 650, 550), newItem("Carnet", 890, 2000)];
    await history();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A history with every event type reporting handles, over a few days of March. */
  async function history(): Promise<void> {
    const published = new Set<string>();
    const publish: ReportingHarness["publish"] = async (type, data, subject, options) => {
      published.add(type);
      return h.publish(type, data, subject, options);
    };
    await publish("catalog.category.created", category(categoryId, "Cuisine"), categoryId);
    await publish("catalog.category.updated", { ...category(categoryId, "Cuisine & thé") }, categoryId);
    const gone = randomUUID();
    await publish("catalog.category.created", category(gone, "Papeterie"), gone);
    await publish("catalog.category.deleted", { id: gone, name: "Papeterie" } as never, gone);
    for (const item of items) await publish("catalog.product.created", product(item, categoryId), item.productId);
    await publish(
      "catalog.product.updated",
      { ...product(items[2]!, gone, "Carnet A5") } as never,
      items[2]!.productId,
    );
    for (const s of [store, storeOther]) {
      const snapshot = {
        id: s.id,
        code: s.code,
        name: s.name,
        address: { line1: "1 rue de la Paix", postalCode: "75002", city: "Paris", country: "FR" },
        phone: "",
        email: "",
        managerId: null,
        openingHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
        timezone: s.timezone,
        locationId: randomUUID(),
        createdAt: at(1, 8),
        updatedAt: at(1, 8),
      };
      await publish("retail.store.created" as EventType, snapshot as never, s.id, { occurredAt: at(1, 8) });
      await publish("retail.store.updated" as EventType, { ...snapshot, name: `${s.name}!` } as never, s.id, {
        occurredAt: at(1, 9),
      });
    }
    for (let day = 2; day <= 6; day++) {
      const paid = orderPaid([{ item: items[day % 3]!, quantity: day }]);
      await publish("orders.order.paid", paid, paid.orderId, { occurredAt: at(day, 9) });
      if (day === 3)
        await publish("orders.order.refunded", orderRefunded(paid, 500), paid.orderId, { occurredAt: at(4) });
      for (const s of [store, storeOther]) {
        const sale = saleCompleted(s, at(day, 11), [{ item: items[(day + 1) % 3]!, quantity: 1 + (day % 2) }]);
        await publish("retail.sale.completed", sale, sale.saleId, { occurredAt: at(day, 11) });
        if (day === 4)
          await publish("retail.sale.voided", saleVoided(sale, at(day, 12)), sale.saleId, { occurredAt: at(day, 12) });
      }
      await publish(
        "retail.sale.returned",
        saleReturned(store, at(day, 15), [{ item: items[0]!, quantity: 1 }]),
        randomUUID(),
        {
          occurredAt: at(day, 15),
        },
      );
      await publish("retail.register.closed", registerClosed(store, at(day, 19), day - 4), store.id, {
        occurredAt: at(day, 19),
      });
      const cartId = randomUUID();
      await publish("cart.cart.created", { cartId, customerId: null, createdAt: at(day, 8) }, cartId);
      await publish(
        "cart.cart.filled",
        { cartId, customerId: randomUUID(), filledAt: at(day, 8), itemCount: 1, lineCount: 1 },
        cartId,
      );
      const orderId = randomUUID();
      await publish(
        "orders.checkout.started",
        {
          checkoutId: randomUUID(),
          orderId,
          cartId,
          channel: "online",
          customerId: null,
          startedAt: at(day, 8),
          itemCount: 1,
          subtotal: 1_990,
          currency: "EUR",
        },
        orderId,
      );
    }
    const locationId = randomUUID();
    for (const [n, item] of items.entries()) {
      await publish(
        "inventory.stock.changed",
        {
          movementId: randomUUID(),
          variantId: item.variantId,
          locationId,
          locationKind: "store",
          storeId: store.id,
          onHand: 10 + n,
          reserved: 0,
          available: 10 + n,
          delta: 1,
          movementType: "receipt",
          reason: null,
          reference: null,
          actorId: null,
          lowStockThreshold: 3,
        },
        item.variantId,
      );
    }
    const alert = {
      alertId: randomUUID(),
      variantId: items[0]!.variantId,
      locationId,
      locationKind: "store" as const,
      storeId: store.id,
      sku: "MUG-1",
      productName: "Mug",
      threshold: 12,
      available: 10,
    };
    await publish("inventory.alert.raised", alert, alert.variantId);
    await publish("inventory.alert.resolved", { ...alert, threshold: 8 }, alert.variantId);
    const request = {
      requestId: randomUUID(),
      storeId: store.id,
      locationId,
      fromLocationId: randomUUID(),
      lines: [{ variantId: items[1]!.variantId, quantity: 4 }],
      note: null,
      requestedBy: randomUUID(),
      decidedBy: null,
      reason: null,
    };
    await publish("supply.request.created", { ...request, status: "requested" }, request.requestId);
    await publish(
      "supply.request.approved",
      { ...request, decidedBy: randomUUID(), status: "approved" },
      request.requestId,
    );
    for (const status of ["rejected", "completed", "failed"] as const) {
      const other = { ...request, requestId: randomUUID(), decidedBy: randomUUID() };
      await publish(`supply.request.${status}`, { ...other, status, reason: "no stock" } as never, other.requestId);
    }
    await h.settle();
    // Every type consumer group "reporting" handles is in the history.
    const handled = h.reporting.bus.consumerGroups().find((g) => g.group === "reporting")!.types;
    expect(handled.filter((type) => !published.has(type))).toEqual([]);
  }

  /** Every report, as JSON, over the history's month and two of its days. */
  async function reports(): Promise<Record<string, unknown>> {
    const queries = [
      ...["store", "channel", "day", "week", "month", "category"].flatMap((groupBy) => [
        `/api/reporting/sales?from=${FROM}&to=${TO}&groupBy=${groupBy}`,
        `/api/reporting/sales?from=2026-03-03&to=2026-03-04&groupBy=${groupBy}`,
      ]),
      `/api/reporting/top-products?from=${FROM}&to=${TO}&by=revenue`,
      `/api/reporting/top-products?from=2026-03-02&to=2026-03-04&by=units`,
      `/api/reporting/stores/${store.id}/indicators?from=${FROM}&to=${TO}`,
      `/api/reporting/stores/${storeOther.id}/indicators?from=2026-03-04&to=2026-03-04`,
      `/api/reporting/stock?limit=200`,
      `/api/reporting/conversion?from=${FROM}&to=${TO}`,
    ];
    const answers: Record<string, unknown> = {};
    for (const query of queries) {
      const res = await h.reporting.admin.get(query);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      answers[query] = res.body;
    }
    return answers;
  }

  const monthTotals = async () => {
    const res = await h.reporting.admin.get(`/api/reporting/sales?from=${FROM}&to=${TO}&groupBy=channel`);
    expect(res.status).toBe(200);
    return res.body.totals as { revenue: number; transactions: number };
  };
  const conversionTotals = async () =>
    (await h.reporting.admin.get(`/api/reporting/conversion?from=${FROM}&to=${TO}`)).body.totals;

  const rebuilt = async () =>
    waitFor(
      async () => (await h.reporting.admin.get("/api/reporting/admin/rebuild")).body,
      (state) => state.phase === "done" || state.phase === "failed",
      "the rebuild to end",
    );

  it("needs events:admin", async () => {
    expect((await h.reporting.anonymous.post("/api/reporting/admin/rebuild", {})).status).toBe(401);
    const clerk = await h.reporting.as({ role: "clerk", permissions: [] });
    expect((await clerk.post("/api/reporting/admin/rebuild", {})).status).toBe(403);
    expect((await clerk.get("/api/reporting/admin/rebuild")).status).toBe(403);
    expect((await clerk.get("/api/reporting/admin/freshness")).status).toBe(403);
  });

  it("swaps in the same reports, never answering an empty one to a reader polling meanwhile; a second rebuild meanwhile is refused (409)", async () => {
    const before = await reports();
    const totals = await monthTotals();
    expect(totals.transactions).toBeGreaterThan(10);

    let polling = true;
    const seen: number[] = [];
    const reader = (async () => {
      while (polling) seen.push((await monthTotals()).revenue);
    })();
    const indexing = hold("indexing");
    const started = await h.reporting.admin.post("/api/reporting/admin/rebuild", {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await indexing.arrived;
    const second = await h.reporting.admin.post("/api/reporting/admin/rebuild", {});
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("rebuild_in_progress");
    indexing.release();
    const state = await rebuilt();
    polling = false;
    await reader;

    expect(state).toMatchObject({ phase: "done", error: null });
    expect(state.total).toBe(state.read);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([totals.revenue]));
    expect(await reports()).toEqual(before);
  });

  it("refuses a rebuild while another instance runs one (409)", async () => {
    const other = await h.reporting.db.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtextextended('reporting_rebuild', 0))");
      const refused = await h.reporting.admin.post("/api/reporting/admin/rebuild", {});
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe("rebuild_in_progress");
      await other.query("SELECT pg_advisory_unlock(hashtextextended('reporting_rebuild', 0))");
    } finally {
      other.release();
    }
  });

  it("counts exactly once the events published in every phase of the rebuild", async () => {
    const before = await monthTotals();
    const funnelBefore = await conversionTotals();
    const sell = async (day: number) => {
      const paid = orderPaid([{ item: items[0]!, quantity: 1 }]);
      await h.publish("orders.order.paid", paid, paid.orderId, { occurredAt: at(day, 14) });
      const cartId = randomUUID();
      await h.publish("cart.cart.created", { cartId, customerId: null, createdAt: at(day, 14) }, cartId);
      await h.settle();
      return paid.totals.total;
    };
    let added = 0;
    // Before the second read into the copies (the live handlers apply it to the old tables, the copies read it too).
    const indexing = hold("indexing");
    // After the last read into the copies: only the catch-up brings it to the new tables.
    const swapping = hold("swapping");
    // After the swap: the live handlers apply it to the new tables, the catch-up reads it again.
    const catchingUp = hold("catching_up");
    expect((await h.reporting.admin.post("/api/reporting/admin/rebuild", {})).status).toBe(202);
    added += await sell(10); // while replaying or indexing
    await indexing.arrived;
    added += await sell(11);
    indexing.release();
    await swapping.arrived;
    added += await sell(12);
    swapping.release();
    await catchingUp.arrived;
    added += await sell(13);
    catchingUp.release();
    const state = await rebuilt();
    await h.settle();

    expect(state).toMatchObject({ phase: "done", error: null });
    expect(state.caughtUp).toBeGreaterThanOrEqual(4); // days 12 and 13: a paid order and a cart each
    expect(await monthTotals()).toMatchObject({
      revenue: before.revenue + added,
      transactions: before.transactions + 4,
    });
    expect((await conversionTotals()).cartsCreated).toBe(funnelBefore.cartsCreated + 4);
    // And the live model keeps following events after the swap.
    added += await sell(14);
    expect((await monthTotals()).revenue).toBe(before.revenue + added);
  });

  it("leaves out a row the events never made (a wrong figure planted in the live table)", async () => {
    const before = await reports();
    await h.reporting.db.query(
      "UPDATE sales_daily SET revenue = revenue + 99999, transactions = transactions + 7 WHERE day = '2026-03-03'",
    );
    await h.reporting.db.query(
      "INSERT INTO sales_daily (day, channel, revenue, transactions) VALUES ('2026-03-20', 'online', 4242, 1)",
    );
    expect(await reports()).not.toEqual(before);
    expect((await h.reporting.admin.post("/api/reporting/admin/rebuild", {})).status).toBe(202);
    expect(await rebuilt()).toMatchObject({ phase: "done" });
    expect(await reports()).toEqual(before);
  });

  it("reports per stream how far behind the read model is, in events and seconds, and as gauges", async () => {
    await h.settle();
    const res = await h.reporting.admin.get("/api/reporting/admin/freshness");
    expect(res.status).toBe(200);
    expect(res.body.data.map((s: { stream: string }) => s.stream)).toEqual([
      "cart",
      "catalog",
      "inventory",
      "orders",
      "retail",
      "supply",
    ]);
    for (const s of res.body.data) expect(s, s.stream).toMatchObject({ eventsBehind: 0, secondsBehind: 0 });
    expect(res.body.data.every((s: { lastAppliedAt: string | null }) => s.lastAppliedAt !== null)).toBe(true);
    const metrics = await h.reporting.anonymous.get("/metrics");
    expect(String(metrics.body)).toMatch(/reporting_read_model_lag_events\{stream="orders"[^}]*\} 0/);
    expect(await contractMismatches(h.reporting.app, reportingAdminHttp.endpoints)).toEqual([]);
  });

  it("swaps every table the events build, and only those", async () => {
    const { rows } = await h.reporting.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const others = rows.map((r) => r.name).filter((name) => !(READ_MODEL_TABLES as readonly string[]).includes(name));
    // The event backbone's and the migrations' tables: neither built by events nor swapped.
    expect(others).toEqual([
      "consumer_groups",
      "dead_letters",
      "inbox",
      "outbox",
      "platform_migrations",
      "schema_migrations",
    ]);
  });
});

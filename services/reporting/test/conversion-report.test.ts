import { randomUUID } from "node:crypto";
import type { RawEnvelope } from "@comptoir/contracts";
import { reportingConversionHttp } from "@comptoir/contracts/http";
import { contractMismatches, expectProblem } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envelope, type ReportingHarness, startReporting } from "./support/harness";
import { newItem, newStore, orderPaid, orderRefunded, saleCompleted } from "./support/sales-events";

/**
 * The online conversion funnel (issue 20) through reporting's HTTP API: carts created and filled, checkouts
 * started and orders paid, each on the day of the online channel's time zone (Europe/Paris here) of its
 * own instant, DST included; an event delivered twice counts once; rates and totals; who may read it; bad
 * input; the CSV export; a replay from the start rebuilds the same figures.
 */

type Role = "admin" | "manager" | "clerk" | "customer";

describe("the online conversion funnel", () => {
  let h: ReportingHarness;

  beforeAll(async () => {
    h = await startReporting("conversion_report", { onlineTimeZone: "Europe/Paris" });
  });
  afterAll(async () => {
    await h?.close();
  });

  // Each event's envelope is stamped "now" (the harness's default): the funnel counts by the data's instant.
  const cartCreated = (at: string, cartId = randomUUID()) =>
    h.publish("cart.cart.created", { cartId, customerId: null, createdAt: at }, cartId);
  const cartFilled = (at: string, cartId = randomUUID()) =>
    h.publish(
      "cart.cart.filled",
      { cartId, customerId: randomUUID(), filledAt: at, itemCount: 2, lineCount: 1 },
      cartId,
    );
  const checkoutStarted = (at: string, cartId = randomUUID()) => {
    const orderId = randomUUID();
    return h.publish(
      "orders.checkout.started",
      {
        checkoutId: randomUUID(),
        orderId,
        cartId,
        channel: "online",
        customerId: null,
        startedAt: at,
        itemCount: 1,
        subtotal: 1_990,
        currency: "EUR",
      },
      orderId,
    );
  };
  /** A paid order: a sale of the online channel on the local day of the payment (the envelope's instant). */
  const paid = async (at: string) => {
    const order = orderPaid([{ item: newItem("Mug", 1_990), quantity: 1 }]);
    const envelope = await h.publish("orders.order.paid", order, order.orderId, { occurredAt: at });
    return { order, envelope };
  };

  const get = async (query: string, as: { role?: Role; storeId?: string } = {}, headers?: Record<string, string>) => {
    const api = await h.reporting.as({ role: as.role ?? "admin", storeId: as.storeId ?? null });
    return api.get(`/api/reporting/conversion?${query}`, headers);
  };
  const report = async (from: string, to: string): Promise<reportingConversionHttp.ConversionReport> => {
    const res = await get(`from=${from}&to=${to}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const countsOf = (r: reportingConversionHttp.ConversionReport) =>
    r.data.map((d) => [d.day, d.cartsCreated, d.cartsFilled, d.checkoutsStarted, d.ordersPaid]);

  it("is registered with its contract's schemas", async () => {
    expect(await contractMismatches(h.reporting.app, reportingConversionHttp.endpoints)).toEqual([]);
  });

  it("counts each step on the online channel's local day of its own instant, across a DST change", async () => {
    // 2026-03-29 in Paris: clocks go from 02:00 CET (+01) to 03:00 CEST (+02); the day is 23 hours long,
    // 2026-03-28T23:00Z to 2026-03-29T22:00Z.
    await cartCreated("2026-03-28T22:59:59.000Z"); // 23:59:59 on the 28th
    await cartCreated("2026-03-28T23:00:00.000Z"); // 00:00 on the 29th
    await cartCreated("2026-03-29T21:59:59.000Z"); // 23:59:59 CEST on the 29th
    await cartCreated("2026-03-29T22:00:00.000Z"); // 00:00 on the 30th
    await cartFilled("2026-03-29T00:30:00.000Z"); // 01:30 CET
    await cartFilled("2026-03-29T01:30:00.000Z"); // 03:30 CEST
    await checkoutStarted("2026-03-29T21:30:00.000Z"); // 23:30 CEST on the 29th
    await paid("2026-03-29T21:45:00.000Z"); // 23:45 on the 29th
    await paid("2026-03-29T22:15:00.000Z"); // 00:15 on the 30th
    await h.settle();

    const r = await report("2026-03-27", "2026-03-30");
    expect(r).toMatchObject({ from: "2026-03-27", to: "2026-03-30", timeZone: "Europe/Paris" });
    expect(countsOf(r)).toEqual([
      ["2026-03-27", 0, 0, 0, 0],
      ["2026-03-28", 1, 0, 0, 0],
      ["2026-03-29", 2, 2, 1, 1],
      ["2026-03-30", 1, 0, 0, 1],
    ]);
  });

  it("counts a cart's events each on its own day, whatever order they arrive in", async () => {
    const cartId = randomUUID();
    await cartFilled("2026-05-04T22:10:00.000Z", cartId); // 00:10 CEST on the 5th, handled first
    await checkoutStarted("2026-05-04T22:20:00.000Z", cartId);
    await cartCreated("2026-05-04T21:50:00.000Z", cartId); // 23:50 CEST on the 4th
    await h.settle();
    expect(countsOf(await report("2026-05-04", "2026-05-05"))).toEqual([
      ["2026-05-04", 1, 0, 0, 0],
      ["2026-05-05", 0, 1, 1, 0],
    ]);
  });

  it("counts an event delivered again once", async () => {
    const cartId = randomUUID();
    const envelopes: RawEnvelope[] = [
      await cartCreated("2026-05-10T08:00:00.000Z", cartId),
      await cartFilled("2026-05-10T08:01:00.000Z", cartId),
      await checkoutStarted("2026-05-10T08:05:00.000Z", cartId),
      (await paid("2026-05-10T08:06:00.000Z")).envelope,
    ];
    await h.settle();
    for (const envelope of envelopes) await h.republish(envelope);
    await h.appendAll(envelopes);
    await h.settle();
    expect(countsOf(await report("2026-05-10", "2026-05-10"))).toEqual([["2026-05-10", 1, 1, 1, 1]]);
  });

  describe("rates and totals", () => {
    beforeAll(async () => {
      // 2026-06-01: 4 carts created, 3 filled, 2 checkouts, 1 paid order (refunded later: it still counts).
      for (let i = 0; i < 4; i++) await cartCreated(`2026-06-01T0${i}:00:00.000Z`);
      for (let i = 0; i < 3; i++) await cartFilled(`2026-06-01T1${i}:00:00.000Z`);
      for (let i = 0; i < 2; i++) await checkoutStarted(`2026-06-01T15:0${i}:00.000Z`);
      const { order } = await paid("2026-06-01T15:30:00.000Z");
      await h.publish("orders.order.refunded", orderRefunded(order, 1_990), order.orderId, {
        occurredAt: "2026-06-02T09:00:00.000Z",
      });
      // 2026-06-02: 1 created, 1 filled, 2 checkouts (one of a cart filled the day before), 2 paid.
      await cartCreated("2026-06-02T08:00:00.000Z");
      await cartFilled("2026-06-02T08:05:00.000Z");
      await checkoutStarted("2026-06-02T08:10:00.000Z");
      await checkoutStarted("2026-06-02T08:11:00.000Z");
      await paid("2026-06-02T08:20:00.000Z");
      await paid("2026-06-02T08:21:00.000Z");
      // A till sale is no online order.
      const store = newStore("FUN", "Europe/Paris");
      const sale = saleCompleted(store, "2026-06-02T10:00:00.000Z", [{ item: newItem("Pull", 5_000), quantity: 1 }]);
      await h.publish("retail.sale.completed", sale, sale.saleId);
      await h.settle();
    });

    it("divide each step by the one before, per day and over the period from the summed counts", async () => {
      const r = await report("2026-06-01", "2026-06-03");
      expect(r.data).toEqual([
        {
          day: "2026-06-01",
          cartsCreated: 4,
          cartsFilled: 3,
          checkoutsStarted: 2,
          ordersPaid: 1,
          fillRate: 0.75,
          checkoutRate: 0.6667,
          paymentRate: 0.5,
          conversionRate: 0.25,
          abandonmentRate: 0.6667,
        },
        {
          // Counts of the same day, not a cohort: more checkouts than carts filled that day.
          day: "2026-06-02",
          cartsCreated: 1,
          cartsFilled: 1,
          checkoutsStarted: 2,
          ordersPaid: 2,
          fillRate: 1,
          checkoutRate: 2,
          paymentRate: 1,
          conversionRate: 2,
          abandonmentRate: -1,
        },
        {
          day: "2026-06-03",
          cartsCreated: 0,
          cartsFilled: 0,
          checkoutsStarted: 0,
          ordersPaid: 0,
          fillRate: null,
          checkoutRate: null,
          paymentRate: null,
          conversionRate: null,
          abandonmentRate: null,
        },
      ]);
      expect(r.totals).toEqual({
        cartsCreated: 5,
        cartsFilled: 4,
        checkoutsStarted: 4,
        ordersPaid: 3,
        fillRate: 0.8,
        checkoutRate: 1,
        paymentRate: 0.75,
        conversionRate: 0.6,
        abandonmentRate: 0.25,
      });
    });

    it("exports the days and a total record as CSV with ?format=csv", async () => {
      const res = await get("from=2026-06-01&to=2026-06-03&format=csv");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(
        'attachment; filename="conversion-2026-06-01-2026-06-03.csv"',
      );
      expect((res.body as string).replace(/^\uFEFF/, "").split("\r\n")).toEqual([
        "day,carts created,carts filled,checkouts started,orders paid,fill rate,checkout rate,payment rate," +
          "conversion rate,abandonment rate",
        "2026-06-01,4,3,2,1,0.75,0.6667,0.5,0.25,0.6667",
        "2026-06-02,1,1,2,2,1,2,1,2,-1",
        "2026-06-03,0,0,0,0,,,,,",
        "total,5,4,4,3,0.8,1,0.75,0.6,0.25",
        "",
      ]);
    });

    it("answers Accept: text/csv with a BOM; sep=; writes semicolons and decimal commas", async () => {
      const raw = await fetch(`${h.reporting.base}/api/reporting/conversion?from=2026-06-01&to=2026-06-01&sep=;`, {
        headers: {
          accept: "text/csv",
          authorization: `Bearer ${await h.reporting.issuer.token({ role: "admin" })}`,
        },
      });
      expect(raw.status).toBe(200);
      const bytes = new Uint8Array(await raw.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const records = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes).slice(1).split("\r\n");
      expect(records[0]).toBe(
        "day;carts created;carts filled;checkouts started;orders paid;fill rate;checkout rate;payment rate;" +
          "conversion rate;abandonment rate",
      );
      expect(records.slice(1)).toEqual([
        "2026-06-01;4;3;2;1;0,75;0,6667;0,5;0,25;0,6667",
        "total;4;3;2;1;0,75;0,6667;0,5;0,25;0,6667",
        "",
      ]);
      // format=json wins over the header.
      const json = await get("from=2026-06-01&to=2026-06-01&format=json", {}, { accept: "text/csv" });
      expect(json.body.totals.cartsCreated).toBe(4);
    });
  });

  describe("who may read it", () => {
    const store = randomUUID();
    const q = "from=2026-06-01&to=2026-06-01";

    it("an admin reads it, with the data's age", async () => {
      await h.settle();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the age's one-second cache
      const res = await get(q);
      expect(res.status).toBe(200);
      expect(res.headers.get("reporting-data-age")).toBe("0");
    });

    it("a manager is refused: the online channel belongs to no store", async () => {
      const res = await get(q, { role: "manager", storeId: store });
      expectProblem(res, 403, "forbidden");
      expect(res.body.detail).toMatch(/belongs to no store/);
      expectProblem(await get(`${q}&format=csv`, { role: "manager", storeId: store }), 403, "forbidden");
    });

    it("clerks and customers are refused, anonymous callers asked to sign in", async () => {
      expectProblem(await get(q, { role: "clerk", storeId: store }), 403, "forbidden");
      expectProblem(await get(q, { role: "customer" }), 403, "forbidden");
      expectProblem(await h.reporting.anonymous.get(`/api/reporting/conversion?${q}`), 401);
    });
  });

  describe("bad input", () => {
    it.each([
      ["from=2026-03-02&to=2026-03-01", "invalid_period"],
      ["from=2023-01-01&to=2026-01-03", "invalid_period"],
      ["from=2026-02-30&to=2026-03-01", "invalid_period"],
      ["from=2026-3-1&to=2026-03-01", "validation_failed"],
      ["to=2026-03-01", "validation_failed"],
      ["from=2026-03-01", "validation_failed"],
      ["from=2026-03-01&to=2026-03-01&format=xml", "validation_failed"],
      [`from=2026-03-01&to=2026-03-01&storeId=${randomUUID()}`, "validation_failed"],
    ])("%s → 400 %s", async (query, code) => {
      expectProblem(await get(query), 400, code);
    });

    it("takes the longest period allowed (1,098 days)", async () => {
      const r = await report("2023-01-01", "2026-01-02");
      expect(r.data).toHaveLength(1_098);
    });
  });

  it("a replay from the start rebuilds the same figures, counting nothing twice", async () => {
    const before = await Promise.all([report("2026-03-27", "2026-03-30"), report("2026-05-01", "2026-06-30")]);
    await h.reporting.bus.replayGroup("reporting");
    await h.settle();
    const after = await Promise.all([report("2026-03-27", "2026-03-30"), report("2026-05-01", "2026-06-30")]);
    expect(after).toEqual(before);
    expect(after[1].totals).toMatchObject({ cartsCreated: 7, cartsFilled: 6, checkoutsStarted: 6, ordersPaid: 4 });
  });
});

describe("the funnel under concurrent partitions", () => {
  let h: ReportingHarness;

  beforeAll(async () => {
    h = await startReporting("conversion_concurrency", { onlineTimeZone: "Europe/Paris" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("counts every event on the same few days, never deadlocks (with the sales model's writes), never dead-letters", async () => {
    const days = ["2026-04-01", "2026-04-02", "2026-04-03"];
    const envelopes: RawEnvelope[] = [];
    for (let i = 0; i < 1200; i++) {
      // Each partition's batches go through the days in a different order.
      const at = `${days[(i * 7) % 3]!}T10:00:00.000Z`;
      const cartId = randomUUID();
      switch (i % 4) {
        case 0:
          envelopes.push(envelope("cart.cart.created", { cartId, customerId: null, createdAt: at }, cartId));
          break;
        case 1:
          envelopes.push(
            envelope(
              "cart.cart.filled",
              { cartId, customerId: null, filledAt: at, itemCount: 1, lineCount: 1 },
              cartId,
            ),
          );
          break;
        case 2: {
          const orderId = randomUUID();
          const data = {
            checkoutId: randomUUID(),
            orderId,
            cartId,
            channel: "online" as const,
            customerId: null,
            startedAt: at,
            itemCount: 1,
            subtotal: 500,
            currency: "EUR",
          };
          envelopes.push(envelope("orders.checkout.started", data, orderId));
          break;
        }
        default: {
          const order = orderPaid([{ item: newItem("Mug", 500), quantity: 1 }]);
          envelopes.push(envelope("orders.order.paid", order, order.orderId, { occurredAt: at }));
        }
      }
    }
    await Promise.all([0, 1, 2, 3].map((k) => h.appendAll(envelopes.filter((_, i) => i % 4 === k).reverse())));
    await h.settle();

    // PostgreSQL's count of deadlocks in the service's database (its statistics lag a little).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { rows } = await h.reporting.db.query<{ deadlocks: number }>(
      "SELECT deadlocks::int AS deadlocks FROM pg_stat_database WHERE datname = current_database()",
    );
    expect(rows[0]!.deadlocks).toBe(0);
    expect((await h.reporting.bus.listDeadLetters({ limit: 5, offset: 0 })).data.map((l) => l.error)).toEqual([]);
    const res = await h.reporting.admin.get("/api/reporting/conversion?from=2026-04-01&to=2026-04-03");
    expect(res.body.totals).toMatchObject({
      cartsCreated: 300,
      cartsFilled: 300,
      checkoutsStarted: 300,
      ordersPaid: 300,
    });
  }, 120_000);
});

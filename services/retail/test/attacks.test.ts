/**
 * Retail as an attacker and a tax auditor see it: each test here failed before the fix it proves
 * (store credit bound to its store, amounts a sale cannot record, a close over a refund under way,
 * control characters in free text, discount precision, big-basket rounding, the printable receipt's
 * policy).
 */
import { randomUUID } from "node:crypto";
import { MAX_AMOUNT } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { priceSale } from "../src/model/sale";
import { apiAt, creditBalance, gate, storeCreditOf } from "./support/attacks";
import { card, DENOMINATIONS_OF, expectProblem, level, type RetailWorld, startRetail, until } from "./support/harness";
import { expectStatus, journalOf, saleCounts, sell } from "./support/sales";

let world: RetailWorld;
beforeAll(async () => {
  world = await startRetail("attacks", { settings: { saleWaitMs: 3_000 } });
});
afterAll(async () => world?.close());

describe("store credit", () => {
  it("is spent only in the store that issued it: another store's till gets 404 and learns no balance", async () => {
    const a = await world.till();
    const b = await world.till();
    const credit = await storeCreditOf(world, a.store, a.register.id, 2000);
    const product = await world.product({ price: 1500, stock: 3, locationId: b.store.locationId });
    const before = await saleCounts(world);

    const res = await sell(b.store.clerk.api, {
      registerId: b.register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "store_credit", code: credit.code, amount: 1500 }],
    });
    expectProblem(res, 404, "store_credit_not_found");
    expect(JSON.stringify(res.body)).not.toContain("balance");
    expect(await creditBalance(world, credit.code)).toBe(2000);
    expect(await saleCounts(world)).toEqual(before);
    expect(await level(world, product.variantId, b.store.locationId)).toEqual({ onHand: 3, reserved: 0 });

    // In its own store it pays.
    const own = await world.product({ price: 1500, stock: 3, locationId: a.store.locationId });
    const ok = await sell(a.store.clerk.api, {
      registerId: a.register.id,
      lines: [{ variantId: own.variantId, quantity: 1 }],
      tenders: [{ method: "store_credit", code: credit.code, amount: 1500 }],
    });
    expectStatus(ok, 201);
    expect(await creditBalance(world, credit.code)).toBe(500);
  });

  it("spent by two tills at once pays one sale; the other is compensated (no stock out, no journal entry)", async () => {
    const { store, register } = await world.till();
    const second = await world.register(store.id);
    await world.open(second, store.clerk.api);
    const credit = await storeCreditOf(world, store, register.id, 2000);
    const product = await world.product({ price: 2000, stock: 5, locationId: store.locationId });
    const results = await Promise.all(
      [register.id, second.id].map((registerId) =>
        sell(store.clerk.api, {
          registerId,
          lines: [{ variantId: product.variantId, quantity: 1 }],
          tenders: [{ method: "store_credit", code: credit.code, amount: 2000 }],
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe("store_credit_insufficient");
    expect(await creditBalance(world, credit.code)).toBe(0);
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 4, reserved: 0 });
    expect((await journalOf(world, store.id)).filter((e) => e.kind === "sale")).toHaveLength(1);
  });
});

describe("amounts a sale cannot record", () => {
  it("cash handed over beyond MAX_AMOUNT is a 400 before any stock moves (it used to hang the sale after its pivot)", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, stock: 2, locationId: store.locationId });
    const before = await saleCounts(world);
    const res = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [
        { method: "cash", amount: MAX_AMOUNT },
        { method: "cash", amount: MAX_AMOUNT },
      ],
    });
    expectProblem(res, 400, "tender_exceeds_max");
    expect(await saleCounts(world)).toEqual(before);
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 2, reserved: 0 });
    expect(await journalOf(world, store.id)).toHaveLength(0);
  });

  it("a percent discount with more than two decimals is refused, not silently rounded", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, stock: 2, locationId: store.locationId });
    const res = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1, discount: { percent: 5.555 } }],
      tenders: [{ method: "cash", amount: 1000 }],
    });
    expectProblem(res, 400, "discount_precision");
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "lines.0.discount.percent" })]);
  });

  it("a basket percent on a huge basket is rounded exactly (no float error past 2^53)", () => {
    const item = {
      variantId: randomUUID(),
      productId: randomUUID(),
      sku: "BIG",
      name: "Big",
      unitPrice: 6_687_282_785_911,
      vatRate: 2000,
      quantity: 1,
    };
    const pricing = priceSale([item], { percent: 38.09 });
    // 6,687,282,785,911 × 3809 / 10,000 = 2,547,186,013,153.5... rounded half up.
    expect(pricing.basketDiscountTotal).toBe(Number((6_687_282_785_911n * 3809n * 2n + 10_000n) / 20_000n));
    expect(pricing.total + pricing.discountTotal).toBe(pricing.subtotal);
    expect(pricing.vat.reduce((a, v) => a + v.total, 0)).toBe(pricing.total);
  });
});

describe("a close while a return is under way", () => {
  it("is refused with 409 session_busy; once the return is recorded the Z report counts it", async () => {
    const { store, register } = await world.till({ openingFloat: 5000 });
    const product = await world.product({ price: 1200, stock: 3, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 1200 }],
    });
    expectStatus(sale, 201);

    const held = gate();
    const slow = await world.instance("attacks-slow-return", {
      afterSagaStep: async (s) => {
        if (s.step === "restock" && s.action === "run" && s.phase === "called") await held.wait();
      },
    });
    try {
      const clerk = await apiAt(world, slow.base, { id: store.clerk.id, role: "clerk", storeId: store.id });
      const returning = clerk.post(
        `/api/retail/sales/${sale.body.id}/returns`,
        { registerId: register.id, lines: [{ variantId: product.variantId, quantity: 1 }], reason: "too small" },
        { "idempotency-key": randomUUID() },
      );
      await until(
        async () =>
          (await world.retail.db.query("SELECT status FROM returns WHERE sale_id = $1", [sale.body.id])).rows[0]
            ?.status,
        (status) => status === "running",
        "the return to be under way",
      );
      const counted = { counted: DENOMINATIONS_OF(5000) };
      const early = await store.clerk.api.post(`/api/retail/registers/${register.id}/close`, counted);
      expectProblem(early, 409, "session_busy");

      held.open();
      expectStatus(await returning, 201);
      const closed = await store.clerk.api.post(`/api/retail/registers/${register.id}/close`, counted);
      expectStatus(closed, 200);
      expect(closed.body.zReport).toMatchObject({ returnsCount: 1, returnsTotal: 1200, cashRefunds: 1200 });
      expect(closed.body).toMatchObject({ expectedCash: 5000, variance: 0 });
      expect((await journalOf(world, store.id)).map((e) => e.kind)).toEqual(["sale", "return", "session_close"]);
    } finally {
      held.open();
      await slow.close();
    }
  });
});

describe("a sale resumed by another instance after its cards were charged", () => {
  it("gives each card tender its own payment, so that a void refunds each card what it paid", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 4000, stock: 2, locationId: store.locationId });
    let frozen = false;
    const thaw = gate();
    // The instance that charges the cards freezes right after the charge step (its lease runs out):
    // another instance takes the sale over without the cards, which lived in the frozen one's memory.
    const doomed = await world.instance("attacks-freezes-after-charge", {
      afterSagaStep: async (s) => {
        if (!frozen && s.step === "charge" && s.action === "run" && s.phase === "called") {
          frozen = true;
          await thaw.wait();
        }
      },
    });
    const rescuer = await world.instance("attacks-rescuer", { sagaWorkerMs: 100 });
    try {
      const till = await apiAt(world, doomed.base, { id: store.clerk.id, role: "clerk", storeId: store.id });
      const body = {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        tenders: [
          { method: "card", amount: 3000, card: card() },
          { method: "card", amount: 1000, card: card() },
        ],
      };
      const key = randomUUID();
      const first = till.post("/api/retail/sales", body, { "idempotency-key": key });
      const sale = await until(
        async () => (await world.retail.db.query("SELECT id, tenders FROM sales")).rows,
        (rows) => rows.some((r) => r.tenders.length === 2 && r.tenders[0].amount === 3000),
        "the rescuer to complete the sale",
      ).then((rows) => rows.find((r) => r.tenders.length === 2 && r.tenders[0].amount === 3000)!);

      expect(frozen).toBe(true);
      thaw.open();
      // The frozen instance, thawed, finds the sale taken over and answers its outcome.
      expect((await first).status).toBe(201);

      const payments = world.payments.admin;
      for (const t of sale.tenders as { amount: number; paymentId: string }[]) {
        const p = await payments.get(`/api/payments/payments/${t.paymentId}`);
        expect(p.status, JSON.stringify(p.body)).toBe(200);
        expect(p.body.amount).toBe(t.amount);
      }
      const voided = await store.clerk.api.post(
        `/api/retail/sales/${sale.id}/void`,
        { reason: "customer changed their mind" },
        { "idempotency-key": randomUUID() },
      );
      expectStatus(voided, 200);
      for (const t of sale.tenders as { amount: number; paymentId: string }[]) {
        expect((await payments.get(`/api/payments/payments/${t.paymentId}`)).body.refundedAmount).toBe(t.amount);
      }
    } finally {
      thaw.open();
      await doomed.close();
      await rescuer.close();
    }
  });
});

describe("free text typed at a till", () => {
  it("with control characters (NUL, ESC) is a 400, never a 500 nor a journal entry", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 900, stock: 3, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 900 }],
    });
    expectStatus(sale, 201);
    const key = () => ({ "idempotency-key": randomUUID() });
    const api = store.clerk.api;

    expectProblem(await api.post(`/api/retail/sales/${sale.body.id}/void`, { reason: "oops\u0000" }, key()), 400);
    expectProblem(
      await api.post(
        `/api/retail/sales/${sale.body.id}/returns`,
        { registerId: register.id, lines: [{ variantId: product.variantId, quantity: 1 }], reason: "\u001b[31mred" },
        key(),
      ),
      400,
    );
    expectProblem(
      await sell(api, {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        tenders: [{ method: "store_credit", code: "AV-\u0000", amount: 900 }],
      }),
      400,
    );
    expectProblem(
      await api.post(`/api/retail/registers/${register.id}/cash-movements`, {
        direction: "out",
        amount: 100,
        reason: "other",
        note: "\u0000",
      }),
      400,
    );
    expectProblem(
      await api.post(`/api/retail/registers/${register.id}/close`, { counted: {}, note: "bye\u0007" }),
      400,
    );
    // Still open, and a note on several lines is fine.
    const movement = await api.post(`/api/retail/registers/${register.id}/cash-movements`, {
      direction: "out",
      amount: 100,
      reason: "petty_cash",
      note: "stamps\npaid by Léa",
    });
    expectStatus(movement, 201);
    expect((await journalOf(world, store.id)).map((e) => e.kind)).toEqual(["sale"]);
  });
});

describe("the printable receipt", () => {
  it("is served with a policy that runs no script and loads nothing", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 700, stock: 2, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 700 }],
    });
    expectStatus(sale, 201);
    const res = await store.clerk.api.get(`/api/retail/sales/${sale.body.id}/receipt?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.body).toContain("DUPLICATA");
  });
});

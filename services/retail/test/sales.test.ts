import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { card, expectProblem, level, type RetailWorld, startRetail, TEST_CARDS } from "./support/harness";
import { expectStatus, journalOf, saleCounts, sell } from "./support/sales";

let world: RetailWorld;
beforeAll(async () => {
  world = await startRetail("sales");
});
afterAll(async () => world?.close());

describe("a till sale", () => {
  it("is priced by catalog, gives change from cash, takes a receipt number and leaves the store's stock", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1250, stock: 10, locationId: store.locationId });
    const res = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ sku: product.sku, quantity: 2 }],
      tenders: [{ method: "cash", amount: 3000 }],
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      status: "completed",
      subtotal: 2500,
      total: 2500,
      cashTendered: 3000,
      change: 500,
      receiptNumber: `${store.code}-000001`,
      vat: [{ rate: 2000, base: 2083, vat: 417, total: 2500 }],
      receipt: { duplicate: false, reprint: 0, change: 500, total: 2500 },
    });
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 8, reserved: 0 });
    const second = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 1250 }],
    });
    expectStatus(second, 201);
    expect(second.body.receiptNumber).toBe(`${store.code}-000002`);
    const kinds = (await journalOf(world, store.id)).map((e) => e.kind);
    expect(kinds).toEqual(["sale", "sale"]);
  });

  it("shows a store's new name on the very next receipt of this instance (its registers and stores are cached briefly)", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 500, stock: 5, locationId: store.locationId });
    const body = {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 500 }],
    };
    const before = await sell(store.clerk.api, body);
    expectStatus(before, 201);
    expect(before.body.receipt.store.name).toBe(store.name);
    const renamed = await world.admin.patch(`/api/retail/stores/${store.id}`, { name: "Magasin renommé" });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const after = await sell(store.clerk.api, body);
    expectStatus(after, 201);
    expect(after.body.receipt.store.name).toBe("Magasin renommé");
  });

  it("splits card and cash, spreads a basket discount and gives the VAT per rate", async () => {
    const { store, register } = await world.till();
    const a = await world.product({ price: 1000, locationId: store.locationId });
    const b = await world.product({ price: 1000, vatRate: 550, locationId: store.locationId });
    const res = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [
        { variantId: a.variantId, quantity: 1 },
        { variantId: b.variantId, quantity: 1 },
      ],
      discount: { percent: 10 },
      tenders: [
        { method: "card", amount: 1000, card: card() },
        { method: "cash", amount: 1000 },
      ],
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ subtotal: 2000, discountTotal: 200, total: 1800, change: 200 });
    expect(res.body.lines.map((l: { basketDiscount: number }) => l.basketDiscount)).toEqual([100, 100]);
    expect(res.body.vat.map((v: { rate: number; total: number }) => [v.rate, v.total])).toEqual([
      [2000, 900],
      [550, 900],
    ]);
    expect(res.body.tenders[0]).toMatchObject({ method: "card", amount: 1000, last4: "4242" });
  });

  it("answers a replay with the same sale, and the same key with another body with 422", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 500, locationId: store.locationId });
    const body = {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 500 }],
    };
    const key = randomUUID();
    const first = await sell(store.clerk.api, body, key);
    expectStatus(first, 201);
    const again = await sell(store.clerk.api, body, key);
    expectStatus(again, 201);
    expect(again.body.id).toBe(first.body.id);
    expectProblem(await sell(store.clerk.api, { ...body, tenders: [{ method: "cash", amount: 600 }] }, key), 422);
    // A client sale id works as the key.
    const id = randomUUID();
    const byId = await sell(store.clerk.api, { ...body, id }, null);
    expectStatus(byId, 201);
    expect((await sell(store.clerk.api, { ...body, id }, null)).body.id).toBe(id);
    expect((await saleCounts(world)).sales).toBeGreaterThanOrEqual(2);
    expect(await level(world, product.variantId, store.locationId)).toMatchObject({ onHand: 18 });
  });

  it("refuses bad input: unknown code, bad quantity, tenders short, no key", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 500, locationId: store.locationId });
    const base = { registerId: register.id, tenders: [{ method: "cash", amount: 500 }] };
    const unknown = await sell(store.clerk.api, { ...base, lines: [{ sku: "NOPE-404", quantity: 1 }] });
    expectProblem(unknown, 404, "variant_not_found");
    expect(unknown.body.detail).toContain("NOPE-404");
    for (const quantity of [0, -1, 1000]) {
      expectProblem(await sell(store.clerk.api, { ...base, lines: [{ variantId: product.variantId, quantity }] }), 400);
    }
    const short = await sell(store.clerk.api, {
      ...base,
      lines: [{ variantId: product.variantId, quantity: 2 }],
    });
    expectProblem(short, 400, "tender_insufficient");
    expect(short.body.missing).toBe(500);
    expectProblem(
      await sell(store.clerk.api, { ...base, lines: [{ variantId: product.variantId, quantity: 1 }] }, null),
      400,
      "idempotency_key_required",
    );
  });

  it("needs sales:discount above the cashier's limit", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, locationId: store.locationId });
    const body = {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1, discount: { percent: 30 } }],
      tenders: [{ method: "cash", amount: 700 }],
    };
    expectProblem(await sell(store.clerk.api, body), 403, "discount_not_allowed");
    expectStatus(await sell(store.manager.api, body), 201);
  });

  it("leaves nothing when the card is declined: no sale, no movement, no journal entry", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, stock: 5, locationId: store.locationId });
    const before = await saleCounts(world);
    const res = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "card", amount: 1000, card: card(TEST_CARDS.declined) }],
    });
    expectProblem(res, 402, "card_declined");
    expect(await saleCounts(world)).toEqual(before);
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 5, reserved: 0 });
    expect(await journalOf(world, store.id)).toEqual([]);
  });

  it("sells 5 units exactly once when 10 tills want them at the same time", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 100, stock: 5, locationId: store.locationId });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        sell(store.clerk.api, {
          registerId: register.id,
          lines: [{ variantId: product.variantId, quantity: 1 }],
          tenders: [{ method: "cash", amount: 100 }],
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe("insufficient_stock");
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 0, reserved: 0 });
    const numbers = results
      .filter((r) => r.status === 201)
      .map((r) => r.body.receiptNumber)
      .sort();
    expect(numbers).toEqual([1, 2, 3, 4, 5].map((n) => `${store.code}-00000${n}`));
  });

  it("keeps another store's clerk out, and lists sales by store, filtered and paginated", async () => {
    const { store, register } = await world.till();
    const other = await world.till();
    const product = await world.product({ price: 100, locationId: store.locationId });
    const body = {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 100 }],
    };
    expectProblem(await sell(other.store.clerk.api, body), 404, "register_not_found");
    const sale = await sell(store.clerk.api, body);
    expectStatus(sale, 201);
    expectStatus(await sell(store.clerk.api, body), 201);
    expectProblem(await other.store.clerk.api.get(`/api/retail/sales/${sale.body.id}`), 404, "sale_not_found");
    const page = await store.clerk.api.get(`/api/retail/sales?limit=1&registerId=${register.id}`);
    expectStatus(page, 200);
    expect(page.body.pagination).toEqual({ page: 1, limit: 1, total: 2 });
    const theirs = await other.store.clerk.api.get(`/api/retail/sales?registerId=${register.id}`);
    expect(theirs.body.pagination.total).toBe(0);
  });

  it("reprints a receipt as a numbered duplicate, in JSON and 80 mm HTML, each one journaled", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 100, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 100 }],
    });
    const one = await store.clerk.api.get(`/api/retail/sales/${sale.body.id}/receipt`);
    expect(one.body).toMatchObject({ duplicate: true, reprint: 1, receiptNumber: sale.body.receiptNumber });
    const two = await store.clerk.api.get(`/api/retail/sales/${sale.body.id}/receipt?format=html`);
    expect(two.status).toBe(200);
    expect(String(two.body)).toContain("DUPLICATA n° 2");
    expect((await journalOf(world, store.id)).map((e) => e.kind)).toEqual(["sale", "reprint", "reprint"]);
  });
});

describe("returns and voids", () => {
  it("returns what was sold, refunds by the original tender, and refuses more than remains", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, stock: 5, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 3 }],
      tenders: [{ method: "card", amount: 3000, card: card() }],
    });
    expectStatus(sale, 201);
    const ret = await store.clerk.api.post(
      `/api/retail/sales/${sale.body.id}/returns`,
      { registerId: register.id, lines: [{ variantId: product.variantId, quantity: 2 }], reason: "too small" },
      { "idempotency-key": randomUUID() },
    );
    expectStatus(ret, 201);
    expect(ret.body).toMatchObject({ status: "completed", total: 2000, refunds: [{ method: "card", amount: 2000 }] });
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 4, reserved: 0 });
    const over = await store.clerk.api.post(
      `/api/retail/sales/${sale.body.id}/returns`,
      { registerId: register.id, lines: [{ variantId: product.variantId, quantity: 2 }] },
      { "idempotency-key": randomUUID() },
    );
    expectProblem(over, 409, "return_exceeds_sold");
    expect(over.body.remaining).toEqual([{ variantId: product.variantId, quantity: 1 }]);
    expectProblem(
      await store.clerk.api.post(
        `/api/retail/sales/${sale.body.id}/void`,
        { reason: "oops" },
        { "idempotency-key": randomUUID() },
      ),
      409,
      "sale_not_voidable",
    );
  });

  it("voids a sale in its open session: tenders back, stock back, journaled", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1000, stock: 5, locationId: store.locationId });
    const sale = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: 2000 }],
    });
    const voided = await store.clerk.api.post(
      `/api/retail/sales/${sale.body.id}/void`,
      { reason: "wrong item" },
      { "idempotency-key": randomUUID() },
    );
    expectStatus(voided, 200);
    expect(voided.body).toMatchObject({ status: "voided", voidRefunds: [{ method: "cash", amount: 1000 }] });
    expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 5, reserved: 0 });
    expect((await journalOf(world, store.id)).map((e) => e.kind)).toEqual(["sale", "void"]);
  });

  it("takes goods back without a receipt as store credit, usable as a tender, for managers only", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 800, stock: 5, locationId: store.locationId });
    const body = {
      registerId: register.id,
      lines: [{ sku: product.sku, quantity: 1 }],
      refundMethod: "store_credit",
      reason: "gift",
    };
    expectProblem(await store.clerk.api.post("/api/retail/returns", body, { "idempotency-key": randomUUID() }), 403);
    const ret = await store.manager.api.post("/api/retail/returns", body, { "idempotency-key": randomUUID() });
    expectStatus(ret, 201);
    expect(ret.body.storeCredit).toMatchObject({ amount: 800 });
    const paid = await sell(store.clerk.api, {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      tenders: [{ method: "store_credit", code: ret.body.storeCredit.code, amount: 800 }],
    });
    expectStatus(paid, 201);
    expectProblem(
      await sell(store.clerk.api, {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        tenders: [{ method: "store_credit", code: ret.body.storeCredit.code, amount: 800 }],
      }),
      409,
      "store_credit_insufficient",
    );
  });
});

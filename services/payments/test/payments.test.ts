import { randomUUID } from "node:crypto";
import { MAX_AMOUNT } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  card,
  expectProblem,
  paid,
  pay,
  paymentBody,
  type Payments,
  providerCalls,
  published,
  refund,
  startPayments,
  TEST_CARDS,
} from "./support/harness";

let payments: Payments;

beforeAll(async () => {
  payments = await startPayments("payments");
});
afterAll(() => payments?.close());

const count = async (table: string) =>
  (await payments.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

describe("the test cards", () => {
  it("4242 4242 4242 4242 is authorized: 201 with brand and last four, card not present, nothing captured, event authorized", async () => {
    const body = paymentBody({ amount: 2500 });
    const res = await pay(payments.orders, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      orderId: body.orderId,
      status: "authorized",
      amount: 2500,
      currency: "EUR",
      method: "card",
      entryMode: "card_not_present",
      brand: "visa",
      last4: "4242",
      capturedAmount: 0,
      refundedAmount: 0,
      failureCode: null,
      failureReason: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await payments.provider.authorizationOf(res.body.id)).toMatchObject({ status: "authorized", amount: 2500 });
    const events = await published(payments, "payments.payment.authorized");
    expect(events.find((e) => e.paymentId === res.body.id)).toEqual({
      paymentId: res.body.id,
      orderId: body.orderId,
      amount: 2500,
      currency: "EUR",
      method: "card",
      brand: "visa",
      last4: "4242",
    });
  });

  it("with capture: true it is authorized then captured: 201 captured, events authorized then captured", async () => {
    const res = await pay(payments.orders, paymentBody({ amount: 1200, capture: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "captured", amount: 1200, capturedAmount: 1200 });
    expect(await payments.provider.authorizationOf(res.body.id)).toMatchObject({ status: "captured", captured: 1200 });
    expect((await published(payments, "payments.payment.authorized")).some((e) => e.paymentId === res.body.id)).toBe(
      true,
    );
    expect(
      (await published(payments, "payments.payment.captured")).find((e) => e.paymentId === res.body.id),
    ).toMatchObject({ amount: 1200 });
    const { rows } = await payments.db.query("SELECT type FROM outbox WHERE subject = $1 ORDER BY position", [
      res.body.id,
    ]);
    expect(rows.map((r) => r.type)).toEqual(["payments.payment.authorized", "payments.payment.captured"]);
  });

  it("other Luhn-valid numbers succeed; the brand comes from the number", async () => {
    const cases = [
      ["5555555555554444", "mastercard", "4444"],
      ["2223003122003222", "mastercard", "3222"],
      ["378282246310005", "amex", "0005"],
      ["6011111111111117", "other", "1117"],
      ["4000056655665556", "visa", "5556"],
    ] as const;
    for (const [number, brand, last4] of cases) {
      const res = await pay(payments.orders, paymentBody({ card: { ...card(number), cvc: "1234" } }));
      expect(res.status, number).toBe(201);
      expect(res.body).toMatchObject({ status: "authorized", brand, last4 });
    }
  });

  it("4000 0000 0000 0002 is declined: 402 card_declined with the paymentId, recorded failed, event failed", async () => {
    const body = paymentBody({ amount: 700, card: card(TEST_CARDS.declined) });
    const res = await pay(payments.orders, body);
    expectProblem(res, 402, "card_declined");
    expect(res.body.paymentId).toEqual(expect.any(String));
    const read = await payments.manager.get(`/api/payments/payments/${res.body.paymentId}`);
    expect(read.body).toMatchObject({
      status: "failed",
      orderId: body.orderId,
      amount: 700,
      last4: "0002",
      failureCode: "card_declined",
      failureReason: "The card was declined.",
      capturedAmount: 0,
    });
    const failed = await published(payments, "payments.payment.failed");
    expect(failed.find((e) => e.paymentId === res.body.paymentId)).toMatchObject({
      code: "card_declined",
      reason: "The card was declined.",
      amount: 700,
      last4: "0002",
    });
  });

  it("4000 0000 0000 9995 has insufficient funds: 402 insufficient_funds, recorded failed", async () => {
    const res = await pay(payments.orders, paymentBody({ card: card(TEST_CARDS.insufficientFunds) }));
    expectProblem(res, 402, "insufficient_funds");
    const read = await payments.manager.get(`/api/payments/payments/${res.body.paymentId}`);
    expect(read.body).toMatchObject({ status: "failed", failureCode: "insufficient_funds", last4: "9995" });
    const failed = await published(payments, "payments.payment.failed");
    expect(failed.find((e) => e.paymentId === res.body.paymentId)).toMatchObject({ code: "insufficient_funds" });
  });
});

describe("checking the card and the request", () => {
  it("refuses a bad card with 400 invalid_card, one error per field, and stores nothing nor calls the provider", async () => {
    const before = {
      payments: await count("payments"),
      outbox: await count("outbox"),
      keys: await count("idempotency_keys"),
      calls: payments.provider.calls.length,
    };
    const year = new Date().getUTCFullYear();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ number: "4242424242424241" }, ["card.number"]],
      [{ number: "4242 4242 4242 4242" }, ["card.number"]],
      [{ number: "42424242424" }, ["card.number"]],
      [{ number: "42424242424242424242" }, ["card.number"]],
      [{ expMonth: 13 }, ["card.expMonth"]],
      [{ expMonth: 0 }, ["card.expMonth"]],
      [{ expYear: year - 1 }, ["card.expYear"]],
      [{ expYear: 27 }, ["card.expYear"]],
      [{ cvc: "12" }, ["card.cvc"]],
      [{ cvc: "12a" }, ["card.cvc"]],
      [{ number: "1234567890123", expMonth: 14, cvc: "" }, ["card.number", "card.expMonth", "card.cvc"]],
    ];
    for (const [change, fields] of cases) {
      const res = await pay(payments.orders, paymentBody({ card: { ...card(), ...change } }));
      expectProblem(res, 400, "invalid_card");
      expect(
        res.body.errors.map((e: any) => e.field),
        JSON.stringify(change),
      ).toEqual(fields);
      expect(res.body.errors.every((e: any) => e.in === "body")).toBe(true);
      // The problem never repeats the number.
      expect(JSON.stringify(res.body)).not.toContain("4242424242424241");
    }
    // A card that expires this month is still good.
    const thisMonth = await pay(
      payments.orders,
      paymentBody({ card: { ...card(), expYear: year, expMonth: new Date().getUTCMonth() + 1 } }),
    );
    expect(thisMonth.status).toBe(201);
    expect(await count("payments")).toBe(before.payments + 1);
    expect(await count("outbox")).toBe(before.outbox + 1);
    expect(await count("idempotency_keys")).toBe(before.keys + 1);
    expect(payments.provider.calls.length).toBe(before.calls + 1);
  });

  it("refuses bad amounts, currencies, methods and unknown fields (400 validation_failed), and no key (400)", async () => {
    for (const change of [
      { amount: 0 },
      { amount: MAX_AMOUNT + 1 },
      { amount: 10.5 },
      { amount: "10" },
      { currency: "eur" },
      { currency: "EURO" },
      { method: "cash" },
      { orderId: "not-a-uuid" },
      { card: { ...card(), number: 4242424242424242 } },
      { card: { ...card(), extra: true } },
      { capture: "yes" },
      { entryMode: "chip" },
      { entryMode: null },
      { tip: 100 },
    ]) {
      expectProblem(await pay(payments.orders, paymentBody(change)), 400, "validation_failed");
    }
    const res = await payments.orders.post("/api/payments/payments", paymentBody());
    expectProblem(res, 400, "idempotency_key_required");
    expect(res.body.errors).toEqual([{ in: "headers", field: "idempotency-key", message: "is required" }]);
  });
});

describe("at a store's till (card present)", () => {
  it("retail's account charges a till sale card present: 201 captured, entryMode kept when read and listed", async () => {
    const retail = await payments.as({ service: "retail" });
    const saleId = randomUUID();
    const res = await pay(
      retail,
      paymentBody({ orderId: saleId, amount: 4350, capture: true, entryMode: "card_present" }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      orderId: saleId,
      status: "captured",
      capturedAmount: 4350,
      entryMode: "card_present",
    });
    expect((await payments.manager.get(`/api/payments/payments/${res.body.id}`)).body).toEqual(res.body);
    const listed = await retail.get(`/api/payments/payments?orderId=${saleId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([res.body]);
    const { rows } = await payments.db.query("SELECT entry_mode FROM payments WHERE id = $1", [res.body.id]);
    expect(rows).toEqual([{ entry_mode: "card_present" }]);
  });

  it("a card refused at the till is a 402 and a failed payment that says card_present", async () => {
    const retail = await payments.as({ service: "retail" });
    const res = await pay(retail, paymentBody({ card: card(TEST_CARDS.declined), entryMode: "card_present" }));
    expectProblem(res, 402, "card_declined");
    const read = await payments.manager.get(`/api/payments/payments/${res.body.paymentId}`);
    expect(read.body).toMatchObject({ status: "failed", entryMode: "card_present", failureCode: "card_declined" });
  });

  it("card_not_present said explicitly is the default: the payment is card not present", async () => {
    const res = await pay(payments.orders, paymentBody({ entryMode: "card_not_present" }));
    expect(res.status).toBe(201);
    expect(res.body.entryMode).toBe("card_not_present");
  });
});

describe("the largest amount", () => {
  it("takes MAX_AMOUNT, the largest order total a cart can reach: authorized, captured and refunded in full", async () => {
    const body = paymentBody({ amount: MAX_AMOUNT });
    const res = await pay(payments.orders, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "authorized", amount: MAX_AMOUNT });
    const captured = await payments.orders.post(`/api/payments/payments/${res.body.id}/capture`);
    expect(captured.body).toMatchObject({ status: "captured", capturedAmount: MAX_AMOUNT });
    const back = await refund(payments.orders, res.body.id, { amount: MAX_AMOUNT });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(back.body.amount).toBe(MAX_AMOUNT);
    const read = await payments.manager.get(`/api/payments/payments/${res.body.id}`);
    expect(read.body).toMatchObject({ status: "refunded", amount: MAX_AMOUNT, refundedAmount: MAX_AMOUNT });
    expect(await payments.provider.authorizationOf(res.body.id)).toMatchObject({
      amount: MAX_AMOUNT,
      refunded: MAX_AMOUNT,
    });
  });
});

describe("capture and void", () => {
  it("captures the whole authorization: 200 captured, event captured; capturing again answers the same", async () => {
    const id = await paid(payments.orders, 3000);
    const res = await payments.orders.post(`/api/payments/payments/${id}/capture`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id, status: "captured", amount: 3000, capturedAmount: 3000 });
    expect((await published(payments, "payments.payment.captured")).filter((e) => e.paymentId === id)).toEqual([
      expect.objectContaining({ amount: 3000 }),
    ]);
    const captures = providerCalls(payments, "capture").length;
    const again = await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 10 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(providerCalls(payments, "capture").length).toBe(captures);
    expect((await published(payments, "payments.payment.captured")).filter((e) => e.paymentId === id)).toHaveLength(1);
  });

  it("captures part of it; more than authorized is a 400 capture_exceeds_authorized", async () => {
    const id = await paid(payments.orders, 2000);
    expectProblem(
      await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 2001 }),
      400,
      "capture_exceeds_authorized",
    );
    expect((await payments.orders.get(`/api/payments/payments/${id}`)).body.status).toBe("authorized");
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 0 }), 400);
    const res = await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 1500 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "captured", amount: 2000, capturedAmount: 1500 });
    expect(await payments.provider.authorizationOf(id)).toMatchObject({ status: "captured", captured: 1500 });
  });

  it("voids an authorization: 200 voided, again the same; then capture and refund are 409s", async () => {
    const id = await paid(payments.orders, 999);
    const res = await payments.orders.post(`/api/payments/payments/${id}/void`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id, status: "voided", capturedAmount: 0 });
    expect((await payments.provider.authorizationOf(id))?.status).toBe("voided");
    const voids = providerCalls(payments, "void").length;
    const again = await payments.orders.post(`/api/payments/payments/${id}/void`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(providerCalls(payments, "void").length).toBe(voids);
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/capture`), 409, "payment_not_capturable");
    expectProblem(await refund(payments.orders, id), 409, "payment_not_refundable");
  });

  it("a captured payment cannot be voided (409 payment_not_voidable: refund it); an authorized one not refunded", async () => {
    const authorized = await paid(payments.orders, 999);
    expectProblem(await refund(payments.orders, authorized), 409, "payment_not_refundable");
    const captured = await paid(payments.orders, 999, true);
    const res = await payments.orders.post(`/api/payments/payments/${captured}/void`);
    expectProblem(res, 409, "payment_not_voidable");
    expect(res.body.paymentStatus).toBe("captured");
    expect((await payments.orders.get(`/api/payments/payments/${captured}`)).body.status).toBe("captured");
  });

  it("a failed payment can be neither captured, voided nor refunded (409)", async () => {
    const declined = await pay(payments.orders, paymentBody({ card: card(TEST_CARDS.declined) }));
    const id = declined.body.paymentId;
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/capture`), 409, "payment_not_capturable");
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/void`), 409, "payment_not_voidable");
    expectProblem(await refund(payments.orders, id), 409, "payment_not_refundable");
  });

  it("capturing a refunded payment (in part or in full) answers it as it is, without calling the provider", async () => {
    const id = await paid(payments.orders, 1000, true);
    expect((await refund(payments.orders, id, { amount: 400 })).status).toBe(201);
    const captures = providerCalls(payments, "capture").length;
    const partly = await payments.orders.post(`/api/payments/payments/${id}/capture`);
    expect(partly.status).toBe(200);
    expect(partly.body).toMatchObject({ status: "partially_refunded", capturedAmount: 1000, refundedAmount: 400 });
    expect((await refund(payments.orders, id)).status).toBe(201);
    const fully = await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 5 });
    expect(fully.body).toMatchObject({ status: "refunded", capturedAmount: 1000, refundedAmount: 1000 });
    expect(providerCalls(payments, "capture").length).toBe(captures);
  });

  it("10 captures at once on two instances: one capture at the provider, one event, ten times the same payment", async () => {
    const second = await payments.instance("payments-2-captures");
    const id = await paid(payments.orders, 1500);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? payments.orders : second.orders).post(`/api/payments/payments/${id}/capture`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.every((a) => JSON.stringify(a.body) === JSON.stringify(answers[0]!.body))).toBe(true);
    expect(answers[0]!.body).toMatchObject({ status: "captured", capturedAmount: 1500 });
    expect(
      providerCalls(payments, "capture").filter((c) => c.idempotencyKey.startsWith(`capture:${id}:`)),
    ).toHaveLength(1);
    expect((await published(payments, "payments.payment.captured")).filter((e) => e.paymentId === id)).toHaveLength(1);
  });

  it("a capture and a void at once on two instances: one of them wins, the other is a 409", async () => {
    const second = await payments.instance("payments-2-capture-void");
    for (let round = 0; round < 5; round++) {
      const id = await paid(payments.orders, 800);
      const [capture, voided] = await Promise.all([
        payments.orders.post(`/api/payments/payments/${id}/capture`),
        second.orders.post(`/api/payments/payments/${id}/void`),
      ]);
      const stored = (await payments.manager.get(`/api/payments/payments/${id}`)).body;
      if (capture.status === 200) {
        expectProblem(voided, 409, "payment_not_voidable");
        expect(stored).toMatchObject({ status: "captured", capturedAmount: 800 });
        expect((await payments.provider.authorizationOf(id))?.status).toBe("captured");
      } else {
        expectProblem(capture, 409, "payment_not_capturable");
        expect(voided.status).toBe(200);
        expect(stored).toMatchObject({ status: "voided", capturedAmount: 0 });
        expect((await payments.provider.authorizationOf(id))?.status).toBe("voided");
      }
    }
  });

  it("an unknown payment is a 404 payment_not_found everywhere", async () => {
    const id = "0192f5a0-0000-7000-8000-0000000000ff";
    expectProblem(await payments.manager.get(`/api/payments/payments/${id}`), 404, "payment_not_found");
    expectProblem(await payments.manager.get(`/api/payments/payments/${id}/refunds`), 404, "payment_not_found");
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/capture`), 404, "payment_not_found");
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/void`), 404, "payment_not_found");
    expectProblem(await refund(payments.orders, id), 404, "payment_not_found");
    expectProblem(await payments.manager.get("/api/payments/payments/not-a-uuid"), 400);
  });
});

describe("reading", () => {
  it("lists payments newest first, by order and status, with the house pagination", async () => {
    const orderId = "0192f5a0-0000-7000-8000-00000000e001";
    const first = await pay(payments.orders, paymentBody({ orderId, card: card(TEST_CARDS.declined) }));
    const second = await pay(payments.orders, paymentBody({ orderId }));
    const third = await pay(payments.orders, paymentBody({ orderId, capture: true }));
    const all = await payments.manager.get(`/api/payments/payments?orderId=${orderId}`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((p: any) => p.id)).toEqual([third.body.id, second.body.id, first.body.paymentId]);
    expect(all.body.pagination).toEqual({ page: 1, limit: 50, total: 3 });
    const failed = await payments.manager.get(`/api/payments/payments?orderId=${orderId}&status=failed`);
    expect(failed.body.data.map((p: any) => p.id)).toEqual([first.body.paymentId]);
    const page2 = await payments.manager.get(`/api/payments/payments?orderId=${orderId}&limit=2&page=2`);
    expect(page2.body).toMatchObject({
      data: [{ id: first.body.paymentId }],
      pagination: { page: 2, limit: 2, total: 3 },
    });
    const past = await payments.manager.get(`/api/payments/payments?orderId=${orderId}&limit=2&page=5`);
    expect(past.body).toEqual({ data: [], pagination: { page: 5, limit: 2, total: 3 } });
    expectProblem(await payments.manager.get("/api/payments/payments?status=pending"), 400);
    expectProblem(await payments.manager.get("/api/payments/payments?limit=500"), 400);
    for (const query of ["page=100000000000000000&limit=100", "page=5001", "page=-1", "page=1.5", "limit=abc"]) {
      expectProblem(await payments.manager.get(`/api/payments/payments?${query}`), 400, "validation_failed");
    }
  });
});

describe("who may", () => {
  it("anonymous callers get 401, customers and clerks 403, managers read but do not write, admins do both", async () => {
    const id = await paid(payments.orders);
    const clerk = await payments.as({ role: "clerk" });
    const writes = [
      (api: typeof clerk) => pay(api, paymentBody()),
      (api: typeof clerk) => api.post(`/api/payments/payments/${id}/capture`),
      (api: typeof clerk) => api.post(`/api/payments/payments/${id}/void`),
      (api: typeof clerk) => refund(api, id),
    ];
    const reads = [
      (api: typeof clerk) => api.get(`/api/payments/payments/${id}`),
      (api: typeof clerk) => api.get("/api/payments/payments"),
      (api: typeof clerk) => api.get(`/api/payments/payments/${id}/refunds`),
    ];
    for (const call of [...writes, ...reads]) {
      expectProblem(await call(payments.anonymous), 401);
      expectProblem(await call(payments.customer), 403);
      expectProblem(await call(clerk), 403);
    }
    for (const call of writes) expectProblem(await call(payments.manager), 403);
    for (const call of reads) expect((await call(payments.manager)).status).toBe(200);
    expect((await pay(payments.admin, paymentBody())).status).toBe(201);
    expect((await payments.admin.get(`/api/payments/payments/${id}`)).status).toBe(200);
    // Nothing was done by the refused calls.
    expect((await payments.admin.get(`/api/payments/payments/${id}`)).body.status).toBe("authorized");
  });
});

describe("card data", () => {
  it("no full card number is stored in any table, nor logged; only brand and last four", async () => {
    const numbers = [...Object.values(TEST_CARDS), "5555555555554444", "378282246310005", "6011111111111117"];
    const { rows: tables } = await payments.db.query<{ name: string }>(
      "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["payments", "refunds", "idempotency_keys", "outbox"]),
    );
    let rowsSeen = 0;
    for (const { name } of tables) {
      const { rows } = await payments.db.query<{ line: string }>(`SELECT t::text AS line FROM ${name} t`);
      rowsSeen += rows.length;
      for (const { line } of rows) {
        for (const number of numbers) expect(line, `${name} holds a card number`).not.toContain(number);
      }
    }
    expect(rowsSeen).toBeGreaterThan(20);
    const logs = payments.logs.join("\n");
    expect(payments.logs.length).toBeGreaterThan(20);
    for (const number of numbers) expect(logs).not.toContain(number);
    expect(logs).not.toContain('"cvc"');
  });
});

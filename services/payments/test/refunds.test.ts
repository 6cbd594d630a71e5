import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectProblem,
  paid,
  type Payments,
  type PaymentsInstance,
  providerCalls,
  published,
  refund,
  startPayments,
} from "./support/harness";

let payments: Payments;
let second: PaymentsInstance;

beforeAll(async () => {
  payments = await startPayments("refunds");
  second = await payments.instance("payments-2");
});
afterAll(() => payments?.close());

const read = async (id: string) => (await payments.manager.get(`/api/payments/payments/${id}`)).body;

describe("refunds", () => {
  it("a part, then the rest: partially_refunded then refunded, one event each; then nothing is left (409)", async () => {
    const id = await paid(payments.orders, 1000, true);
    const part = await refund(payments.orders, id, { amount: 300, reason: "  one mug broken  " });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    expect(part.body).toEqual({
      id: expect.any(String),
      paymentId: id,
      amount: 300,
      reason: "one mug broken",
      createdAt: expect.any(String),
    });
    expect(await read(id)).toMatchObject({ status: "partially_refunded", capturedAmount: 1000, refundedAmount: 300 });
    const rest = await refund(payments.orders, id);
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ amount: 700, reason: null });
    expect(await read(id)).toMatchObject({ status: "refunded", refundedAmount: 1000 });
    const events = (await published(payments, "payments.payment.refunded")).filter((e) => e.paymentId === id);
    expect(events).toEqual([
      expect.objectContaining({ refundId: part.body.id, amount: 300, totalRefunded: 300, reason: "one mug broken" }),
      expect.objectContaining({ refundId: rest.body.id, amount: 700, totalRefunded: 1000, reason: null }),
    ]);
    expect(await payments.provider.authorizationOf(id)).toMatchObject({ captured: 1000, refunded: 1000 });
    const list = await payments.manager.get(`/api/payments/payments/${id}/refunds`);
    // The refunds as answered are the refunds as stored, times included.
    expect(list.body.data).toEqual([part.body, rest.body]);
    const none = await refund(payments.orders, id, { amount: 1 });
    expectProblem(none, 409, "refund_exceeds_captured");
    expect(none.body.refundable).toBe(0);
  });

  it("more than is left to refund is a 409 refund_exceeds_captured, and changes nothing", async () => {
    const id = await paid(payments.orders, 1000, true);
    expect((await refund(payments.orders, id, { amount: 600 })).status).toBe(201);
    const res = await refund(payments.orders, id, { amount: 401 });
    expectProblem(res, 409, "refund_exceeds_captured");
    expect(res.body).toMatchObject({ refundable: 400, capturedAmount: 1000, refundedAmount: 600 });
    expect(await read(id)).toMatchObject({ status: "partially_refunded", refundedAmount: 600 });
  });

  it("only what was captured can be refunded after a partial capture", async () => {
    const id = await paid(payments.orders, 2000);
    await payments.orders.post(`/api/payments/payments/${id}/capture`, { amount: 500 });
    expectProblem(await refund(payments.orders, id, { amount: 501 }), 409, "refund_exceeds_captured");
    const all = await refund(payments.orders, id);
    expect(all.body.amount).toBe(500);
    expect(await read(id)).toMatchObject({
      status: "refunded",
      amount: 2000,
      capturedAmount: 500,
      refundedAmount: 500,
    });
  });

  it("needs an Idempotency-Key; the same key gives the same refund (no second one at the provider); another body is 422", async () => {
    const id = await paid(payments.orders, 1000, true);
    expectProblem(
      await payments.orders.post(`/api/payments/payments/${id}/refunds`, { amount: 100 }),
      400,
      "idempotency_key_required",
    );
    const key = randomUUID();
    const first = await refund(payments.orders, id, { amount: 100 }, key);
    expect(first.status).toBe(201);
    const refunds = providerCalls(payments, "refund").length;
    const again = await refund(payments.orders, id, { amount: 100 }, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(providerCalls(payments, "refund").length).toBe(refunds);
    expect(await read(id)).toMatchObject({ refundedAmount: 100 });
    expectProblem(await refund(payments.orders, id, { amount: 200 }, key), 422, "idempotency_key_reused");
    // A refused refund does not take its key: the key works once the request is right.
    const key2 = randomUUID();
    expectProblem(await refund(payments.orders, id, { amount: 5000 }, key2), 409, "refund_exceeds_captured");
    expect((await refund(payments.orders, id, { amount: 50 }, key2)).status).toBe(201);
  });

  it("refuses bad bodies (400)", async () => {
    const id = await paid(payments.orders, 1000, true);
    for (const body of [{ amount: 0 }, { amount: -5 }, { amount: 1.5 }, { reason: "x".repeat(501) }, { other: 1 }]) {
      expectProblem(await refund(payments.orders, id, body), 400, "validation_failed");
    }
  });

  it("20 refunds of 10 at once on 100 captured, on two instances: exactly 10 succeed, the others are 409s", async () => {
    const id = await paid(payments.orders, 100, true);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refund(i % 2 === 0 ? payments.orders : second.orders, id, { amount: 10 })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    for (const a of answers.filter((a) => a.status === 409)) expect(a.body.code).toBe("refund_exceeds_captured");
    expect(await read(id)).toMatchObject({ status: "refunded", capturedAmount: 100, refundedAmount: 100 });
    const { rows } = await payments.db.query<{ n: number; total: string }>(
      "SELECT count(*)::int AS n, sum(amount) AS total FROM refunds WHERE payment_id = $1",
      [id],
    );
    expect(rows[0]).toEqual({ n: 10, total: "100" });
    expect(await payments.provider.authorizationOf(id)).toMatchObject({ refunded: 100 });
    expect((await published(payments, "payments.payment.refunded")).filter((e) => e.paymentId === id)).toHaveLength(10);
  });
});

import { randomUUID } from "node:crypto";
import { pruneIdempotencyKeys } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  card,
  expectProblem,
  paid,
  pay,
  paymentBody,
  type Payments,
  type PaymentsInstance,
  providerCalls,
  published,
  refund,
  startPayments,
  TEST_CARDS,
} from "./support/harness";

let payments: Payments;
let second: PaymentsInstance;

beforeAll(async () => {
  payments = await startPayments("idempotency");
  second = await payments.instance("payments-2");
});
afterAll(() => payments?.close());

const paymentsOf = async (orderId: string) =>
  (await payments.db.query("SELECT id FROM payments WHERE order_id = $1", [orderId])).rows;

describe("the same Idempotency-Key again", () => {
  it("with another entry mode is a 422 idempotency_key_reused; omitting the default one is the same request", async () => {
    const key = randomUUID();
    const body = paymentBody();
    const first = await pay(payments.orders, body, key);
    expect(first.status).toBe(201);
    const explicit = await pay(payments.orders, { ...body, entryMode: "card_not_present" }, key);
    expect(explicit.status).toBe(201);
    expect(explicit.headers.get("idempotent-replayed")).toBe("true");
    expect(explicit.body).toEqual(first.body);
    expectProblem(
      await pay(payments.orders, { ...body, entryMode: "card_present" }, key),
      422,
      "idempotency_key_reused",
    );
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
  });

  it("with the same request answers the first 201 again, without calling the provider", async () => {
    const key = randomUUID();
    const body = paymentBody();
    const first = await pay(payments.orders, body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const authorizations = providerCalls(payments, "authorize").length;
    // Meanwhile the payment is captured: the replay is still the first answer, as it was.
    await payments.orders.post(`/api/payments/payments/${first.body.id}/capture`);
    const again = await pay(payments.orders, body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(providerCalls(payments, "authorize").length).toBe(authorizations);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
    expect(
      (await published(payments, "payments.payment.authorized")).filter((e) => e.orderId === body.orderId),
    ).toHaveLength(1);
    const metrics = await payments.anonymous.get("/metrics");
    expect(metrics.body).toMatch(
      /payments_idempotent_replays_total\{endpoint="POST \/api\/payments\/payments"[^}]*\} [1-9]/,
    );
  });

  it("answers with the payment as it is stored, times included (authorized, and captured at once)", async () => {
    for (const capture of [false, true]) {
      const key = randomUUID();
      const body = paymentBody({ capture });
      const first = await pay(payments.orders, body, key);
      expect(first.status).toBe(201);
      expect(first.body.status).toBe(capture ? "captured" : "authorized");
      expect((await payments.manager.get(`/api/payments/payments/${first.body.id}`)).body).toEqual(first.body);
      const { rows } = await payments.db.query("SELECT status_code, response FROM idempotency_keys WHERE key = $1", [
        key,
      ]);
      expect(rows).toEqual([{ status_code: 201, response: first.body }]);
    }
  });

  it("answers a declined card's 402 again, the same problem, with no second authorization", async () => {
    const key = randomUUID();
    const body = paymentBody({ card: card(TEST_CARDS.declined) });
    const first = await pay(payments.orders, body, key);
    expectProblem(first, 402, "card_declined");
    const authorizations = providerCalls(payments, "authorize").length;
    const again = await pay(payments.orders, body, key);
    expectProblem(again, 402, "card_declined");
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(providerCalls(payments, "authorize").length).toBe(authorizations);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
  });

  it("with another request is a 422 idempotency_key_reused (another amount, order, card or capture)", async () => {
    const key = randomUUID();
    const body = paymentBody();
    expect((await pay(payments.orders, body, key)).status).toBe(201);
    for (const change of [
      { amount: body.amount + 1 },
      { orderId: randomUUID() },
      { card: card("5555555555554444") },
      { card: { ...card(), expMonth: 11 } },
      { capture: true },
    ]) {
      expectProblem(await pay(payments.orders, { ...body, ...change }, key), 422, "idempotency_key_reused");
    }
    // capture: false said out loud is the same request as capture left out.
    expect((await pay(payments.orders, { ...body, capture: false }, key)).status).toBe(201);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
  });

  it("is each caller's own, and each endpoint's own", async () => {
    const key = randomUUID();
    const body = paymentBody();
    const orders = await pay(payments.orders, body, key);
    const admin = await pay(payments.admin, body, key);
    expect(orders.status).toBe(201);
    expect(admin.status).toBe(201);
    expect(admin.body.id).not.toBe(orders.body.id);
    const capturedId = await paid(payments.orders, 500, true);
    // The payment's key on a refund is a new key there.
    const res = await refund(payments.orders, capturedId, { amount: 100 }, key);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it("is not taken by a request that was refused: fixing the body and retrying with the key works", async () => {
    const key = randomUUID();
    const bad = await pay(payments.orders, paymentBody({ card: { ...card(), number: "4242424242424241" } }), key);
    expectProblem(bad, 400, "invalid_card");
    expect((await pay(payments.orders, paymentBody(), key)).status).toBe(201);
  });
});

describe("requests racing with one key", () => {
  it("10 at once, on two instances: one payment, one authorization, ten identical answers", async () => {
    const key = randomUUID();
    const body = paymentBody({ capture: true });
    const authorizations = providerCalls(payments, "authorize").length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => pay(i % 2 === 0 ? payments.orders : second.orders, body, key)),
    );
    // The same service account on both instances: the same caller.
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(answers.every((a) => JSON.stringify(a.body) === JSON.stringify(answers[0]!.body))).toBe(true);
    expect(providerCalls(payments, "authorize").length).toBe(authorizations + 1);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
    expect(
      (await published(payments, "payments.payment.captured")).filter((e) => e.orderId === body.orderId),
    ).toHaveLength(1);
  });

  it("10 at once with a declined card: one failed payment, ten identical 402s", async () => {
    const key = randomUUID();
    const body = paymentBody({ card: card(TEST_CARDS.insufficientFunds) });
    const answers = await Promise.all(Array.from({ length: 10 }, () => pay(payments.orders, body, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(402));
    expect(new Set(answers.map((a) => a.body.paymentId)).size).toBe(1);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
  });
});

describe("keeping keys", () => {
  it("forgets keys after 24 hours", async () => {
    const key = randomUUID();
    const body = paymentBody();
    expect((await pay(payments.orders, body, key)).status).toBe(201);
    await payments.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [
      key,
    ]);
    expect(await pruneIdempotencyKeys(payments.db, 24)).toBe(1);
    const { rows } = await payments.db.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [key]);
    expect(rows).toHaveLength(0);
  });
});

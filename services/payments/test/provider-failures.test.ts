import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../src/providers/provider";
import {
  expectProblem,
  paid,
  pay,
  paymentBody,
  type Payments,
  providerCalls,
  published,
  refund,
  startPayments,
} from "./support/harness";

/**
 * Provider failures by amount: 6661 breaks every authorization (its connection drops), 6664 loses the
 * answer of the first one for a key (done at the provider, then its connection drops), 6662 breaks
 * its capture, 6663 refunds; and voids of the payments in `failingVoids`.
 */
let payments: Payments;
const failingVoids = new Set<string>();
/** The authorizations sent, by the provider's idempotency key (every attempt, failed or not). */
const attempts = new Map<string, number>();

beforeAll(async () => {
  payments = await startPayments("provider_failures", {
    wrapProvider: (provider) => ({
      ...provider,
      async authorize(request) {
        const attempt = (attempts.get(request.idempotencyKey) ?? 0) + 1;
        attempts.set(request.idempotencyKey, attempt);
        if (request.amount === 6661) throw new TypeError("socket hang up at 10.0.0.7:443 (secret internals)");
        if (request.amount === 6664 && attempt === 1) {
          await provider.authorize(request);
          throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
        }
        return provider.authorize(request);
      },
      async capture(request) {
        if (request.amount === 6662) throw new ProviderError("capture", "Capture window closed.");
        return provider.capture(request);
      },
      async void(request) {
        if (failingVoids.has(request.merchantReference)) throw new ProviderError("void", "Voids are paused.");
        return provider.void(request);
      },
      async refund(request) {
        if (request.amount === 6663) throw new ProviderError("refund", "Refunds are paused.");
        return provider.refund(request);
      },
    }),
  });
});
afterAll(() => payments?.close());

describe("a provider that fails", () => {
  it("an authorization that fails: 502 payment_provider_error, the payment failed (provider_error), no internals", async () => {
    const key = randomUUID();
    const body = paymentBody({ amount: 6661 });
    const res = await pay(payments.orders, body, key);
    expectProblem(res, 502, "payment_provider_error");
    expect(JSON.stringify(res.body)).not.toContain("10.0.0.7");
    const read = await payments.manager.get(`/api/payments/payments/${res.body.paymentId}`);
    expect(read.body).toMatchObject({
      status: "failed",
      failureCode: "provider_error",
      failureReason: "The payment provider failed.",
    });
    expect(
      (await published(payments, "payments.payment.failed")).find((e) => e.paymentId === res.body.paymentId),
    ).toMatchObject({ code: "provider_error" });
    // Its outcome was unknown: a void went out for it.
    expect(providerCalls(payments, "void").some((c) => c.idempotencyKey === `void:${res.body.paymentId}`)).toBe(true);
    // Sent three times in all (the connection dropped each time), all within the time allowed.
    const sent = [...attempts].filter(([providerKey]) => providerKey.endsWith(`:${key}`));
    expect(sent.map(([, count]) => count)).toEqual([3]);
    expect((await pay(payments.orders, body, key)).body).toEqual(res.body);
    expect(attempts.get(sent[0]![0])).toBe(3);
  });

  it("an authorization whose answer was lost (done at the provider, then the connection dropped) is sent again with the same key: 201, one hold on the card", async () => {
    const key = randomUUID();
    const res = await pay(payments.orders, paymentBody({ amount: 6664 }), key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "authorized", amount: 6664 });
    const sent = providerCalls(payments, "authorize").filter((c) => c.idempotencyKey.endsWith(`:${key}`));
    // The second call met the first one's work at the provider: answered with it, nothing done twice.
    expect(sent.map((c) => c.replayed)).toEqual([false, true]);
    const read = await payments.manager.get(`/api/payments/payments/${res.body.id}`);
    expect(read.body).toMatchObject({ id: res.body.id, status: "authorized", amount: 6664 });
    expect(providerCalls(payments, "void").some((c) => c.idempotencyKey === `void:${res.body.id}`)).toBe(false);
  });

  it("a capture with capture: true that fails leaves the payment authorized (201): capture or void it later", async () => {
    const key = randomUUID();
    const body = paymentBody({ amount: 6662, capture: true });
    const res = await pay(payments.orders, body, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "authorized", capturedAmount: 0 });
    expect((await published(payments, "payments.payment.authorized")).some((e) => e.paymentId === res.body.id)).toBe(
      true,
    );
    expect((await published(payments, "payments.payment.captured")).some((e) => e.paymentId === res.body.id)).toBe(
      false,
    );
    // The same key: that 201 again, without a second authorization nor capture.
    const calls = payments.provider.calls.length;
    const again = await pay(payments.orders, body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(res.body);
    expect(payments.provider.calls.length).toBe(calls);
    expectProblem(
      await payments.orders.post(`/api/payments/payments/${res.body.id}/capture`),
      502,
      "payment_provider_error",
    );
    const part = await payments.orders.post(`/api/payments/payments/${res.body.id}/capture`, { amount: 6000 });
    expect(part.body).toMatchObject({ status: "captured", capturedAmount: 6000 });
  });

  it("a void the provider refuses: 502, the payment still authorized; it can be captured after", async () => {
    const id = await paid(payments.orders, 900);
    failingVoids.add(id);
    expectProblem(await payments.orders.post(`/api/payments/payments/${id}/void`), 502, "payment_provider_error");
    expect((await payments.manager.get(`/api/payments/payments/${id}`)).body).toMatchObject({ status: "authorized" });
    const captured = await payments.orders.post(`/api/payments/payments/${id}/capture`);
    expect(captured.body).toMatchObject({ status: "captured", capturedAmount: 900 });
  });

  it("a refund the provider refuses: 502, nothing refunded, the key free for a retry", async () => {
    const id = await paid(payments.orders, 10_000, true);
    const key = randomUUID();
    expectProblem(await refund(payments.orders, id, { amount: 6663 }, key), 502, "payment_provider_error");
    expect((await payments.manager.get(`/api/payments/payments/${id}`)).body).toMatchObject({
      status: "captured",
      refundedAmount: 0,
    });
    expectProblem(await refund(payments.orders, id, { amount: 6663 }, key), 502, "payment_provider_error");
  });

  it("documents its routes in OpenAPI", async () => {
    const res = await payments.anonymous.get("/openapi.json");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/payments/payments",
        "/api/payments/payments/{id}",
        "/api/payments/payments/{id}/capture",
        "/api/payments/payments/{id}/void",
        "/api/payments/payments/{id}/refunds",
      ]),
    );
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  card,
  expectProblem,
  pay,
  paymentBody,
  type Payments,
  providerCalls,
  published,
  startPayments,
  TEST_CARDS,
} from "./support/harness";

const TIMEOUT_MS = 200;
const SLOW_MS = 1500;

let payments: Payments;

beforeAll(async () => {
  payments = await startPayments("timeout", { providerTimeoutMs: TIMEOUT_MS, slowMs: SLOW_MS });
});
afterAll(() => payments?.close());

describe("a provider that does not answer in time", () => {
  it("the slow card: 504 payment_provider_timeout at the timeout, payment failed, event failed, hold voided", async () => {
    const key = randomUUID();
    const body = paymentBody({ amount: 4200, card: card(TEST_CARDS.slow) });
    const started = performance.now();
    const res = await pay(payments.orders, body, key);
    const elapsed = performance.now() - started;
    expectProblem(res, 504, "payment_provider_timeout");
    // Not before the timeout; and the 504 says the timer fired (the slow card answers at SLOW_MS).
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    const id = res.body.paymentId;
    expect(id).toEqual(expect.any(String));
    expect((await payments.manager.get(`/api/payments/payments/${id}`)).body).toMatchObject({
      status: "failed",
      amount: 4200,
      last4: "0051",
      failureCode: "provider_timeout",
      capturedAmount: 0,
    });
    expect((await published(payments, "payments.payment.failed")).find((e) => e.paymentId === id)).toMatchObject({
      code: "provider_timeout",
      amount: 4200,
    });
    // The void went out at once (a technical cancel: no reference yet); the late authorization lands voided.
    await vi.waitFor(async () => expect(await payments.provider.cancelled(id)).toBe(true));
    await vi.waitFor(async () => expect((await payments.provider.authorizationOf(id))?.status).toBe("voided"), {
      timeout: SLOW_MS * 3,
      interval: 50,
    });

    // The same key again: the same 504, at once, without a second authorization.
    const authorizations = providerCalls(payments, "authorize").length;
    const again = await pay(payments.orders, body, key);
    expectProblem(again, 504, "payment_provider_timeout");
    expect(again.body).toEqual(res.body);
    expect(providerCalls(payments, "authorize").length).toBe(authorizations);

    const metrics = await payments.anonymous.get("/metrics");
    expect(metrics.body).toMatch(
      /payments_operations_total\{operation="authorize",outcome="provider_timeout"[^}]*\} 1/,
    );
    expect(metrics.body).toMatch(/payments_operations_total\{operation="void",outcome="succeeded"[^}]*\} 1/);
  });

  it("other cards are not slowed down", async () => {
    const res = await pay(payments.orders, paymentBody());
    expect(res.status).toBe(201);
    const metrics = await payments.anonymous.get("/metrics");
    expect(metrics.body).toMatch(/payments_operations_total\{operation="authorize",outcome="succeeded"[^}]*\} 1/);
  });
});

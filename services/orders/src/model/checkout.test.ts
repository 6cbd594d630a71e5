import { randomBytes } from "node:crypto";
import type { SagaFailure } from "@comptoir/sagas";
import { describe, expect, it } from "vitest";
import { type CheckoutRequest, fingerprintOf, problemOf } from "./checkout";

const CART = "00000000-0000-7000-8000-00000000000c";
const body = (card: Partial<CheckoutRequest["payment"]["card"]> = {}, over: Partial<CheckoutRequest> = {}) =>
  ({
    cartId: CART,
    email: "guest@example.com",
    shippingAddress: { name: "A", line1: "1 rue", city: "Lyon", postalCode: "69001", country: "FR" },
    payment: { method: "card", card: { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123", ...card } },
    ...over,
  }) satisfies CheckoutRequest;

const failure = (code: string, details: Record<string, unknown> | null = null): SagaFailure => ({
  step: "authorize",
  code,
  message: "the step's message",
  details,
});

describe("a checkout request's fingerprint", () => {
  const key = randomBytes(32);

  it("is the same for the same request, whatever the order of its keys", () => {
    const { payment, ...rest } = body();
    expect(fingerprintOf(key, { payment, ...rest })).toBe(fingerprintOf(key, body()));
  });

  it("tells a card by its last four digits and expiry only: never its number nor its CVC", () => {
    const fp = fingerprintOf(key, body());
    expect(fingerprintOf(key, body({ cvc: "999" }))).toBe(fp);
    expect(fingerprintOf(key, body({ number: "4000000000004242" }))).toBe(fp);
    expect(fingerprintOf(key, body({ number: "4000000000000002" }))).not.toBe(fp);
    expect(fingerprintOf(key, body({ expYear: 2031 }))).not.toBe(fp);
  });

  it("changes with the rest of the body, and with the database's key", () => {
    const fp = fingerprintOf(key, body());
    expect(fingerprintOf(key, body({}, { email: "other@example.com" }))).not.toBe(fp);
    expect(fingerprintOf(randomBytes(32), body())).not.toBe(fp);
  });
});

describe("the problem a failed checkout answers", () => {
  it("a declined card is a 402 under the provider's code, saying nothing is held", () => {
    expect(problemOf(failure("card_declined"), "refused")).toEqual({
      status: 402,
      code: "card_declined",
      title: "Payment declined",
      detail: "The card was declined. Nothing was charged and no stock is held.",
    });
  });

  it("missing stock is a 409 insufficient_stock with the short lines", () => {
    const short = [{ variantId: "v", requested: 3, available: 1 }];
    expect(problemOf(failure("insufficient_stock", { short }), "refused")).toMatchObject({
      status: 409,
      code: "insufficient_stock",
      short,
    });
  });

  it("a reservation gone before the end is a 409 checkout_expired, whichever code said so", () => {
    for (const code of ["reservation_expired", "reservation_not_active"]) {
      expect(problemOf(failure(code), "refused")).toMatchObject({ status: 409, code: "checkout_expired" });
    }
  });

  it("a service that never answered is a 503 dependency_unavailable naming the step", () => {
    expect(problemOf(failure("no_answer"), "no answer")).toMatchObject({
      status: 503,
      code: "dependency_unavailable",
      step: "authorize",
    });
  });

  it("an unknown code, or no failure recorded, is a 409 checkout_failed with the saga's reason", () => {
    for (const f of [failure("something_else"), null]) {
      expect(problemOf(f, "the reason")).toMatchObject({
        status: 409,
        code: "checkout_failed",
        detail: expect.stringContaining("(the reason)"),
      });
    }
  });
});

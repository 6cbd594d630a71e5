import { describe, expect, it } from "vitest";
import { providerStepProblems, type SagaFailure, type StepProblems, stepProblemOf } from "../src";

const failure = (code: string, details: Record<string, unknown> | null = null): SagaFailure => ({
  step: "authorize",
  code,
  message: "payments did not answer",
  details,
});

const problems: StepProblems = {
  ...providerStepProblems({
    declined: "Nothing was charged.",
    providerFailed: "Nothing was charged; try again.",
    outOfStock: "Not enough stock.",
    noAnswer: (message) => `It failed: ${message}.`,
  }),
  sale_interrupted: (f) => ({ status: 409, title: "Conflict", detail: f.message }),
};

describe("the problem a saga's step failure is answered with", () => {
  it("a refused card is a 402 with the step's code and the caller's words after the reason", () => {
    expect(stepProblemOf(failure("insufficient_funds"), problems)).toEqual({
      status: 402,
      code: "insufficient_funds",
      title: "Payment declined",
      detail: "The card has insufficient funds. Nothing was charged.",
    });
    expect(stepProblemOf(failure("payment_failed"), problems)).toMatchObject({ status: 402, code: "payment_failed" });
  });

  it("missing stock is a 409 insufficient_stock with inventory's short lines (none when it sent none)", () => {
    const short = [{ variantId: "v1", requested: 3, available: 1 }];
    expect(stepProblemOf(failure("insufficient_stock", { short }), problems)).toEqual({
      status: 409,
      code: "insufficient_stock",
      title: "Out of stock",
      detail: "Not enough stock.",
      short,
    });
    expect(stepProblemOf(failure("insufficient_stock"), problems)).toMatchObject({ short: [] });
  });

  it("an invalid card is a 400 that keeps payments' field errors", () => {
    const errors = [{ in: "body", field: "card.number", message: "is not a card number" }];
    expect(stepProblemOf(failure("invalid_card", { errors }), problems)).toMatchObject({
      status: 400,
      code: "invalid_card",
      errors,
    });
    expect(stepProblemOf(failure("invalid_card"), problems)).not.toHaveProperty("errors");
  });

  it("a failing payment provider is a 503 that says to try again, keeping the provider's code", () => {
    expect(stepProblemOf(failure("payment_provider_timeout"), problems)).toEqual({
      status: 503,
      code: "payment_provider_timeout",
      title: "Service unavailable",
      detail: "The payment provider did not answer in time. Nothing was charged; try again.",
    });
  });

  it("no answer is a 503 dependency_unavailable naming the step", () => {
    expect(stepProblemOf(failure("no_answer"), problems)).toEqual({
      status: 503,
      code: "dependency_unavailable",
      title: "Service unavailable",
      detail: "It failed: payments did not answer.",
      step: "authorize",
    });
  });

  it("a caller's own code is answered from its own entry; a code the table lacks gets nothing", () => {
    expect(stepProblemOf(failure("sale_interrupted"), problems)).toEqual({
      status: 409,
      code: "sale_interrupted",
      title: "Conflict",
      detail: "payments did not answer",
    });
    expect(stepProblemOf(failure("refused"), problems)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import {
  canBecome,
  INITIAL_STATUSES,
  moveStatus,
  type Payment,
  PAYMENT_STATUSES,
  type PaymentStatus,
  planCapture,
  planRefund,
  planVoid,
} from "./payment";

const payment = (status: PaymentStatus, change: Partial<Payment> = {}): Payment => ({
  id: "p1",
  orderId: "o1",
  status,
  amount: 1000,
  currency: "EUR",
  method: "card",
  entryMode: "card_not_present",
  brand: "visa",
  last4: "4242",
  capturedAmount: ["captured", "partially_refunded", "refunded"].includes(status) ? 1000 : 0,
  refundedAmount: status === "refunded" ? 1000 : status === "partially_refunded" ? 400 : 0,
  failureCode: status === "failed" ? "card_declined" : null,
  failureReason: null,
  createdAt: "",
  updatedAt: "",
  ...change,
});

describe("the payment's states", () => {
  it("moves only along authorized → captured | voided, captured → partially_refunded → refunded", () => {
    const allowed = PAYMENT_STATUSES.flatMap((from) =>
      PAYMENT_STATUSES.filter((to) => canBecome(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed).toEqual([
      "authorized→captured",
      "authorized→voided",
      "captured→partially_refunded",
      "captured→refunded",
      "partially_refunded→partially_refunded",
      "partially_refunded→refunded",
    ]);
  });

  it("starts authorized, captured at once or failed; failed, voided and refunded are final", () => {
    expect(INITIAL_STATUSES).toEqual(["authorized", "captured", "failed"]);
    for (const final of ["failed", "voided", "refunded"] as const) {
      expect(PAYMENT_STATUSES.filter((to) => canBecome(final, to))).toEqual([]);
    }
  });

  it("moveStatus answers the new status along the lifecycle, and a 409 with the endpoint's code off it", () => {
    expect(moveStatus(payment("authorized"), "captured", "payment_not_capturable")).toBe("captured");
    expect(moveStatus(payment("captured"), "refunded", "payment_not_refundable")).toBe("refunded");
    expect(() => moveStatus(payment("failed"), "captured", "payment_not_capturable")).toThrow(
      expect.objectContaining({ code: "payment_not_capturable", status: 409 }),
    );
    expect(() => moveStatus(payment("voided"), "refunded", "payment_not_refundable")).toThrow(
      expect.objectContaining({ code: "payment_not_refundable", status: 409 }),
    );
    expect(() => moveStatus(payment("refunded"), "partially_refunded", "payment_not_refundable")).toThrow(
      expect.objectContaining({ code: "payment_not_refundable", status: 409 }),
    );
  });

  it("capture: the whole authorization by default, at most that; again: nothing to do; voided or failed: 409", () => {
    expect(planCapture(payment("authorized"), undefined)).toEqual({ amount: 1000 });
    expect(planCapture(payment("authorized"), 250)).toEqual({ amount: 250 });
    expect(() => planCapture(payment("authorized"), 1001)).toThrow(
      expect.objectContaining({ code: "capture_exceeds_authorized", status: 400 }),
    );
    for (const s of ["captured", "partially_refunded", "refunded"] as const) {
      expect(planCapture(payment(s), undefined)).toEqual({ already: true });
    }
    for (const s of ["voided", "failed"] as const) {
      expect(() => planCapture(payment(s), undefined)).toThrow(
        expect.objectContaining({ code: "payment_not_capturable", status: 409 }),
      );
    }
  });

  it("void: an authorization only; voided again: nothing to do; anything else: 409", () => {
    expect(planVoid(payment("authorized"))).toEqual({ already: false });
    expect(planVoid(payment("voided"))).toEqual({ already: true });
    for (const s of ["captured", "partially_refunded", "refunded", "failed"] as const) {
      expect(() => planVoid(payment(s))).toThrow(
        expect.objectContaining({ code: "payment_not_voidable", status: 409 }),
      );
    }
  });

  it("refund: what is left by default, never more; the status follows the total", () => {
    expect(planRefund(payment("captured"), undefined)).toEqual({
      amount: 1000,
      status: "refunded",
      totalRefunded: 1000,
    });
    expect(planRefund(payment("captured"), 100)).toEqual({
      amount: 100,
      status: "partially_refunded",
      totalRefunded: 100,
    });
    expect(planRefund(payment("partially_refunded"), undefined)).toEqual({
      amount: 600,
      status: "refunded",
      totalRefunded: 1000,
    });
    expect(() => planRefund(payment("partially_refunded"), 601)).toThrow(
      expect.objectContaining({ code: "refund_exceeds_captured", status: 409 }),
    );
    expect(() => planRefund(payment("refunded"), undefined)).toThrow(
      expect.objectContaining({ code: "refund_exceeds_captured" }),
    );
    // After a partial capture, only the captured part.
    expect(planRefund(payment("captured", { capturedAmount: 300 }), undefined)).toMatchObject({ amount: 300 });
    for (const s of ["authorized", "voided", "failed"] as const) {
      expect(() => planRefund(payment(s), undefined)).toThrow(
        expect.objectContaining({ code: "payment_not_refundable", status: 409 }),
      );
    }
  });
});

import { AppError, ConflictError } from "@comptoir/platform";
import type { CardBrand } from "./card";

export const PAYMENT_STATUSES = [
  "authorized",
  "captured",
  "voided",
  "failed",
  "partially_refunded",
  "refunded",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A payment as the API shows it. Amounts are integer minor units of `currency`. */
export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  method: "card";
  brand: CardBrand;
  last4: string;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A payment with what only the service needs: the provider's reference of the authorization. */
export interface StoredPayment extends Payment {
  provider: string;
  providerReference: string | null;
}

export interface Refund {
  id: string;
  paymentId: string;
  amount: number;
  reason: string | null;
  createdAt: string;
}

/**
 * The payment's life. A new payment is authorized or failed (declined, no funds, no answer).
 * authorized → captured (the money is taken) or voided (the hold released); captured →
 * partially_refunded → … → refunded. failed, voided and refunded are final.
 */
const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  authorized: ["captured", "voided"],
  captured: ["partially_refunded", "refunded"],
  partially_refunded: ["partially_refunded", "refunded"],
  voided: [],
  failed: [],
  refunded: [],
};

export function canBecome(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

const wasCaptured = (status: PaymentStatus) =>
  status === "captured" || status === "partially_refunded" || status === "refunded";

/**
 * What a capture does: `already` when the payment was captured before (capturing is idempotent:
 * the same payment comes back), otherwise the amount to capture (default: the whole authorization).
 * 409 `payment_not_capturable` for a voided or failed payment; 400 `capture_exceeds_authorized`.
 */
export function planCapture(p: Payment, requested: number | undefined): { already: true } | { amount: number } {
  if (wasCaptured(p.status)) return { already: true };
  if (!canBecome(p.status, "captured")) {
    throw new ConflictError("payment_not_capturable", `Payment ${p.id} is ${p.status}; it cannot be captured.`, {
      extensions: { paymentStatus: p.status },
    });
  }
  const amount = requested ?? p.amount;
  if (amount > p.amount) {
    throw new AppError("capture_exceeds_authorized", 400, "Invalid request", {
      detail: `Cannot capture ${amount}: only ${p.amount} ${p.currency} was authorized.`,
      errors: [{ in: "body", field: "amount", message: `must be at most the authorized ${p.amount}` }],
      extensions: { authorizedAmount: p.amount },
    });
  }
  return { amount };
}

/**
 * Whether a void has anything to do: `already` for a voided payment (voiding is idempotent).
 * 409 `payment_not_voidable` once captured (refund it instead) or failed.
 */
export function planVoid(p: Payment): { already: boolean } {
  if (p.status === "voided") return { already: true };
  if (!canBecome(p.status, "voided")) {
    const detail = wasCaptured(p.status)
      ? `Payment ${p.id} is ${p.status}: the money was taken; refund it instead.`
      : `Payment ${p.id} is ${p.status}; it cannot be voided.`;
    throw new ConflictError("payment_not_voidable", detail, { extensions: { paymentStatus: p.status } });
  }
  return { already: false };
}

/**
 * The refund's amount (default: all that is left) and the payment's status after it. 409
 * `payment_not_refundable` before capture (void it instead), after a void or a failure; 409
 * `refund_exceeds_captured` beyond what was captured and not yet refunded.
 */
export function planRefund(
  p: Payment,
  requested: number | undefined,
): { amount: number; status: PaymentStatus; totalRefunded: number } {
  if (!wasCaptured(p.status)) {
    const detail =
      p.status === "authorized"
        ? `Payment ${p.id} is authorized but not captured: void it instead.`
        : `Payment ${p.id} is ${p.status}; nothing was taken to give back.`;
    throw new ConflictError("payment_not_refundable", detail, { extensions: { paymentStatus: p.status } });
  }
  const refundable = p.capturedAmount - p.refundedAmount;
  const amount = requested ?? refundable;
  if (amount > refundable || amount <= 0) {
    throw new ConflictError(
      "refund_exceeds_captured",
      refundable === 0
        ? `Payment ${p.id} is already refunded in full.`
        : `Cannot refund ${amount}: ${refundable} ${p.currency} of the ${p.capturedAmount} captured is left to refund.`,
      { extensions: { refundable, capturedAmount: p.capturedAmount, refundedAmount: p.refundedAmount } },
    );
  }
  const totalRefunded = p.refundedAmount + amount;
  const status: PaymentStatus = totalRefunded === p.capturedAmount ? "refunded" : "partially_refunded";
  if (!canBecome(p.status, status)) {
    throw new ConflictError("payment_not_refundable", `Payment ${p.id} is ${p.status}; it cannot become ${status}.`);
  }
  return { amount, status, totalRefunded };
}

/** The public view: the provider's internals stay inside. */
export function viewOf(p: StoredPayment): Payment {
  const { provider: _provider, providerReference: _reference, ...view } = p;
  return view;
}

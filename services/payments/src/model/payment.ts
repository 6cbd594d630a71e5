import { paymentsHttp } from "@comptoir/contracts/http";
import { AppError, ConflictError, NotFoundError, Nullable, type Static, Type } from "@comptoir/platform";

export const PaymentStatus = paymentsHttp.PaymentStatus;
export type PaymentStatus = Static<typeof PaymentStatus>;

/** How the card was read: at a till (card_present) or online (card_not_present, the default). */
export const EntryMode = paymentsHttp.EntryMode;
export type EntryMode = Static<typeof EntryMode>;
export const DEFAULT_ENTRY_MODE: EntryMode = "card_not_present";

/** A payment as the API shows it (payments' HTTP contract). Amounts are integer minor units of `currency`. */
export const Payment = paymentsHttp.Payment;
export type Payment = Static<typeof Payment>;

/** A payment with what only the service needs: the provider's reference of the authorization. */
export const StoredPayment = Type.Object({
  ...Payment.properties,
  provider: Type.String(),
  providerReference: Nullable(Type.String()),
});
export type StoredPayment = Static<typeof StoredPayment>;

export const Refund = paymentsHttp.Refund;
export type Refund = Static<typeof Refund>;

/**
 * The payment's life. A new payment is authorized or failed (declined, no funds, no answer).
 * authorized → captured (the money is taken) or voided (the hold released); captured →
 * partially_refunded → … → refunded. failed, voided and refunded are final.
 */
const NEXT: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  authorized: ["captured", "voided"],
  captured: ["partially_refunded", "refunded"],
  partially_refunded: ["partially_refunded", "refunded"],
  voided: [],
  failed: [],
  refunded: [],
};

/** Every status, in the order of the lifecycle above. */
export const PAYMENT_STATUSES = Object.keys(NEXT) as PaymentStatus[];

/** What a new payment is, by the provider's answer: held, taken at once (`capture: true`), or failed. */
export const INITIAL_STATUSES = ["authorized", "captured", "failed"] as const satisfies readonly PaymentStatus[];
export type InitialStatus = (typeof INITIAL_STATUSES)[number];

export function canBecome(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * The guard of a change of a recorded payment: `to`, when the lifecycle allows the move from the
 * payment's status; otherwise a 409 with the endpoint's `code` (never a silent no-op).
 */
export function moveStatus(
  p: Pick<Payment, "id" | "status">,
  to: PaymentStatus,
  code: "payment_not_capturable" | "payment_not_voidable" | "payment_not_refundable",
): PaymentStatus {
  if (!canBecome(p.status, to)) {
    throw new ConflictError(code, `Payment ${p.id} is ${p.status}; it cannot become ${to}.`, {
      extensions: { paymentStatus: p.status },
    });
  }
  return to;
}

export const paymentNotFound = (id: string) => new NotFoundError("payment_not_found", `No payment with id ${id}.`);

/** A card the provider refused (402 card_declined or insufficient_funds): the failed payment is recorded. */
export const cardRefused = (code: string, reason: string, paymentId: string) =>
  new AppError(code, 402, "Payment required", { detail: reason, extensions: { paymentId } });

const wasCaptured = (status: PaymentStatus) =>
  status === "captured" || status === "partially_refunded" || status === "refunded";

/**
 * What a capture does: `already` when the payment was captured before (capturing is idempotent:
 * the same payment comes back), otherwise the amount to capture (default: the whole authorization).
 * 409 `payment_not_capturable` for a voided or failed payment; 400 `capture_exceeds_authorized`.
 */
export function planCapture(p: Payment, requested: number | undefined): { already: true } | { amount: number } {
  if (wasCaptured(p.status)) return { already: true };
  moveStatus(p, "captured", "payment_not_capturable");
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
  const status = moveStatus(
    p,
    totalRefunded === p.capturedAmount ? "refunded" : "partially_refunded",
    "payment_not_refundable",
  );
  return { amount, status, totalRefunded };
}

/** The public view: the provider's internals stay inside. */
export function viewOf(p: StoredPayment): Payment {
  const { provider: _provider, providerReference: _reference, ...view } = p;
  return view;
}

import { type Static, Type } from "typebox";
import { Money } from "../money";
import { endpoint } from "./endpoint";
import { DateTime, Id, IdParams, Nullable, Page, pageQuery } from "./schemas";

/** Up to MAX_AMOUNT, the largest order total (money.ts): whatever orders may charge is taken. */
const Amount = (description: string) => Money(description, { minimum: 1 });

/** Codes of a call made with an Idempotency-Key. */
const KEYED = ["idempotency_key_required", "idempotency_key_reused", "idempotency_key_in_progress"] as const;
/** The provider failed (502) or did not answer in time (504): nothing changed, or the payment failed. */
const PROVIDER = ["payment_provider_error", "payment_provider_timeout"] as const;

export const PaymentStatus = Type.Union([
  Type.Literal("authorized"),
  Type.Literal("captured"),
  Type.Literal("voided"),
  Type.Literal("failed"),
  Type.Literal("partially_refunded"),
  Type.Literal("refunded"),
]);
export type PaymentStatus = Static<typeof PaymentStatus>;

/**
 * How the card was read: `card_present` at a store's till (retail), `card_not_present` online
 * (orders' checkout, the default).
 */
const entryMode = (options: { description: string; default?: string }) =>
  Type.Union([Type.Literal("card_present"), Type.Literal("card_not_present")], options);
export const EntryMode = entryMode({
  description: "card_present at a till (retail), card_not_present online (the default)",
});
export type EntryMode = Static<typeof EntryMode>;

/** The order, or the till sale, a payment is for: a UUID, as Id. */
const PaymentFor = Type.String({
  format: "uuid",
  maxLength: 36,
  description: "the order, or the till sale, the payment is for",
});

export const Payment = Type.Object({
  id: Id,
  orderId: PaymentFor,
  status: PaymentStatus,
  amount: Money("authorized (or attempted)"),
  currency: Type.String(),
  method: Type.Literal("card"),
  entryMode: EntryMode,
  brand: Type.Union([Type.Literal("visa"), Type.Literal("mastercard"), Type.Literal("amex"), Type.Literal("other")]),
  last4: Type.String({ description: "the card's last four digits: all that is kept of its number" }),
  capturedAmount: Money("captured"),
  refundedAmount: Money("refunded"),
  failureCode: Nullable(
    Type.String({ description: "card_declined, insufficient_funds, provider_timeout, provider_error" }),
  ),
  failureReason: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Payment = Static<typeof Payment>;

export const Refund = Type.Object({
  id: Id,
  paymentId: Id,
  amount: Money("given back"),
  reason: Nullable(Type.String()),
  createdAt: DateTime,
});
export type Refund = Static<typeof Refund>;

export const Card = Type.Object(
  {
    number: Type.String({ maxLength: 64, description: "12 to 19 digits" }),
    // Wide bounds: the month and year themselves are checked with the rest of the card (400 invalid_card).
    expMonth: Type.Integer({ minimum: 0, maximum: 99, description: "1-12" }),
    expYear: Type.Integer({ minimum: 0, maximum: 9999, description: "four digits" }),
    cvc: Type.String({ maxLength: 8, description: "3 or 4 digits" }),
  },
  { additionalProperties: false },
);
export type Card = Static<typeof Card>;

/**
 * Authorizes (and captures with capture: true) a card payment. A refused card is a failed payment
 * and a 402 card_declined or insufficient_funds; 504 payment_provider_timeout and 502
 * payment_provider_error are answers about this payment (it failed), not an outage of payments.
 */
export const createPayment = endpoint({
  method: "POST",
  path: "/api/payments/payments",
  body: Type.Object(
    {
      orderId: PaymentFor,
      amount: Amount("the amount to authorize"),
      currency: Type.String({ pattern: "^[A-Z]{3}$", maxLength: 3, description: "ISO 4217, e.g. EUR" }),
      method: Type.Literal("card"),
      card: Card,
      entryMode: Type.Optional(
        entryMode({
          default: "card_not_present",
          description: "card_present at a till (retail's sales), card_not_present online (default)",
        }),
      ),
      capture: Type.Optional(Type.Boolean({ default: false, description: "capture at once (default false)" })),
    },
    { additionalProperties: false },
  ),
  responses: { 201: Payment },
  errors: [...KEYED, ...PROVIDER, "invalid_card", "card_declined", "insufficient_funds"],
});

/** Payments, newest first, by order and status. */
export const listPayments = endpoint({
  method: "GET",
  path: "/api/payments/payments",
  query: Type.Object({ orderId: Type.Optional(Id), status: Type.Optional(PaymentStatus), ...pageQuery() }),
  responses: { 200: Page(Payment) },
});

export const getPayment = endpoint({
  method: "GET",
  path: "/api/payments/payments/:id",
  params: IdParams,
  responses: { 200: Payment },
  errors: ["payment_not_found"],
});

/** In full without an amount; a payment captured before comes back as it is. */
export const capturePayment = endpoint({
  method: "POST",
  path: "/api/payments/payments/:id/capture",
  params: IdParams,
  body: Type.Object({ amount: Type.Optional(Amount("the amount to capture")) }, { additionalProperties: false }),
  responses: { 200: Payment },
  errors: [...PROVIDER, "payment_not_found", "payment_not_capturable", "capture_exceeds_authorized"],
  idempotent: true,
});

/** Releases an authorization's hold; voiding again answers the same; 409 payment_not_voidable once captured or failed. */
export const voidPayment = endpoint({
  method: "POST",
  path: "/api/payments/payments/:id/void",
  params: IdParams,
  responses: { 200: Payment },
  errors: [...PROVIDER, "payment_not_found", "payment_not_voidable"],
  idempotent: true,
});

/** All that is left without an amount; the same key gets the same refund. */
export const refundPayment = endpoint({
  method: "POST",
  path: "/api/payments/payments/:id/refunds",
  params: IdParams,
  body: Type.Object(
    {
      amount: Type.Optional(Amount("the amount to give back")),
      reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    },
    { additionalProperties: false },
  ),
  responses: { 201: Refund },
  errors: [...KEYED, ...PROVIDER, "payment_not_found", "payment_not_refundable", "refund_exceeds_captured"],
});

export const endpoints = { createPayment, listPayments, getPayment, capturePayment, voidPayment, refundPayment };

/** Every code a payments endpoint may answer. */
export type PaymentsErrorCode = (typeof endpoints)[keyof typeof endpoints]["errors"][number];

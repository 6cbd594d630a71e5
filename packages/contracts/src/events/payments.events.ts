import { Type } from "typebox";
import { Amount, CurrencyCode, Nullable, Uuid } from "./common";
import { defineEvent } from "./define";

export const CardBrand = Type.Union([
  Type.Literal("visa"),
  Type.Literal("mastercard"),
  Type.Literal("amex"),
  Type.Literal("other"),
]);

/** A payment as events show it: never more of the card than its brand and last four digits. */
const paymentFields = {
  paymentId: Uuid,
  orderId: Uuid,
  /** Minor units: the amount authorized, captured, attempted or refunded, per the event. */
  amount: Amount,
  currency: CurrencyCode,
  method: Type.Literal("card"),
  brand: CardBrand,
  last4: Type.String({ pattern: "^[0-9]{4}$" }),
};

export const PaymentSnapshot = Type.Object(paymentFields);

export const paymentsEvents = {
  "payments.payment.authorized": defineEvent({
    version: 1,
    subject: "payment id",
    description: "The provider authorized the amount on the card; not yet captured.",
    data: PaymentSnapshot,
  }),
  "payments.payment.captured": defineEvent({
    version: 1,
    subject: "payment id",
    description: "The authorized amount was captured: the money is taken.",
    data: PaymentSnapshot,
  }),
  "payments.payment.failed": defineEvent({
    version: 1,
    subject: "payment id",
    description: "The provider refused the payment (declined, insufficient funds) or failed.",
    data: Type.Object({
      ...paymentFields,
      /** A stable code: card_declined, insufficient_funds, provider_error... */
      code: Type.String({ pattern: "^[a-z_]+$" }),
      reason: Nullable(Type.String()),
    }),
  }),
  "payments.payment.refunded": defineEvent({
    version: 1,
    subject: "payment id",
    description: "A captured payment was refunded, in full or in part (amount is what this refund gave back).",
    data: Type.Object({
      ...paymentFields,
      refundId: Uuid,
      /** All that was refunded on this payment so far, this refund included. */
      totalRefunded: Amount,
      reason: Nullable(Type.String()),
    }),
  }),
};

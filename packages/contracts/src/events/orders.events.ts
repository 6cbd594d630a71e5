import { Type } from "typebox";
import { OrderAddress, OrderLine as OrderHttpLine, OrderStatus, SalesChannel } from "../http/orders";
import { VatLine, VatRate } from "../vat";
import { Amount, CurrencyCode, DateTime, Email, Language, Nullable, Uuid } from "./common";
import { defineEvent } from "./define";

// The status, channel, line and address of an order are those of orders' HTTP contract: one shape.
export { OrderStatus, SalesChannel };

/**
 * A line as orders' HTTP contract shows it, except that `vatRate` may be absent: events published
 * before orders kept VAT have none (read them as 2000, 20 %), and consumers must still accept them.
 */
export const OrderLine = Type.Object({ ...OrderHttpLine.properties, vatRate: Type.Optional(VatRate) });
export const ShippingAddress = OrderAddress;

/** The order's amounts, all in minor units of one currency; total = subtotal + shipping. */
export const OrderTotals = Type.Object({
  subtotal: Amount,
  shipping: Amount,
  total: Amount,
  currency: CurrencyCode,
});

/** The order as every order event carries it: enough for an e-mail, a sales report or a customer's history. */
const orderFields = {
  orderId: Uuid,
  /** Null for a guest checkout. */
  customerId: Nullable(Uuid),
  email: Email,
  language: Language,
  channel: SalesChannel,
  storeId: Nullable(Uuid),
  lines: Type.Array(OrderLine, { minItems: 1 }),
  totals: OrderTotals,
  /** The VAT in the total, per rate (as the order's API shows it); absent on events from before orders kept VAT. */
  vat: Type.Optional(Type.Array(VatLine)),
  shippingAddress: Nullable(ShippingAddress),
  placedAt: DateTime,
  status: OrderStatus,
};

export const OrderSnapshot = Type.Object(orderFields);

export const ordersEvents = {
  "orders.checkout.started": defineEvent({
    version: 1,
    subject: "order id (the id the order will have: its orders.order.* events follow on the same subject)",
    description:
      "A shopper began a checkout of a non-empty cart: the request was accepted and its saga started. " +
      "It may still fail (orders.order.placed, then orders.order.paid, follow when it does not). Once per checkout: " +
      "a retried request with the same Idempotency-Key starts nothing.",
    data: Type.Object({
      checkoutId: Uuid,
      /** The order this checkout creates if it succeeds. */
      orderId: Uuid,
      cartId: Uuid,
      /** A checkout is always online (till sales are retail's). */
      channel: Type.Literal("online"),
      /** Null for a guest checkout. */
      customerId: Nullable(Uuid),
      startedAt: DateTime,
      /** Units in the checkout (the sum of its lines' quantities). */
      itemCount: Type.Integer({ minimum: 1 }),
      /** The lines priced by catalog at the start, before shipping. */
      subtotal: Amount,
      currency: CurrencyCode,
    }),
  }),
  "orders.order.placed": defineEvent({
    version: 1,
    subject: "order id",
    description: "A checkout created an order (stock reserved, prices snapshotted); payment may still be pending.",
    data: Type.Object({ ...orderFields, status: Type.Union([Type.Literal("pending"), Type.Literal("paid")]) }),
  }),
  "orders.order.paid": defineEvent({
    version: 1,
    subject: "order id",
    description: "An order's payment was captured and its stock committed: it counts as a sale from now on.",
    data: Type.Object({ ...orderFields, status: Type.Literal("paid"), paymentId: Uuid }),
  }),
  "orders.order.cancelled": defineEvent({
    version: 1,
    subject: "order id",
    description:
      "An order was cancelled before shipping; its stock is released or restocked. A paid order is then refunded " +
      "(orders.order.refunded follows).",
    data: Type.Object({
      ...orderFields,
      status: Type.Literal("cancelled"),
      /** The status it was cancelled from: a paid order's sale is to be taken back out of reports. */
      previousStatus: Type.Union([Type.Literal("pending"), Type.Literal("paid")]),
      reason: Nullable(Type.String()),
      /** Who cancelled it: the customer or a staff member; null when the system did (failed checkout). */
      cancelledBy: Nullable(Uuid),
    }),
  }),
  "orders.order.shipped": defineEvent({
    version: 1,
    subject: "order id",
    description: "An order left the warehouse.",
    data: Type.Object({
      ...orderFields,
      status: Type.Literal("shipped"),
      carrier: Nullable(Type.String({ minLength: 1 })),
      trackingNumber: Nullable(Type.String({ minLength: 1 })),
    }),
  }),
  "orders.order.delivered": defineEvent({
    version: 1,
    subject: "order id",
    description: "An order reached its customer.",
    data: Type.Object({ ...orderFields, status: Type.Literal("delivered") }),
  }),
  "orders.order.refunded": defineEvent({
    version: 1,
    subject: "order id",
    description: "An order's payment was refunded (after a cancellation or a return).",
    data: Type.Object({
      ...orderFields,
      status: Type.Literal("refunded"),
      paymentId: Uuid,
      /** What was given back, in the order's currency. */
      refundedAmount: Amount,
      reason: Nullable(Type.String()),
    }),
  }),
};

import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import { type Order, type OrderLine, snapshotOf, type Totals } from "../model/order";

/** What `orders.checkout.started` tells of a checkout (its saga's input). */
export interface StartedCheckout {
  checkoutId: string;
  orderId: string;
  cartId: string;
  customerId: string | null;
  lines: Pick<OrderLine, "quantity">[];
  totals: Pick<Totals, "subtotal" | "currency">;
}

/**
 * `orders.checkout.started`, in the transaction that records the checkout (its key) and starts its
 * saga: on the order's id, so that the order's own events follow it in the same partition.
 */
export async function publishCheckoutStarted(
  tx: Queryable,
  outbox: Outbox,
  input: StartedCheckout,
  startedAt: Date,
): Promise<void> {
  await outbox.publish(tx, {
    type: "orders.checkout.started",
    subject: input.orderId,
    data: {
      checkoutId: input.checkoutId,
      orderId: input.orderId,
      cartId: input.cartId,
      channel: "online",
      customerId: input.customerId,
      startedAt: startedAt.toISOString(),
      itemCount: input.lines.reduce((units, line) => units + line.quantity, 0),
      subtotal: input.totals.subtotal,
      currency: input.totals.currency,
    },
  });
}

/**
 * Publishes the order's current state as `orders.order.<event>`, in the transaction that changed
 * it. `previousStatus` is what a cancelled order was before (pending or paid).
 */
export async function publishOrder(
  tx: Queryable,
  outbox: Outbox,
  o: Order,
  extra: { previousStatus?: "pending" | "paid" } = {},
): Promise<void> {
  const data = snapshotOf(o);
  const subject = o.id;
  switch (o.status) {
    case "pending":
      await outbox.publish(tx, { type: "orders.order.placed", subject, data: { ...data, status: "pending" } });
      return;
    case "paid":
      await outbox.publish(tx, {
        type: "orders.order.paid",
        subject,
        data: { ...data, status: "paid", paymentId: o.paymentId },
      });
      return;
    case "shipped":
      await outbox.publish(tx, {
        type: "orders.order.shipped",
        subject,
        data: { ...data, status: "shipped", carrier: o.carrier, trackingNumber: o.trackingNumber },
      });
      return;
    case "delivered":
      await outbox.publish(tx, { type: "orders.order.delivered", subject, data: { ...data, status: "delivered" } });
      return;
    case "cancelled":
      await outbox.publish(tx, {
        type: "orders.order.cancelled",
        subject,
        data: {
          ...data,
          status: "cancelled",
          previousStatus: extra.previousStatus ?? "pending",
          reason: o.cancelReason,
          cancelledBy: o.cancelledBy,
        },
      });
      return;
    case "refunded":
      await outbox.publish(tx, {
        type: "orders.order.refunded",
        subject,
        data: {
          ...data,
          status: "refunded",
          paymentId: o.paymentId,
          refundedAmount: o.refundedAmount,
          reason: o.cancelReason,
        },
      });
  }
}

import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import { type Order, snapshotOf } from "../model/order";

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

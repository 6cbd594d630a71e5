import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import type { Payment, Refund } from "../model/payment";

/** What every payment event carries: never more of the card than its brand and last four digits. */
const snapshot = (p: Payment, amount: number) => ({
  paymentId: p.id,
  orderId: p.orderId,
  amount,
  currency: p.currency,
  method: p.method,
  brand: p.brand,
  last4: p.last4,
});

/** `payments.payment.authorized`: the whole amount on hold. */
export async function publishAuthorized(tx: Queryable, outbox: Outbox, p: Payment): Promise<void> {
  await outbox.publish(tx, { type: "payments.payment.authorized", subject: p.id, data: snapshot(p, p.amount) });
}

/** `payments.payment.captured`: the amount taken. */
export async function publishCaptured(tx: Queryable, outbox: Outbox, p: Payment): Promise<void> {
  await outbox.publish(tx, { type: "payments.payment.captured", subject: p.id, data: snapshot(p, p.capturedAmount) });
}

/** `payments.payment.failed`: the amount attempted, the failure's code and reason. */
export async function publishFailed(tx: Queryable, outbox: Outbox, p: Payment): Promise<void> {
  await outbox.publish(tx, {
    type: "payments.payment.failed",
    subject: p.id,
    data: { ...snapshot(p, p.amount), code: p.failureCode!, reason: p.failureReason },
  });
}

/** `payments.payment.refunded`: what this refund gave back, and all refunded so far. */
export async function publishRefunded(tx: Queryable, outbox: Outbox, p: Payment, refund: Refund): Promise<void> {
  await outbox.publish(tx, {
    type: "payments.payment.refunded",
    subject: p.id,
    data: {
      ...snapshot(p, refund.amount),
      refundId: refund.id,
      totalRefunded: p.refundedAmount,
      reason: refund.reason,
    },
  });
}

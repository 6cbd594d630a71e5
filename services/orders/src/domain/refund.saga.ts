import type { Outbox } from "@comptoir/events";
import type { SagaDefinition } from "@comptoir/sagas";
import type { InventoryClient } from "../clients/inventory.client";
import type { PaymentsClient } from "../clients/payments.client";
import * as orders from "../db/orders.repo";
import { type AllocationLine, assertTransition } from "../model/order";
import { publishOrder } from "./orders.events";

export const ORDER_REFUND = "order-refund";

export interface RefundInput {
  orderId: string;
  paymentId: string;
  /** The goods to put back where they were taken from. */
  allocation: AllocationLine[];
  reason: string;
}

/**
 * After a paid order is cancelled: its goods go back on the shelves they came from, then its
 * payment is refunded in full; the order is then `refunded`. Both steps are keyed by the order, so
 * a crash between them repeats nothing. Neither can be undone: a refusal stops the saga `failed`
 * with its reason, for a person to look at (the order stays `cancelled`).
 */
export function refundSaga(deps: {
  inventory: InventoryClient;
  payments: PaymentsClient;
  outbox: Outbox;
}): SagaDefinition<RefundInput> {
  return {
    kind: ORDER_REFUND,
    steps: [
      {
        name: "restock",
        async run(input) {
          for (const [i, line] of input.allocation.entries()) {
            await deps.inventory.restock(
              line,
              `order-${input.orderId}-cancel-${i}`,
              `order cancelled: ${input.reason}`,
            );
          }
          return null;
        },
      },
      {
        name: "refund",
        async run(input) {
          const refund = await deps.payments.refund({
            key: `order-${input.orderId}-cancel`,
            paymentId: input.paymentId,
            reason: input.reason,
          });
          return { amount: refund.amount };
        },
      },
    ],
    async onCompleted(tx, saga) {
      const order = await orders.lockOrder(tx, saga.input.orderId);
      if (!order) throw new Error(`order ${saga.input.orderId} of refund ${saga.id} is missing`);
      assertTransition(order, "refunded");
      const { amount } = saga.outputs.refund as { amount: number };
      const refunded = await orders.updateOrder(tx, order.id, "refunded", { refundedAmount: amount });
      await publishOrder(tx, deps.outbox, refunded);
    },
    async onFailed() {
      // The order stays cancelled; the saga's reason and history say what is left to do by hand.
    },
  };
}

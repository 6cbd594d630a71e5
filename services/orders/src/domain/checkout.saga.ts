import type { paymentsHttp } from "@comptoir/contracts/http";
import type { Outbox } from "@comptoir/events";
import { afterCommit, type Db, type Logger, type Tx, withTx } from "@comptoir/platform";
import { type SagaDefinition, StepRefused } from "@comptoir/sagas";
import type { CartClient } from "../clients/cart.client";
import type { InventoryClient } from "../clients/inventory.client";
import type { PaymentsClient } from "../clients/payments.client";
import * as checkouts from "../db/checkouts.repo";
import * as orders from "../db/orders.repo";
import { type AllocationLine, type OrderLine, type ShippingAddress, type Totals, vatOf } from "../model/order";
import { assertTransition } from "../model/order";
import { problemOf } from "../model/checkout";
import type { OrdersMetrics } from "../metrics/orders.metrics";
import { publishOrder } from "./orders.events";

export const CHECKOUT = "checkout";

/** What a checkout saga carries (persisted with it: never the card, see CardVault). */
export interface CheckoutInput {
  checkoutId: string;
  orderId: string;
  cartId: string;
  customerId: string | null;
  email: string;
  language: "fr" | "en";
  lines: OrderLine[];
  totals: Totals;
  shippingAddress: ShippingAddress | null;
  pickupLocationId: string | null;
}

/**
 * The card of a checkout under way, kept in this process's memory only: a card number is never
 * written to orders' database (PCI DSS). A checkout resumed elsewhere after a crash finds the
 * authorization that was made (payments, by order id) or, if none was, fails cleanly.
 */
export type CardVault = Map<string, paymentsHttp.Card>;

export interface CheckoutSagaDeps {
  db: Db;
  outbox: Outbox;
  logger: Logger;
  inventory: InventoryClient;
  payments: PaymentsClient;
  cart: CartClient;
  cards: CardVault;
  reservationTtlSeconds: number;
  /** Checkout durations and failures, counted once the checkout's end commits. */
  metrics?: Pick<OrdersMetrics, "checkoutEnded">;
}

interface Reserved {
  reservationId: string;
  allocation: AllocationLine[];
}
interface Authorized {
  paymentId: string;
}

/**
 * Checkout (SPEC §3.7, issue 6): reserve → authorize → place the order → capture → commit the
 * reservation → empty the cart, then the order is paid. Each step is idempotent (keyed by the
 * checkout or the order), so a step run again after a crash returns what it did the first time;
 * a refusal compensates what ran, in reverse: restock, refund, cancel the order, void, release.
 * `capture` is the pivot: after it, a step without an answer is retried until it answers (never
 * refunded for an outage); before it, one that keeps getting no answer is compensated.
 */
export function checkoutSaga(deps: CheckoutSagaDeps): SagaDefinition<CheckoutInput> {
  const items = (input: CheckoutInput) => input.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));

  return {
    kind: CHECKOUT,
    steps: [
      {
        name: "reserve",
        async run(input): Promise<Reserved> {
          const reservation = await deps.inventory.reserve({
            reference: `order-${input.orderId}`,
            items: items(input),
            ttlSeconds: deps.reservationTtlSeconds,
            locationId: input.pickupLocationId ?? undefined,
          });
          if (reservation.status === "expired" || reservation.status === "released") {
            throw new StepRefused(
              `The stock held for this checkout was ${reservation.status} before the checkout could finish.`,
              "reservation_expired",
            );
          }
          return { reservationId: reservation.id, allocation: reservation.lines };
        },
        async compensate(_input, output) {
          await deps.inventory.release((output as Reserved).reservationId);
        },
      },
      {
        name: "authorize",
        async run(input): Promise<Authorized> {
          const card = deps.cards.get(input.checkoutId);
          if (card) {
            const payment = await deps.payments.authorize({
              key: `checkout-${input.checkoutId}`,
              orderId: input.orderId,
              amount: input.totals.total,
              currency: input.totals.currency,
              card,
            });
            return { paymentId: payment.id };
          }
          // Resumed without the card (another process, after a crash): what did payments do?
          const found = await deps.payments.ofOrder(input.orderId);
          const usable = found.find((p) => p.status !== "failed" && p.status !== "voided");
          if (usable) return { paymentId: usable.id };
          const failed = found.find((p) => p.status === "failed");
          if (failed) throw new StepRefused("The payment was refused.", failed.failureCode ?? "payment_failed");
          throw new StepRefused(
            "The checkout was interrupted before its payment was made; nothing was charged. Please try again.",
            "checkout_interrupted",
          );
        },
        async compensate(_input, output) {
          await deps.payments.void((output as Authorized).paymentId);
        },
      },
      {
        name: "place",
        async run(input, outputs) {
          const { reservationId, allocation } = outputs.reserve as Reserved;
          const { paymentId } = outputs.authorize as Authorized;
          await withTx(deps.db, async (tx) => {
            const order = await orders.insertOrder(tx, {
              id: input.orderId,
              checkoutId: input.checkoutId,
              customerId: input.customerId,
              email: input.email,
              language: input.language,
              pickupLocationId: input.pickupLocationId,
              storeId: null,
              lines: input.lines,
              ...input.totals,
              vat: vatOf(input.lines, input.totals.shipping),
              shippingAddress: input.shippingAddress,
              reservationId,
              allocation,
              paymentId,
            });
            if (order) await publishOrder(tx, deps.outbox, order);
          });
          return null;
        },
        async compensate(input) {
          await withTx(deps.db, async (tx) => {
            const order = await orders.lockOrder(tx, input.orderId);
            if (!order || order.status !== "pending") return;
            const cancelled = await orders.updateOrder(tx, order.id, "cancelled", {
              cancelReason: "The checkout could not be completed.",
              cancelledBy: null,
            });
            await publishOrder(tx, deps.outbox, cancelled, { previousStatus: "pending" });
          });
        },
      },
      {
        name: "capture",
        // The point of no return: once the money is taken, commit and empty-cart are retried until
        // they answer (an outage is waited out); only a refusal (e.g. the reservation expired) refunds.
        pivot: true,
        async run(_input, outputs) {
          const { paymentId } = outputs.authorize as Authorized;
          const payment = await deps.payments.capture(paymentId);
          return { paymentId, captured: payment.capturedAmount };
        },
        async compensate(input, output) {
          await deps.payments.refund({
            key: `checkout-${input.checkoutId}-refund`,
            paymentId: (output as Authorized).paymentId,
            reason: "The checkout could not be completed.",
          });
        },
      },
      {
        name: "commit",
        async run(_input, outputs) {
          const reserved = outputs.reserve as Reserved;
          await deps.inventory.commit(reserved.reservationId);
          return reserved;
        },
        async compensate(input, output) {
          for (const [i, line] of (output as Reserved).allocation.entries()) {
            await deps.inventory.restock(
              line,
              `order-${input.orderId}-undo-${i}`,
              "checkout failed after its sale was recorded",
            );
          }
        },
      },
      {
        name: "empty-cart",
        async run(input) {
          // The order stands whatever happens here: a cart left full is an annoyance, not a reason to refund.
          try {
            await deps.cart.ordered(input.cartId, input.orderId, items(input));
            return { emptied: true };
          } catch (error) {
            deps.logger.warn(
              { err: error, cartId: input.cartId, orderId: input.orderId },
              "the cart could not be emptied after checkout",
            );
            return { emptied: false };
          }
        },
      },
    ],
    async onCompleted(tx, saga) {
      const order = await orders.lockOrder(tx, saga.input.orderId);
      if (!order) throw new Error(`order ${saga.input.orderId} of checkout ${saga.id} is missing`);
      assertTransition(order, "paid");
      const paid = await orders.updateOrder(tx, order.id, "paid");
      await publishOrder(tx, deps.outbox, paid);
      const ended = await checkouts.finishCheckout(tx, saga.id, { status: "completed" });
      if (ended) afterCommit(tx, () => deps.metrics?.checkoutEnded("completed", ended.seconds));
      deps.cards.delete(saga.id);
    },
    async onFailed(tx: Tx, saga, reason) {
      const problem = problemOf(saga.failure, reason);
      const ended = await checkouts.finishCheckout(tx, saga.id, { status: "failed", problem });
      const code = typeof problem.code === "string" ? problem.code : undefined;
      if (ended) afterCommit(tx, () => deps.metrics?.checkoutEnded("failed", ended.seconds, code));
      deps.cards.delete(saga.id);
    },
  };
}

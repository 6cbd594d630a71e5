import { paymentsHttp } from "@comptoir/contracts/http";
import { defineClient, ignoring, type ServiceClient } from "@comptoir/platform";
import { asStep, paymentsSteps } from "@comptoir/sagas";

export type PaymentsClient = ReturnType<typeof createPaymentsClient>;

/** An order's card authorization, once per key. */
interface Authorization {
  key: string;
  orderId: string;
  amount: number;
  currency: string;
  card: paymentsHttp.Card;
}

/** What orders asks of payments, with its own service token (payments:write). Refusals are StepRefused with payments' code. */
export function createPaymentsClient(client: ServiceClient) {
  const api = defineClient(client, paymentsHttp.endpoints);

  const { refund } = paymentsSteps(api);

  return {
    /**
     * 402 (declined, insufficient funds), 400 (invalid card) and the provider's failures (502
     * payment_provider_error, 504 payment_provider_timeout) come back as StepRefused.
     */
    authorize({ key, ...body }: Authorization) {
      return asStep(
        "authorizing the payment",
        api.createPayment({
          body: { ...body, method: "card", capture: false },
          idempotencyKey: key,
          // The provider did not answer (504) or failed (502): payments recorded this payment failed and
          // voided it — an answer about this payment, not a sign that payments is down.
          answerStatuses: [502, 504],
        }),
      );
    },

    /** The order's payments, newest first (a checkout resumed after a crash finds its authorization here). */
    async ofOrder(orderId: string): Promise<paymentsHttp.Payment[]> {
      const page = await asStep("looking up the order's payments", api.listPayments({ query: { orderId, limit: 20 } }));
      return page.data;
    },

    capture(paymentId: string) {
      return asStep(
        "capturing the payment",
        api.capturePayment({ params: { id: paymentId }, body: {}, idempotencyKey: `capture-${paymentId}` }),
      );
    },

    /**
     * Voids an authorization; one already voided, failed or refunded is left as it is, and one found
     * captured is refunded in full (what undoing a checkout must leave: nothing taken).
     */
    async void(paymentId: string): Promise<void> {
      const voided = await asStep(
        "voiding the payment",
        api
          .voidPayment({ params: { id: paymentId }, idempotencyKey: `void-${paymentId}` })
          .catch(ignoring(paymentsHttp.voidPayment, "payment_not_voidable")),
      );
      if (voided) return;
      // No longer an authorization. Voided, failed or refunded: nothing is held. Captured: the
      // capture happened though its answer was lost (its instance killed mid-call), so the saga
      // undid it as if it had not — the money was taken for a checkout being undone: refund what
      // is left (seen in the chaos suite: a cancelled order with its payment captured).
      const payment = await asStep("looking up the payment", api.getPayment({ params: { id: paymentId } }));
      if (payment.status === "captured" || payment.status === "partially_refunded") {
        await refund({ key: `void-${paymentId}-refund`, paymentId, reason: "The checkout could not be completed." });
      }
    },

    refund,
  };
}

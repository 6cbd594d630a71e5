import { paymentsHttp } from "@comptoir/contracts/http";
import { defineClient, type ServiceClient } from "@comptoir/platform";
import { asStep } from "@comptoir/sagas";

export type Card = paymentsHttp.Card;
export type PaymentsClient = ReturnType<typeof createPaymentsClient>;

/** What retail asks of payments, with its own service token (payments:write). Refusals are StepRefused with payments' code. */
export function createPaymentsClient(client: ServiceClient) {
  const api = defineClient(client, paymentsHttp.endpoints);
  return {
    /** A card-present payment, captured at once (the till's card reader); `saleId` stands where an order id goes. */
    charge({ key, saleId, ...rest }: { key: string; saleId: string; amount: number; currency: string; card: Card }) {
      return asStep(
        "charging the card",
        api.createPayment({
          body: { orderId: saleId, ...rest, method: "card", entryMode: "card_present", capture: true },
          idempotencyKey: key,
          answerStatuses: [502, 504],
        }),
      );
    },

    /** The sale's payments, newest first (a sale resumed after a crash finds its charge here). */
    async ofSale(saleId: string): Promise<paymentsHttp.Payment[]> {
      const page = await asStep(
        "looking up the sale's payments",
        api.listPayments({ query: { orderId: saleId, limit: 20 } }),
      );
      return page.data;
    },

    /** Gives back `amount` (all that is left without one), once per key. */
    refund(input: { key: string; paymentId: string; amount?: number; reason: string }) {
      return asStep(
        "refunding the payment",
        api.refundPayment({
          params: { id: input.paymentId },
          body: input.amount === undefined ? { reason: input.reason } : { amount: input.amount, reason: input.reason },
          idempotencyKey: input.key,
        }),
      );
    },
  };
}

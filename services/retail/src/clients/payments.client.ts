import { paymentsHttp } from "@comptoir/contracts/http";
import { defineClient, type ServiceClient } from "@comptoir/platform";
import { asStep, paymentsSteps } from "@comptoir/sagas";

export type PaymentsClient = ReturnType<typeof createPaymentsClient>;

/** A sale's card payment, once per key. */
interface Charge {
  key: string;
  saleId: string;
  amount: number;
  currency: string;
  card: paymentsHttp.Card;
}

/** What retail asks of payments, with its own service token (payments:write). Refusals are StepRefused with payments' code. */
export function createPaymentsClient(client: ServiceClient) {
  const api = defineClient(client, paymentsHttp.endpoints);
  return {
    /** A card-present payment, captured at once (the till's card reader); `saleId` stands where an order id goes. */
    charge({ key, saleId, ...rest }: Charge) {
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

    // Refund: a saga step shared with the other services that take cards.
    ...paymentsSteps(api),
  };
}

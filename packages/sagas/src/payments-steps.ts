import type { paymentsHttp } from "@comptoir/contracts/http";
import type { EndpointClient } from "@comptoir/platform";
import { asStep } from "./step-answers";

type PaymentsApi = Pick<EndpointClient<typeof paymentsHttp.endpoints>, "refundPayment">;

/** What a saga undoes at payments, over the caller's own typed client; refusals are StepRefused with payments' code. */
export function paymentsSteps(api: PaymentsApi) {
  return {
    /** Gives back `amount` (all that is left without one), once per key. */
    refund: (input: { key: string; paymentId: string; amount?: number; reason: string }) =>
      asStep(
        "refunding the payment",
        api.refundPayment({
          params: { id: input.paymentId },
          body: input.amount === undefined ? { reason: input.reason } : { amount: input.amount, reason: input.reason },
          idempotencyKey: input.key,
        }),
      ),
  };
}

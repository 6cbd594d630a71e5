import { expectStepOk, type ServiceClient } from "@comptoir/platform";

export interface Card {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface Payment {
  id: string;
  orderId: string;
  status: "authorized" | "captured" | "voided" | "failed" | "partially_refunded" | "refunded";
  amount: number;
  capturedAmount: number;
  refundedAmount: number;
  failureCode: string | null;
}

/** What orders asks of payments, with its own service token (payments:write). */
export interface PaymentsClient {
  /**
   * 402 (declined, insufficient funds), 400 (invalid card) and the provider's failures (502
   * payment_provider_error, 504 payment_provider_timeout) come back as StepRefused.
   */
  authorize(input: { key: string; orderId: string; amount: number; currency: string; card: Card }): Promise<Payment>;
  /** The order's payments, newest first (a checkout resumed after a crash finds its authorization here). */
  ofOrder(orderId: string): Promise<Payment[]>;
  capture(paymentId: string): Promise<Payment>;
  /**
   * Voids an authorization; one already voided, failed or refunded is left as it is, and one found
   * captured is refunded in full (what undoing a checkout must leave: nothing taken).
   */
  void(paymentId: string): Promise<void>;
  refund(input: { key: string; paymentId: string; amount?: number; reason: string }): Promise<{ amount: number }>;
}

const ok = <T>(what: string, res: Parameters<typeof expectStepOk<T>>[2]) => expectStepOk("payments", what, res);

export function createPaymentsClient(client: ServiceClient): PaymentsClient {
  return {
    async authorize({ key, ...body }) {
      const res = await client.request<Payment>({
        method: "POST",
        path: "/api/payments/payments",
        idempotencyKey: key,
        body: { ...body, method: "card", capture: false },
        // The provider did not answer (504) or failed (502): payments recorded this payment failed and
        // voided it — an answer about this payment, not a sign that payments is down.
        answerStatuses: [502, 504],
      });
      return ok("authorizing the payment", res);
    },

    async ofOrder(orderId) {
      const res = await client.get<{ data: Payment[] }>("/api/payments/payments", { orderId, limit: 20 });
      return ok("looking up the order's payments", res).data;
    },

    async capture(paymentId) {
      const res = await client.request<Payment>({
        method: "POST",
        path: `/api/payments/payments/${paymentId}/capture`,
        idempotencyKey: `capture-${paymentId}`,
      });
      return ok("capturing the payment", res);
    },

    async void(paymentId) {
      const res = await client.request<{ code?: string }>({
        method: "POST",
        path: `/api/payments/payments/${paymentId}/void`,
        idempotencyKey: `void-${paymentId}`,
      });
      if (res.status === 409 && res.body.code === "payment_not_voidable") {
        // No longer an authorization. Voided, failed or refunded: nothing is held. Captured: the
        // capture happened though its answer was lost (its instance killed mid-call), so the saga
        // undid it as if it had not — the money was taken for a checkout being undone: refund what
        // is left (seen in the chaos suite: a cancelled order with its payment captured).
        const payment = ok("looking up the payment", await client.get<Payment>(`/api/payments/payments/${paymentId}`));
        if (payment.status === "captured" || payment.status === "partially_refunded") {
          await this.refund({
            key: `void-${paymentId}-refund`,
            paymentId,
            reason: "The checkout could not be completed.",
          });
        }
        return;
      }
      ok("voiding the payment", res);
    },

    async refund({ key, paymentId, amount, reason }) {
      const res = await client.request<{ amount: number }>({
        method: "POST",
        path: `/api/payments/payments/${paymentId}/refunds`,
        idempotencyKey: key,
        body: amount === undefined ? { reason } : { amount, reason },
      });
      return ok("refunding the payment", res);
    },
  };
}

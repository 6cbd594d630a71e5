import { paymentsHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotentRequest,
  type Principal,
  requirePermission,
  sendAnswer,
  Type,
  problemResponses,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as use from "../domain/payments.use-cases";

// What orders reads and sends: payments' HTTP contract.
const { Refund } = paymentsHttp;
const IdempotencyHeaders = Type.Object(IdempotencyKeyHeader);

const actorOf = (request: FastifyRequest): use.Actor => ({ userId: (request.principal as Principal).userId });
/** The call's Idempotency-Key (required: 400 idempotency_key_required), the caller's own. */
const keyed = (request: FastifyRequest, operation: string) =>
  idempotentRequest(request, { actor: actorOf(request).userId, operation, status: 201, required: true });

/** An action whose body is optional: no body is an empty one. */
const noBodyIsEmpty = async (request: FastifyRequest) => {
  request.body ??= {};
};

/**
 * Payments and refunds (SPEC §3.8): the orders service (online, card not present), the retail service
 * (at a store's till, card present) and admins take them; managers read them.
 */
export function paymentsRoutes(app: App, deps: use.PaymentsDeps): void {
  app.post(
    "/api/payments/payments",
    {
      onRequest: requirePermission("payments:write"),
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "Take a card payment: authorize, and capture with capture: true (payments:write)",
        description:
          "Needs an Idempotency-Key (400 idempotency_key_required): the same key and request get the first answer " +
          "again, whatever it was, without a second call to the provider (header Idempotent-Replayed: true); the " +
          "same key with another request is a 422 idempotency_key_reused. 400 invalid_card (Luhn, 12-19 digits, " +
          "month, expiry, CVC; one entry per field). A refused card is recorded as a failed payment and answered " +
          "402 card_declined or insufficient_funds, with its paymentId; no answer from the provider in time is a " +
          "failed payment too (provider_timeout) and a 504 payment_provider_timeout; 502 payment_provider_error. " +
          "The card's number and CVC are never stored nor logged: only its brand and last four digits. " +
          "orderId is the order, or the till sale, the payment is for; entryMode says how the card was read: " +
          "card_present at a store's till (retail), card_not_present online (the default).",
        headers: IdempotencyHeaders,
        body: paymentsHttp.createPayment.body,
        response: { ...paymentsHttp.createPayment.responses, ...problemResponses(400, 401, 402, 403, 422, 502, 504) },
      },
    },
    async (request, reply) => {
      const call = keyed(request, use.OPERATION_AUTHORIZE);
      return sendAnswer(reply, await use.createPayment(deps, actorOf(request), request.body, call));
    },
  );

  app.get(
    "/api/payments/payments",
    {
      onRequest: requirePermission("payments:read"),
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "Payments, newest first, by order and status (payments:read)",
        querystring: paymentsHttp.listPayments.query,
        response: {
          ...paymentsHttp.listPayments.responses,
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => use.listPayments(deps, request.query),
  );

  app.get(
    "/api/payments/payments/:id",
    {
      onRequest: requirePermission("payments:read"),
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "A payment (payments:read); 404 payment_not_found",
        params: paymentsHttp.getPayment.params,
        response: { ...paymentsHttp.getPayment.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.getPayment(deps, request.params.id),
  );

  app.post(
    "/api/payments/payments/:id/capture",
    {
      onRequest: requirePermission("payments:write"),
      preValidation: noBodyIsEmpty,
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "Capture an authorized payment, in full or in part (payments:write)",
        description:
          "Without an amount the whole authorization is captured; more than authorized is a 400 " +
          "capture_exceeds_authorized. A payment captured before comes back as it is (200); voided or failed: 409 " +
          "payment_not_capturable. 504 payment_provider_timeout / 502 payment_provider_error change nothing.",
        params: paymentsHttp.capturePayment.params,
        body: paymentsHttp.capturePayment.body,
        response: { ...paymentsHttp.capturePayment.responses, ...problemResponses(400, 401, 403, 404, 409, 502, 504) },
      },
    },
    async (request) => use.capturePayment(deps, request.params.id, request.body.amount),
  );

  app.post(
    "/api/payments/payments/:id/void",
    {
      onRequest: requirePermission("payments:write"),
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "Void an authorized payment: release the hold (payments:write)",
        description:
          "200 voided; voiding again answers the same. A captured payment is a 409 payment_not_voidable (refund it), " +
          "a failed one too.",
        params: paymentsHttp.voidPayment.params,
        response: { ...paymentsHttp.voidPayment.responses, ...problemResponses(400, 401, 403, 404, 409, 502, 504) },
      },
    },
    async (request) => use.voidPayment(deps, request.params.id),
  );

  app.post(
    "/api/payments/payments/:id/refunds",
    {
      onRequest: requirePermission("payments:write"),
      preValidation: noBodyIsEmpty,
      schema: {
        ...bearerAuth,
        tags: ["refunds"],
        summary: "Refund a captured payment, in full or in part (payments:write)",
        description:
          "Needs an Idempotency-Key: the same key gets the same refund. Without an amount, all that is left is " +
          "refunded. 409 refund_exceeds_captured beyond what was captured and not yet refunded (refunds running at " +
          "once included); 409 payment_not_refundable before capture (void it) or after a void or a failure.",
        params: paymentsHttp.refundPayment.params,
        headers: IdempotencyHeaders,
        body: paymentsHttp.refundPayment.body,
        response: {
          ...paymentsHttp.refundPayment.responses,
          ...problemResponses(400, 401, 403, 404, 409, 422, 502, 504),
        },
      },
    },
    async (request, reply) => {
      const call = keyed(request, use.OPERATION_REFUND);
      return sendAnswer(reply, await use.refundPayment(deps, actorOf(request), request.params.id, request.body, call));
    },
  );

  app.get(
    "/api/payments/payments/:id/refunds",
    {
      onRequest: requirePermission("payments:read"),
      schema: {
        ...bearerAuth,
        tags: ["refunds"],
        summary: "A payment's refunds, oldest first (payments:read)",
        params: paymentsHttp.getPayment.params,
        response: { 200: Type.Object({ data: Type.Array(Refund) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.listRefunds(deps, request.params.id),
  );
}

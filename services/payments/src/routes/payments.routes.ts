import { Money } from "@comptoir/contracts";
import {
  type App,
  bearerAuth,
  InvalidError,
  type Principal,
  type Problem,
  requirePermission,
  sendProblem,
  Type,
  Id,
  DateTime,
  Nullable,
  problemResponses,
  pageQuery,
  Page,
} from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Answer } from "../domain/idempotency";
import * as use from "../domain/payments.use-cases";

/** Up to MAX_AMOUNT, the largest order total (contracts' money.ts): whatever orders may charge is taken. */
const Amount = (description: string) => Money(description, { minimum: 1 });
const Status = Type.Union([
  Type.Literal("authorized"),
  Type.Literal("captured"),
  Type.Literal("voided"),
  Type.Literal("failed"),
  Type.Literal("partially_refunded"),
  Type.Literal("refunded"),
]);
const Params = Type.Object({ id: Id });
const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "required: the same key again gets the same answer" }),
  ),
});

const Payment = Type.Object({
  id: Id,
  orderId: Id,
  status: Status,
  amount: Money("authorized (or attempted)"),
  currency: Type.String(),
  method: Type.Literal("card"),
  brand: Type.Union([Type.Literal("visa"), Type.Literal("mastercard"), Type.Literal("amex"), Type.Literal("other")]),
  last4: Type.String({ description: "the card's last four digits: all that is kept of its number" }),
  capturedAmount: Money("captured"),
  refundedAmount: Money("refunded"),
  failureCode: Nullable(
    Type.String({ description: "card_declined, insufficient_funds, provider_timeout, provider_error" }),
  ),
  failureReason: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
const Refund = Type.Object({
  id: Id,
  paymentId: Id,
  amount: Money("given back"),
  reason: Nullable(Type.String()),
  createdAt: DateTime,
});

const actorOf = (request: FastifyRequest): use.Actor => ({ userId: (request.principal as Principal).userId });
const originOf = (request: FastifyRequest): use.Origin => ({ instance: request.url, requestId: request.id });

function idempotencyKeyOf(request: FastifyRequest): string {
  const key = request.headers["idempotency-key"];
  if (typeof key === "string" && key.length > 0) return key;
  throw new InvalidError("idempotency_key_required", "This request must carry an Idempotency-Key header.", {
    errors: [{ in: "headers", field: "idempotency-key", message: "is required" }],
  });
}

/** A stored answer as it was the first time; a replay says so (`Idempotent-Replayed: true`). */
function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.replayed) reply.header("idempotent-replayed", "true");
  if (answer.status >= 400) return sendProblem(reply, answer.body as Problem);
  return reply.code(answer.status).send(answer.body);
}

/** An action whose body is optional: no body is an empty one. */
const noBodyIsEmpty = async (request: FastifyRequest) => {
  request.body ??= {};
};

/** Payments and refunds (SPEC §3.8): the orders service (and admins) take them; managers read them. */
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
          "The card's number and CVC are never stored nor logged: only its brand and last four digits.",
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            orderId: Id,
            amount: Amount("the amount to authorize"),
            currency: Type.String({ pattern: "^[A-Z]{3}$", maxLength: 3, description: "ISO 4217, e.g. EUR" }),
            method: Type.Literal("card"),
            card: Type.Object(
              {
                number: Type.String({ maxLength: 64, description: "12 to 19 digits" }),
                // Wide bounds: the month and year themselves are checked with the rest of the card (400 invalid_card).
                expMonth: Type.Integer({ minimum: 0, maximum: 99, description: "1-12" }),
                expYear: Type.Integer({ minimum: 0, maximum: 9999, description: "four digits" }),
                cvc: Type.String({ maxLength: 8, description: "3 or 4 digits" }),
              },
              { additionalProperties: false },
            ),
            capture: Type.Optional(Type.Boolean({ default: false, description: "capture at once (default false)" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Payment, ...problemResponses(400, 401, 402, 403, 422, 502, 504) },
      },
    },
    async (request, reply) =>
      send(
        reply,
        await use.createPayment(deps, actorOf(request), request.body, idempotencyKeyOf(request), originOf(request)),
      ),
  );

  app.get(
    "/api/payments/payments",
    {
      onRequest: requirePermission("payments:read"),
      schema: {
        ...bearerAuth,
        tags: ["payments"],
        summary: "Payments, newest first, by order and status (payments:read)",
        querystring: Type.Object({
          orderId: Type.Optional(Id),
          status: Type.Optional(Status),
          ...pageQuery(),
        }),
        response: {
          200: Page(Payment),
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
        params: Params,
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404) },
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
        params: Params,
        body: Type.Object({ amount: Type.Optional(Amount("the amount to capture")) }, { additionalProperties: false }),
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404, 409, 502, 504) },
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
        params: Params,
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404, 409, 502, 504) },
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
        params: Params,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            amount: Type.Optional(Amount("the amount to give back")),
            reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Refund, ...problemResponses(400, 401, 403, 404, 409, 422, 502, 504) },
      },
    },
    async (request, reply) =>
      send(
        reply,
        await use.refundPayment(deps, actorOf(request), request.params.id, request.body, idempotencyKeyOf(request)),
      ),
  );

  app.get(
    "/api/payments/payments/:id/refunds",
    {
      onRequest: requirePermission("payments:read"),
      schema: {
        ...bearerAuth,
        tags: ["refunds"],
        summary: "A payment's refunds, oldest first (payments:read)",
        params: Params,
        response: { 200: Type.Object({ data: Type.Array(Refund) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.listRefunds(deps, request.params.id),
  );
}

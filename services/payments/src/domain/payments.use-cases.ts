import type { paymentsHttp } from "@comptoir/contracts/http";
import type { Outbox } from "@comptoir/events";
import {
  type Answer,
  AppError,
  type Db,
  type IdempotentRequest,
  type Logger,
  newId,
  once,
  type Refusal,
  refuse,
  type Static,
  type Tx,
  withTx,
} from "@comptoir/platform";
import * as repo from "../db/payments.repo";
import {
  type AuthorizeResult,
  type PaymentProvider,
  ProviderError,
  ProviderTimeoutError,
  withTimeout,
} from "../providers/provider";
import type { KeyedLock } from "../lock/keyed-lock";
import type { OperationOutcome, PaymentsMetrics, ProviderOperation } from "../metrics/payments.metrics";
import { checkCard } from "../model/card";
import {
  cardRefused,
  DEFAULT_ENTRY_MODE,
  type Payment,
  paymentNotFound,
  type PaymentStatus,
  planCapture,
  planRefund,
  planVoid,
  type Refund,
  type StoredPayment,
  viewOf,
} from "../model/payment";
import { publishAuthorized, publishCaptured, publishFailed, publishRefunded } from "./payments.events";

export interface PaymentsDeps {
  db: Db;
  outbox: Outbox;
  provider: PaymentProvider;
  /** How long the provider has to answer a call (PAYMENTS_PROVIDER_TIMEOUT_MS). */
  providerTimeoutMs: number;
  metrics: PaymentsMetrics;
  logger: Logger;
  /** Serializes requests for one key or one payment inside this process (see createKeyedLock). */
  lock: KeyedLock;
  now: () => Date;
  /** Best-effort work still running after its request was answered (voids after a timeout). */
  background: Set<Promise<unknown>>;
}

/** The caller: a user, or a service account (orders). Idempotency keys are each caller's own. */
export interface Actor {
  userId: string;
}

/** A card payment to take (the endpoint's body). */
export type NewPaymentInput = Static<typeof paymentsHttp.createPayment.body>;

/** A refund to give (the endpoint's body): all that is left without an amount. */
export type NewRefundInput = Static<typeof paymentsHttp.refundPayment.body>;

/** The idempotency module's names for the two operations an Idempotency-Key guards. */
export const OPERATION_AUTHORIZE = "payments.authorize";
export const OPERATION_REFUND = "payments.refund";

/** The endpoints, as the replay metric labels them. */
const ENDPOINT_PAYMENTS = "POST /api/payments/payments";
const ENDPOINT_REFUNDS = "POST /api/payments/payments/:id/refunds";

const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;

/**
 * How long to wait before sending again a provider call whose answer was lost, each time: three
 * tries in all, while the time allowed lasts.
 */
const LOST_ANSWER_DELAYS_MS = [100, 400];

/**
 * One provider call within the time allowed, measured: ProviderTimeoutError when no answer came.
 * A call that failed without an answer — its connection dropped (a network cut, a reset), neither a
 * refusal (ProviderError) nor the time running out — is sent again, with the same idempotency key:
 * the provider does a key's work once and answers a repeat with its first answer (PaymentProvider).
 */
async function callProvider<T>(
  deps: PaymentsDeps,
  operation: ProviderOperation,
  run: () => Promise<T>,
  outcomeOf: (result: T) => OperationOutcome = () => "succeeded",
): Promise<T> {
  const startedAt = performance.now();
  const deadline = startedAt + deps.providerTimeoutMs;
  const sendUntilAnswered = async (): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const delay = LOST_ANSWER_DELAYS_MS[attempt];
        const answered = error instanceof ProviderError || error instanceof ProviderTimeoutError;
        if (answered || delay === undefined || performance.now() + delay >= deadline) throw error;
        deps.logger.warn(
          { err: error, operation, attempt: attempt + 1 },
          "payment provider call failed without an answer; sent again with the same idempotency key",
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  try {
    const result = await withTimeout(operation, deps.providerTimeoutMs, sendUntilAnswered);
    deps.metrics.operation(operation, outcomeOf(result), seconds(startedAt));
    return result;
  } catch (error) {
    const timedOut = error instanceof ProviderTimeoutError;
    deps.metrics.operation(operation, timedOut ? "provider_timeout" : "provider_error", seconds(startedAt));
    throw error;
  }
}

/** A failed provider call as the API answers it: 504 without an answer, 502 when the provider failed. */
function providerFailure(deps: PaymentsDeps, error: unknown, paymentId: string): AppError {
  const extensions = { paymentId };
  if (error instanceof ProviderTimeoutError) {
    deps.logger.warn({ paymentId, operation: error.operation }, "payment provider timed out");
    const next =
      error.operation === "authorize"
        ? "The payment is recorded as failed and any hold on the card is released; pay again with a new Idempotency-Key."
        : "Nothing was changed here; sending the same request again is safe.";
    return new AppError("payment_provider_timeout", 504, "Gateway timeout", {
      detail: `${error.message} ${next}`,
      extensions,
    });
  }
  deps.logger.error({ err: error, paymentId }, "payment provider failed");
  const detail =
    error instanceof ProviderError
      ? `The payment provider refused the ${error.operation}: ${error.message}`
      : "The payment provider failed; the error is logged with this request's id.";
  return new AppError("payment_provider_error", 502, "Bad gateway", { detail, extensions });
}

/**
 * Takes a card payment (SPEC §3.8): checks the card, asks the provider to authorize the amount (and
 * to capture it at once with `capture`), records the payment and its events, all once per
 * Idempotency-Key (`call`, the platform's `once`). Answers 201 with the payment, or — recorded as a
 * `failed` payment, the refusal stored with the key — 402 `card_declined` / `insufficient_funds`,
 * 504 `payment_provider_timeout` (then the authorization, if it happens late, is voided) or 502
 * `payment_provider_error`. The same key with the same request gets the same answer again, without
 * calling the provider.
 */
export async function createPayment(
  deps: PaymentsDeps,
  actor: Actor,
  input: NewPaymentInput,
  call: IdempotentRequest,
): Promise<Answer> {
  const card = checkCard(input.card, deps.now());
  const capture = input.capture ?? false;
  const entryMode = input.entryMode ?? DEFAULT_ENTRY_MODE;
  // What makes two requests "the same": the card by brand, last four digits and expiry only, so
  // that no form of its number is fingerprinted. The entry mode counts only when it is not the
  // default: an online payment's fingerprint stays what it was before entry modes (a key sent before
  // and retried after the upgrade still meets its first answer).
  const request = {
    orderId: input.orderId,
    amount: input.amount,
    currency: input.currency,
    method: input.method,
    capture,
    card,
    ...(entryMode === DEFAULT_ENTRY_MODE ? {} : { entryMode }),
  };
  const idempotencyKey = call.scope?.key ?? newId();
  // A payment whose authorization got no answer, to release at the provider once committed.
  const unanswered = { paymentId: null as string | null };
  const answer = await deps.lock(`${OPERATION_AUTHORIZE} ${actor.userId} ${idempotencyKey}`, () =>
    once(deps.db, call, request, async ({ tx, now }) => {
      const id = newId();
      const newPayment = (outcome: PaymentOutcome): repo.NewPayment => ({
        id,
        orderId: input.orderId,
        amount: input.amount,
        currency: input.currency,
        entryMode,
        brand: card.brand,
        last4: card.last4,
        provider: deps.provider.name,
        createdBy: actor.userId,
        ...outcome,
      });
      let result: AuthorizeResult;
      try {
        result = await callProvider(
          deps,
          "authorize",
          () =>
            deps.provider.authorize({
              merchantReference: id,
              amount: input.amount,
              currency: input.currency,
              card: input.card,
              // The caller's key, so that a retry after a crash of ours meets the same authorization.
              idempotencyKey: `payment:${actor.userId}:${idempotencyKey}`,
            }),
          (r) => (r.outcome === "authorized" ? "succeeded" : r.code),
        );
      } catch (error) {
        // No answer, or an unusable one: whether the card is on hold is unknown. Recorded as failed
        // and, once committed, released at the provider (best effort); the refusal is the key's answer.
        const failure = providerFailure(deps, error, id);
        const code = error instanceof ProviderTimeoutError ? "provider_timeout" : "provider_error";
        const reason =
          error instanceof ProviderTimeoutError || error instanceof ProviderError
            ? error.message
            : "The payment provider failed.";
        await recordPayment(tx, deps, now, newPayment(failed(null, code, reason)));
        unanswered.paymentId = id;
        return refuse(failure);
      }
      if (result.outcome === "declined") {
        await recordPayment(tx, deps, now, newPayment(failed(result.reference, result.code, result.reason)));
        return refuse(cardRefused(result.code, result.reason, id));
      }
      const captured = capture && (await captureAtOnce(deps, id, result.reference, input.amount));
      const outcome: PaymentOutcome = {
        status: captured ? "captured" : "authorized",
        capturedAmount: captured ? input.amount : 0,
        providerReference: result.reference,
        failureCode: null,
        failureReason: null,
      };
      return viewOf(await recordPayment(tx, deps, now, newPayment(outcome)));
    }),
  );
  if (unanswered.paymentId) voidInBackground(deps, unanswered.paymentId);
  if (answer.replayed) deps.metrics.replayed(ENDPOINT_PAYMENTS);
  return answer;
}

/** What the provider's answer (or its absence) makes of a new payment. */
type PaymentOutcome = Pick<
  repo.NewPayment,
  "status" | "capturedAmount" | "providerReference" | "failureCode" | "failureReason"
>;

const failed = (providerReference: string | null, code: string, reason: string): PaymentOutcome => ({
  status: "failed",
  capturedAmount: 0,
  providerReference,
  failureCode: code,
  failureReason: reason,
});

/**
 * Records a new payment and its events; answers it as written (stamped with `now`, the
 * transaction's time), which is what its Idempotency-Key answers with.
 */
async function recordPayment(tx: Tx, deps: PaymentsDeps, now: Date, p: repo.NewPayment): Promise<StoredPayment> {
  const payment = repo.asInserted(p, now);
  await repo.insertPayment(tx, p);
  if (payment.status === "failed") {
    await publishFailed(tx, deps.outbox, payment);
    deps.logger.info({ paymentId: payment.id, orderId: payment.orderId, code: payment.failureCode }, "payment failed");
    return payment;
  }
  await publishAuthorized(tx, deps.outbox, payment);
  // Taken at once (`capture: true`): authorized, then captured, as two events in that order.
  if (payment.status === "captured") await publishCaptured(tx, deps.outbox, payment);
  return payment;
}

/**
 * The capture of a payment created with `capture: true`, asked before the payment is recorded (in
 * the same transaction: nothing of it is seen before the commit, whatever the order). The
 * authorization stands whatever happens: when the capture gets no answer the payment is recorded
 * `authorized` (201), and the caller captures it (or voids it) with the usual endpoints.
 */
async function captureAtOnce(deps: PaymentsDeps, paymentId: string, reference: string, amount: number) {
  try {
    await captureAtProvider(deps, paymentId, reference, amount);
    return true;
  } catch (error) {
    providerFailure(deps, error, paymentId);
    return false;
  }
}

function captureAtProvider(deps: PaymentsDeps, paymentId: string, reference: string, amount: number) {
  return callProvider(deps, "capture", () =>
    deps.provider.capture({ reference, amount, idempotencyKey: `capture:${paymentId}:${amount}` }),
  );
}

/** Releases, at the provider, whatever it authorized for a payment whose answer never came. */
function voidInBackground(deps: PaymentsDeps, paymentId: string): void {
  const run = callProvider(deps, "void", () =>
    deps.provider.void({ reference: null, merchantReference: paymentId, idempotencyKey: `void:${paymentId}` }),
  )
    .then(() => deps.logger.info({ paymentId }, "authorization without an answer voided at the provider"))
    .catch((error: unknown) =>
      deps.logger.error(
        { err: error, paymentId },
        "could not void an authorization without an answer: check the provider's dashboard",
      ),
    )
    .finally(() => deps.background.delete(run));
  deps.background.add(run);
}

/** Locks the payment (in this process, then its row) for a change that may call the provider. */
function changePayment<T>(deps: PaymentsDeps, id: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.lock(`payment ${id}`, () => withTx(deps.db, fn));
}

async function lockOrThrow(tx: Tx, id: string): Promise<StoredPayment> {
  const payment = await repo.lockPayment(tx, id);
  if (!payment) throw paymentNotFound(id);
  return payment;
}

/** A guarded change that did not apply although the domain allows it. Not reachable; said rather than assumed. */
const notApplied = (id: string, change: string) =>
  new Error(`payment ${id} could be ${change}, yet its guarded update did not apply`);

/**
 * Captures an authorized payment: the whole authorization, or `amount` of it (400
 * `capture_exceeds_authorized` above). A payment captured before comes back as it is (200); a
 * voided or failed one is a 409 `payment_not_capturable`.
 */
export async function capturePayment(deps: PaymentsDeps, id: string, amount: number | undefined): Promise<Payment> {
  return changePayment(deps, id, async (tx) => {
    // Marked captured in the statement that locks the row, then captured at the provider: a failure
    // there rolls the mark back (nothing changes), and nothing is seen of it before the commit.
    const found = await repo.captureIfAuthorized(tx, id, amount);
    if (!found) throw paymentNotFound(id);
    const { applied, payment } = found;
    if (!applied) {
      // Not authorized, or not that much: captured before (as it is), or planCapture's 409 or 400.
      if ("already" in planCapture(payment, amount)) return viewOf(payment);
      throw notApplied(id, "captured");
    }
    try {
      await captureAtProvider(deps, id, payment.providerReference!, payment.capturedAmount);
    } catch (error) {
      throw providerFailure(deps, error, id);
    }
    await publishCaptured(tx, deps.outbox, payment);
    return viewOf(payment);
  });
}

/**
 * Voids an authorized payment: the hold on the card is released (200 `voided`; again: the same).
 * 409 `payment_not_voidable` once captured (refund it) or failed.
 */
export async function voidPayment(deps: PaymentsDeps, id: string): Promise<Payment> {
  return changePayment(deps, id, async (tx) => {
    // Marked voided in the statement that locks the row, then voided at the provider (as a capture).
    const found = await repo.voidIfAuthorized(tx, id);
    if (!found) throw paymentNotFound(id);
    const { applied, payment } = found;
    if (!applied) {
      if (planVoid(payment).already) return viewOf(payment);
      throw notApplied(id, "voided");
    }
    try {
      await callProvider(deps, "void", () =>
        deps.provider.void({
          reference: payment.providerReference,
          merchantReference: payment.id,
          idempotencyKey: `void:${payment.id}`,
        }),
      );
    } catch (error) {
      throw providerFailure(deps, error, id);
    }
    return viewOf(payment);
  });
}

/**
 * Refunds (part of) a captured payment, once per Idempotency-Key: 201 with the refund, the payment
 * `partially_refunded` or `refunded`. The payment's row is locked from the check to the commit, so
 * refunds running at once, on any instance, never give back more than was captured (409
 * `refund_exceeds_captured` for those that would).
 */
export async function refundPayment(
  deps: PaymentsDeps,
  actor: Actor,
  id: string,
  input: NewRefundInput,
  call: IdempotentRequest,
): Promise<Answer> {
  const reason = input.reason?.trim() || null;
  const request = { paymentId: id, amount: input.amount ?? null, reason };
  const idempotencyKey = call.scope?.key ?? newId();
  // The payment's lock in this process first (as every change of it), then the key's row.
  const answer = await deps.lock(`payment ${id}`, () =>
    once(deps.db, call, request, async ({ tx, now }): Promise<Refund | Refusal> => {
      const payment = await lockOrThrow(tx, id);
      const plan = planRefund(payment, input.amount);
      let providerReference: string;
      try {
        ({ reference: providerReference } = await callProvider(deps, "refund", () =>
          deps.provider.refund({
            reference: payment.providerReference!,
            amount: plan.amount,
            idempotencyKey: `refund:${id}:${actor.userId}:${idempotencyKey}`,
          }),
        ));
      } catch (error) {
        throw providerFailure(deps, error, id);
      }
      const newRefund: repo.NewRefund = {
        id: newId(),
        paymentId: id,
        amount: plan.amount,
        reason,
        providerReference,
        createdBy: actor.userId,
      };
      const updated = await repo.recordRefund(tx, newRefund, {
        status: plan.status,
        refundedAmount: plan.totalRefunded,
      });
      // The refund as it is written (stamped with the transaction's time): the key's answer.
      const refund = repo.refundAsInserted(newRefund, now);
      await publishRefunded(tx, deps.outbox, updated, refund);
      return refund;
    }),
  );
  if (answer.replayed) deps.metrics.replayed(ENDPOINT_REFUNDS);
  return answer;
}

export async function getPayment(deps: Pick<PaymentsDeps, "db">, id: string): Promise<Payment> {
  const payment = await repo.findPayment(deps.db, id);
  if (!payment) throw paymentNotFound(id);
  return viewOf(payment);
}

export async function listRefunds(deps: Pick<PaymentsDeps, "db">, id: string): Promise<{ data: Refund[] }> {
  if (!(await repo.findPayment(deps.db, id))) throw paymentNotFound(id);
  return { data: await repo.refundsOf(deps.db, id) };
}

export async function listPayments(
  deps: Pick<PaymentsDeps, "db">,
  query: { orderId?: string; status?: PaymentStatus; page: number; limit: number },
) {
  const { data, total } = await repo.listPayments(deps.db, {
    orderId: query.orderId,
    status: query.status,
    limit: query.limit,
    offset: (query.page - 1) * query.limit,
  });
  return { data: data.map(viewOf), pagination: { page: query.page, limit: query.limit, total } };
}

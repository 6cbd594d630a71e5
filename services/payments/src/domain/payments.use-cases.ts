import {
  AppError,
  type Db,
  type Logger,
  NotFoundError,
  newId,
  type Outbox,
  type Problem,
  problemTypeUri,
  startPeriodic,
  type Tx,
  withTx,
} from "@comptoir/platform";
import * as keys from "../db/idempotency.repo";
import * as repo from "../db/payments.repo";
import {
  type AuthorizeResult,
  type PaymentProvider,
  ProviderError,
  ProviderTimeoutError,
  withTimeout,
} from "../providers/provider";
import { type CardInput, checkCard } from "./card";
import { type Answer, type HeldKey, IDEMPOTENCY_KEY_HOURS, once } from "./idempotency";
import type { KeyedLock } from "./keyed-lock";
import {
  type Payment,
  type PaymentStatus,
  planCapture,
  planRefund,
  planVoid,
  type Refund,
  type StoredPayment,
  viewOf,
} from "./payment";
import { publishAuthorized, publishCaptured, publishFailed, publishRefunded } from "./payments.events";
import type { OperationOutcome, PaymentsMetrics, ProviderOperation } from "./payments.metrics";

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

/** Where the request came from, for the problem documents stored with a key (and replayed as they were). */
export interface Origin {
  instance: string;
  requestId: string;
}

export interface NewPaymentInput {
  orderId: string;
  amount: number;
  currency: string;
  method: "card";
  card: CardInput;
  capture?: boolean;
}

export interface NewRefundInput {
  amount?: number;
  reason?: string | null;
}

const ENDPOINT_PAYMENTS = "POST /api/payments/payments";
const ENDPOINT_REFUNDS = "POST /api/payments/payments/:id/refunds";

const notFound = (id: string) => new NotFoundError("payment_not_found", `No payment with id ${id}.`);

function problem(origin: Origin, error: AppError): Problem {
  return {
    type: problemTypeUri(error.code),
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: origin.instance,
    requestId: origin.requestId,
    code: error.code,
    ...error.extensions,
  };
}

const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;

/** One provider call within the time allowed, measured: ProviderTimeoutError when no answer came. */
async function callProvider<T>(
  deps: PaymentsDeps,
  operation: ProviderOperation,
  run: () => Promise<T>,
  outcomeOf: (result: T) => OperationOutcome = () => "succeeded",
): Promise<T> {
  const startedAt = performance.now();
  try {
    const result = await withTimeout(operation, deps.providerTimeoutMs, run);
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
 * Idempotency-Key. Answers 201 with the payment, or — recorded as a `failed` payment — 402
 * `card_declined` / `insufficient_funds`, 504 `payment_provider_timeout` (then the authorization, if
 * it happens late, is voided) or 502 `payment_provider_error`. The same key with the same request
 * gets the same answer again, without calling the provider.
 */
export async function createPayment(
  deps: PaymentsDeps,
  actor: Actor,
  input: NewPaymentInput,
  idempotencyKey: string,
  origin: Origin,
): Promise<Answer> {
  const card = checkCard(input.card, deps.now());
  const capture = input.capture ?? false;
  // What makes two requests "the same": the card by brand, last four digits and expiry only, so
  // that no form of its number is stored with the key.
  const request = {
    orderId: input.orderId,
    amount: input.amount,
    currency: input.currency,
    method: input.method,
    capture,
    card,
  };
  const ref = { endpoint: ENDPOINT_PAYMENTS, actorId: actor.userId, key: idempotencyKey };
  // A payment whose authorization got no answer, to release at the provider once committed.
  const unanswered = { paymentId: null as string | null };
  const answer = await deps.lock(`${ref.endpoint} ${ref.actorId} ${ref.key}`, () =>
    withTx(deps.db, (tx) =>
      once(tx, ref, request, async (key) => {
        const id = newId();
        const newPayment = (outcome: PaymentOutcome): repo.NewPayment => ({
          id,
          orderId: input.orderId,
          amount: input.amount,
          currency: input.currency,
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
          // and, once committed, released at the provider (best effort).
          const failure = providerFailure(deps, error, id);
          const code = error instanceof ProviderTimeoutError ? "provider_timeout" : "provider_error";
          const reason =
            error instanceof ProviderTimeoutError || error instanceof ProviderError
              ? error.message
              : "The payment provider failed.";
          const answer = await recordPayment(tx, deps, key, newPayment(failed(null, code, reason)), () => ({
            status: failure.status,
            body: problem(origin, failure),
          }));
          unanswered.paymentId = id;
          return answer;
        }
        if (result.outcome === "declined") {
          const declined = new AppError(result.code, 402, "Payment required", {
            detail: result.reason,
            extensions: { paymentId: id },
          });
          return recordPayment(tx, deps, key, newPayment(failed(result.reference, result.code, result.reason)), () => ({
            status: 402,
            body: problem(origin, declined),
          }));
        }
        const captured = capture && (await captureAtOnce(deps, id, result.reference, input.amount));
        const outcome: PaymentOutcome = {
          status: captured ? "captured" : "authorized",
          capturedAmount: captured ? input.amount : 0,
          providerReference: result.reference,
          failureCode: null,
          failureReason: null,
        };
        return recordPayment(tx, deps, key, newPayment(outcome), (payment) => ({
          status: 201,
          body: viewOf(payment),
        }));
      }),
    ),
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
 * Records a new payment and its events. Its answer is built from the payment as it is written
 * (stamped with the transaction's time), so that it goes to the Idempotency-Key in the statement
 * that writes the payment: one round trip for both.
 */
async function recordPayment(
  tx: Tx,
  deps: PaymentsDeps,
  key: HeldKey,
  p: repo.NewPayment,
  answerOf: (payment: StoredPayment) => keys.StoredAnswer,
): Promise<keys.StoredAnswer> {
  const payment = repo.asInserted(p, key.now);
  const answer = answerOf(payment);
  await repo.insertPayment(tx, p, { key: key.ref, answer });
  if (payment.status === "failed") {
    await publishFailed(tx, deps.outbox, payment);
    deps.logger.info({ paymentId: payment.id, orderId: payment.orderId, code: payment.failureCode }, "payment failed");
    return answer;
  }
  await publishAuthorized(tx, deps.outbox, payment);
  // Taken at once (`capture: true`): authorized, then captured, as two events in that order.
  if (payment.status === "captured") await publishCaptured(tx, deps.outbox, payment);
  return answer;
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
  if (!payment) throw notFound(id);
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
    if (!found) throw notFound(id);
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
    if (!found) throw notFound(id);
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
  idempotencyKey: string,
): Promise<Answer> {
  const reason = input.reason?.trim() || null;
  const request = { paymentId: id, amount: input.amount ?? null, reason };
  const ref = { endpoint: ENDPOINT_REFUNDS, actorId: actor.userId, key: idempotencyKey };
  const answer = await changePayment(deps, id, (tx) =>
    once(tx, ref, request, async (key) => {
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
      // The refund as it is written (stamped with the transaction's time): the key's answer, written with it.
      const refund = repo.refundAsInserted(newRefund, key.now);
      const answer = { status: 201, body: refund };
      const updated = await repo.recordRefund(
        tx,
        newRefund,
        { status: plan.status, refundedAmount: plan.totalRefunded },
        { key: key.ref, answer },
      );
      await publishRefunded(tx, deps.outbox, updated, refund);
      return answer;
    }),
  );
  if (answer.replayed) deps.metrics.replayed(ENDPOINT_REFUNDS);
  return answer;
}

export async function getPayment(deps: Pick<PaymentsDeps, "db">, id: string): Promise<Payment> {
  const payment = await repo.findPayment(deps.db, id);
  if (!payment) throw notFound(id);
  return viewOf(payment);
}

export async function listRefunds(deps: Pick<PaymentsDeps, "db">, id: string): Promise<{ data: Refund[] }> {
  if (!(await repo.findPayment(deps.db, id))) throw notFound(id);
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

/**
 * Every `intervalMs`, forgets Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS. Runs in this
 * instance until the returned stop is called.
 */
export function startKeyPruning(deps: Pick<PaymentsDeps, "db" | "logger">, intervalMs: number): () => Promise<void> {
  return startPeriodic(
    async () => {
      const pruned = await keys.pruneKeys(deps.db, IDEMPOTENCY_KEY_HOURS);
      if (pruned > 0) deps.logger.info({ pruned }, "old idempotency keys forgotten");
    },
    intervalMs,
    { onError: (error) => deps.logger.warn({ err: error }, "idempotency key pruning failed") },
  );
}

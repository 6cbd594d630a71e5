import { randomUUID } from "node:crypto";
import { brandOf } from "../domain/card";
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type DeclineCode,
  type PaymentProvider,
  ProviderError,
} from "./provider";

/** The well-known test cards (any other Luhn-valid number is authorized). */
export const TEST_CARDS = {
  succeeds: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  /** Answers only after `slowMs`: longer than the service waits (PAYMENTS_PROVIDER_TIMEOUT_MS). */
  slow: "4000000000000051",
} as const;

const DECLINES: Record<string, { code: DeclineCode; reason: string }> = {
  [TEST_CARDS.declined]: { code: "card_declined", reason: "The card was declined." },
  [TEST_CARDS.insufficientFunds]: { code: "insufficient_funds", reason: "The card has insufficient funds." },
};

/** An authorization as the test provider holds it (no card number: its last four digits only). */
export interface TestAuthorization {
  reference: string;
  merchantReference: string;
  amount: number;
  currency: string;
  brand: string;
  last4: string;
  status: "authorized" | "captured" | "voided";
  captured: number;
  refunded: number;
}

export interface TestProviderCall {
  operation: "authorize" | "capture" | "void" | "refund";
  idempotencyKey: string;
  /** The key was seen before: the first call's result was returned, nothing was done. */
  replayed: boolean;
}

export interface TestProvider extends PaymentProvider {
  /** Every call received, in order (tests count them). */
  readonly calls: TestProviderCall[];
  /** The authorization made for a payment (by its merchant reference), if any. */
  authorizationOf(merchantReference: string): TestAuthorization | undefined;
  /** Whether a technical cancel for this merchant reference was received. */
  cancelled(merchantReference: string): boolean;
}

/**
 * The built-in provider (`PAYMENTS_PROVIDER=test`): in-process, in memory, behaving like the
 * well-known test cards. Idempotent by key like a real one: the same key returns the first call's
 * result (even while that call is still running), so a retried authorization never authorizes twice.
 * Its memory goes with the process: a real provider keeps its keys.
 */
export function createTestProvider(options: { slowMs?: number } = {}): TestProvider {
  const slowMs = options.slowMs ?? 30_000;
  const calls: TestProviderCall[] = [];
  const results = new Map<string, Promise<unknown>>();
  const byReference = new Map<string, TestAuthorization>();
  const byMerchantReference = new Map<string, TestAuthorization>();
  /** Technical cancels received before (or without) an authorization for that merchant reference. */
  const cancels = new Set<string>();

  function once<T>(
    operation: TestProviderCall["operation"],
    idempotencyKey: string,
    run: () => Promise<T>,
  ): Promise<T> {
    const key = `${operation}:${idempotencyKey}`;
    const known = results.get(key);
    calls.push({ operation, idempotencyKey, replayed: known !== undefined });
    if (known) return known as Promise<T>;
    const result = run();
    results.set(key, result);
    // A stored failure is still the answer to that key; only its rejection is handled here.
    result.catch(() => {});
    return result;
  }

  const find = (operation: string, reference: string) => {
    const found = byReference.get(reference);
    if (!found) throw new ProviderError(operation, `No authorization ${reference} at the test provider.`);
    return found;
  };

  async function authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const number = request.card.number;
    const decline = DECLINES[number];
    if (decline) return { outcome: "declined", ...decline, reference: `test_decl_${randomUUID()}` };
    if (number === TEST_CARDS.slow) {
      await new Promise((resolve) => setTimeout(resolve, slowMs).unref());
    }
    const authorization: TestAuthorization = {
      reference: `test_auth_${randomUUID()}`,
      merchantReference: request.merchantReference,
      amount: request.amount,
      currency: request.currency,
      brand: brandOf(number),
      last4: number.slice(-4),
      // Cancelled while it was being made (the caller gave up waiting): released at once.
      status: cancels.has(request.merchantReference) ? "voided" : "authorized",
      captured: 0,
      refunded: 0,
    };
    byReference.set(authorization.reference, authorization);
    byMerchantReference.set(authorization.merchantReference, authorization);
    return { outcome: "authorized", reference: authorization.reference };
  }

  return {
    name: "test",
    calls,
    authorizationOf: (merchantReference) => byMerchantReference.get(merchantReference),
    cancelled: (merchantReference) => cancels.has(merchantReference),

    authorize: (request) => once("authorize", request.idempotencyKey, () => authorize(request)),

    capture: (request) =>
      once("capture", request.idempotencyKey, async () => {
        const a = find("capture", request.reference);
        if (a.status !== "authorized")
          throw new ProviderError("capture", `Authorization ${a.reference} is ${a.status}.`);
        if (request.amount > a.amount) {
          throw new ProviderError("capture", `Cannot capture ${request.amount} of ${a.amount} authorized.`);
        }
        a.status = "captured";
        a.captured = request.amount;
      }),

    void: (request) =>
      once("void", request.idempotencyKey, async () => {
        const a = request.reference
          ? find("void", request.reference)
          : byMerchantReference.get(request.merchantReference);
        if (!a) {
          cancels.add(request.merchantReference);
          return;
        }
        if (a.status === "captured") throw new ProviderError("void", `Authorization ${a.reference} was captured.`);
        a.status = "voided";
      }),

    refund: (request) =>
      once("refund", request.idempotencyKey, async () => {
        const a = find("refund", request.reference);
        if (a.status !== "captured") throw new ProviderError("refund", `Authorization ${a.reference} is ${a.status}.`);
        if (request.amount > a.captured - a.refunded) {
          throw new ProviderError("refund", `Cannot refund ${request.amount}: ${a.captured - a.refunded} is left.`);
        }
        a.refunded += request.amount;
        return { reference: `test_refund_${randomUUID()}` };
      }),
  };
}

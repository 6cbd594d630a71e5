import type { CardInput } from "../model/card";

/**
 * A payment provider (the card processor). Every call carries an idempotency key: the same key
 * again returns the first call's result and does nothing twice, so a call whose answer was lost can
 * be sent again safely. Amounts are integer minor units.
 */
export interface PaymentProvider {
  /** The provider's name, stored with each payment (`PAYMENTS_PROVIDER`). */
  readonly name: string;
  /** Places a hold of `amount` on the card. A refusal is an answer (`declined`), not an error. */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Takes (part of) an authorization's amount. */
  capture(request: { reference: string; amount: number; idempotencyKey: string }): Promise<void>;
  /**
   * Releases an authorization. `reference` when its answer came; without it, the provider cancels
   * whatever it authorized (or will authorize) under `merchantReference`: the technical cancel of an
   * authorization whose answer never arrived.
   */
  void(request: { reference?: string | null; merchantReference: string; idempotencyKey: string }): Promise<void>;
  /** Gives back (part of) what a capture took; answers the provider's reference of the refund. */
  refund(request: { reference: string; amount: number; idempotencyKey: string }): Promise<{ reference: string }>;
}

export interface AuthorizeRequest {
  /** Ours: the payment id, by which the provider can also find the authorization (see `void`). */
  merchantReference: string;
  amount: number;
  currency: string;
  card: CardInput;
  idempotencyKey: string;
}

/** Why a provider refused a card: the problem codes the API answers with (402). */
export type DeclineCode = "card_declined" | "insufficient_funds";

export type AuthorizeResult =
  | { outcome: "authorized"; reference: string }
  | { outcome: "declined"; code: DeclineCode; reason: string; reference: string | null };

/** The provider gave no answer within the time allowed; the outcome at the provider is unknown. */
export class ProviderTimeoutError extends Error {
  override name = "ProviderTimeoutError";
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`The payment provider did not answer the ${operation} within ${timeoutMs} ms.`);
  }
}

/** The provider refused a call for a reason other than the card (a bug, an outage, a mismatch). */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `call()` or ProviderTimeoutError after `timeoutMs`. The call itself goes on (a remote provider
 * cannot be stopped); what it did is settled by the idempotency key or by a void.
 */
export async function withTimeout<T>(operation: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeoutError(operation, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

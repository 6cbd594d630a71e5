import type { ErrorCodeOf, inventoryHttp, paymentsHttp } from "@comptoir/contracts/http";
import { fingerprint, Id, Nullable, type Static, Type } from "@comptoir/platform";
import {
  providerStepProblems,
  type SagaFailure,
  type StepProblem,
  type StepProblems,
  stepProblemOf,
} from "@comptoir/sagas";
import { AddressInput } from "./order";

/** A card as a checkout sends it (spaces allowed; the route takes them out before anything else sees it). */
export const CardInput = Type.Object(
  {
    number: Type.String({
      pattern: "^[0-9 ]{12,23}$",
      maxLength: 23,
      description: "test cards: see services/payments/README.md",
    }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
    cvc: Type.String({ pattern: "^[0-9]{3,4}$", maxLength: 4 }),
  },
  { additionalProperties: false },
);

/** `POST /api/orders/checkout`'s body. */
export const CheckoutRequest = Type.Object(
  {
    cartId: Id,
    /** A guest's e-mail (required without a customer token). */
    email: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    language: Type.Optional(Type.Union([Type.Literal("fr"), Type.Literal("en")])),
    /** Delivery to this address; exactly one of shippingAddress and pickupLocationId. */
    shippingAddress: Type.Optional(AddressInput),
    /** Click-and-collect: a store's location (kind `store` at inventory) to reserve at and pick up from (no fee). */
    pickupLocationId: Type.Optional(Id),
    payment: Type.Object({ method: Type.Literal("card"), card: CardInput }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type CheckoutRequest = Static<typeof CheckoutRequest>;

export const CheckoutStatus = Type.Union([Type.Literal("running"), Type.Literal("completed"), Type.Literal("failed")]);

/** A checkout: the record of one Idempotency-Key (per caller scope) and the order it makes. */
export const Checkout = Type.Object({
  id: Id,
  scope: Type.String(),
  /** What the request was, without its card (see `fingerprintOf`); null for a checkout made before migration 002. */
  fingerprint: Nullable(Type.String()),
  orderId: Id,
  status: CheckoutStatus,
  /** The problem document a failed checkout answered. */
  problem: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
export type Checkout = Static<typeof Checkout>;

/**
 * What a checkout request was, to tell a replay of its Idempotency-Key (same fingerprint) from another
 * request under the same key: the platform's fingerprint (canonical JSON, keys sorted) as an HMAC under
 * this database's own random key, of the body with the card reduced to its last four digits and expiry.
 * Never the card number nor the CVC (PCI DSS): a plain hash of them gives the number back by brute force
 * in seconds, and the key keeps the rest (e-mail, address, last digits) from being confirmed by guessing.
 */
export function fingerprintOf(key: Buffer, body: CheckoutRequest): string {
  const { number, expMonth, expYear } = body.payment.card;
  const withoutCard = {
    ...body,
    payment: { ...body.payment, card: { last4: number.replace(/[^0-9]/g, "").slice(-4), expMonth, expYear } },
  };
  return fingerprint(withoutCard, key);
}

/**
 * The codes a checkout's steps may fail with: the providers' own (typed by their contracts, so a code
 * renamed there no longer compiles here) and the saga's.
 */
type StepCode =
  | ErrorCodeOf<typeof paymentsHttp.createPayment>
  | ErrorCodeOf<typeof inventoryHttp.reserve>
  | ErrorCodeOf<typeof inventoryHttp.commitReservation>
  | "payment_failed"
  | "reservation_expired"
  | "checkout_interrupted"
  | "no_answer";

const NOTHING_HELD = "Nothing was charged and no stock is held.";
const expired = (): StepProblem => ({
  status: 409,
  code: "checkout_expired",
  title: "Conflict",
  detail: "The stock held for this checkout was released before it could finish; nothing was charged.",
});

/** Orders' public problem for each step failure (its code is the step's unless it names another). */
const PROBLEMS: StepProblems<StepCode> = {
  ...providerStepProblems({
    declined: NOTHING_HELD,
    providerFailed: "Nothing was charged and no stock is held; please try again.",
    outOfStock: "Some items are not available in the quantity asked for.",
    noAnswer: (message) => `The checkout could not be completed: ${message}. ${NOTHING_HELD}`,
  }),
  reservation_expired: expired,
  reservation_not_active: expired,
  checkout_interrupted: (f) => ({ status: 409, title: "Conflict", detail: f.message }),
};

/** The problem document a failed checkout answers (and answers again to a replay of its key). */
export function problemOf(failure: SagaFailure | null, reason: string): Record<string, unknown> {
  return (
    (failure && stepProblemOf(failure, PROBLEMS)) ?? {
      status: 409,
      code: "checkout_failed",
      title: "Conflict",
      detail: `The checkout could not be completed (${reason}). ${NOTHING_HELD}`,
    }
  );
}

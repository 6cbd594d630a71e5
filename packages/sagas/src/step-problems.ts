import type { ErrorCodeOf, inventoryHttp, paymentsHttp } from "@comptoir/contracts/http";
import type { SagaFailure } from "./sagas.repo";

/** A problem document a failed saga answers with; without a `code`, the failure's own code is used. */
export type StepProblem = { status: number; code?: string; title: string; detail: string } & Record<string, unknown>;

/** A caller's public problem for each step failure code it answers in its own words. */
export type StepProblems<C extends string = string> = {
  [code in C]?: (failure: Pick<SagaFailure, "step" | "message" | "details">) => StepProblem;
};

/**
 * The step failures of a saga over inventory's reservations and payments' card payments: the
 * providers' codes (typed by their contracts, so a code renamed there no longer compiles here), a
 * payment found failed (`payment_failed`) and no answer after the last attempt (`no_answer`).
 */
export type ProviderStepCode =
  | Extract<ErrorCodeOf<typeof inventoryHttp.reserve>, "insufficient_stock">
  | Extract<
      ErrorCodeOf<typeof paymentsHttp.createPayment>,
      "card_declined" | "insufficient_funds" | "invalid_card" | "payment_provider_timeout" | "payment_provider_error"
    >
  | "payment_failed"
  | "no_answer";

/** The caller's own words in the problems of `providerStepProblems`. */
export interface StepProblemWording {
  /** Said after why the card was refused (402): what the failure left, e.g. "Nothing was charged." */
  declined: string;
  /** Said after why the payment provider failed (503). */
  providerFailed: string;
  /** The detail of a 409 insufficient_stock (its `short` lines come from inventory's refusal). */
  outOfStock: string;
  /** The detail of a 503 dependency_unavailable, given the step's message. */
  noAnswer: (message: string) => string;
}

/**
 * The same answer for the same failure in every service that reserves stock and takes cards: 409
 * insufficient_stock with inventory's `short` lines, 402 for a refused card, 400 invalid_card with
 * its field errors, 503 when the payment provider failed (try again) and 503 dependency_unavailable
 * naming the step that got no answer. Each caller adds its own codes to the table.
 */
export function providerStepProblems(wording: StepProblemWording): Required<StepProblems<ProviderStepCode>> {
  const declined = (why: string): StepProblem => ({
    status: 402,
    title: "Payment declined",
    detail: `${why} ${wording.declined}`,
  });
  const retry = (why: string): StepProblem => ({
    status: 503,
    title: "Service unavailable",
    detail: `${why} ${wording.providerFailed}`,
  });
  return {
    insufficient_stock: (f) => ({
      status: 409,
      title: "Out of stock",
      detail: wording.outOfStock,
      short: f.details?.short ?? [],
    }),
    card_declined: () => declined("The card was declined."),
    insufficient_funds: () => declined("The card has insufficient funds."),
    payment_failed: () => declined("The payment was refused."),
    invalid_card: (f) => ({
      status: 400,
      title: "Invalid request",
      detail: "The card details are not valid.",
      ...(f.details?.errors ? { errors: f.details.errors } : {}),
    }),
    payment_provider_timeout: () => retry("The payment provider did not answer in time."),
    payment_provider_error: () => retry("The payment provider failed."),
    no_answer: (f) => ({
      status: 503,
      code: "dependency_unavailable",
      title: "Service unavailable",
      detail: wording.noAnswer(f.message),
      step: f.step,
    }),
  };
}

/** The problem document `problems` answers `failure` with (the failure's code unless it names another); undefined when it has none. */
export function stepProblemOf(
  failure: Pick<SagaFailure, "step" | "code" | "message" | "details">,
  problems: StepProblems,
): Record<string, unknown> | undefined {
  const toProblem = problems[failure.code];
  if (!toProblem) return undefined;
  const { status, code = failure.code, title, ...rest } = toProblem(failure);
  return { status, code, title, ...rest };
}

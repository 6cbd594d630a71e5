import type { Endpoint, ErrorCodeOf } from "@comptoir/contracts/http";
import { ignoring, type ServiceResponse, ServiceProblem } from "@comptoir/platform";
import { StepRefused } from "./saga-runner";

interface Problem {
  code?: string;
  detail?: string;
  [member: string]: unknown;
}

/**
 * A saga step's reading of another service's answer. A 4xx is the callee's considered "no" (it
 * changed nothing): the step is refused, with the problem's code, detail and extension members
 * (e.g. `short` lines) kept as the refusal's details. A 5xx, a timeout or no connection never get
 * here: the service client throws them as UnavailableError, which the runner takes as "no answer".
 */
export function stepRefusal(target: string, what: string, res: ServiceResponse<unknown>): StepRefused {
  const problem = (typeof res.body === "object" && res.body ? res.body : {}) as Problem;
  const { type: _type, title: _title, status: _status, instance: _instance, code, detail, ...rest } = problem;
  const short = Array.isArray(rest.short)
    ? ` (${(rest.short as { variantId: string; requested: number; available: number }[])
        .map((s) => `${s.variantId}: ${s.available} of ${s.requested} available`)
        .join(", ")})`
    : "";
  return new StepRefused(
    `${what} refused by ${target}: ${detail ?? `status ${res.status}`}${short}`,
    code ?? `http_${res.status}`,
    { status: res.status, ...rest },
  );
}

/** The body of a 2xx answer; a refusal (StepRefused) otherwise. */
export function expectStepOk<T>(target: string, what: string, res: ServiceResponse<T>): T {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw stepRefusal(target, what, res);
}

/**
 * A typed call as a saga step: the provider's refusal (platform's ServiceProblem, with its code and
 * extension members) becomes the step's refusal; no answer (UnavailableError) passes as it is.
 */
export async function asStep<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ServiceProblem) throw stepRefusal(error.target, what, error.response);
    throw error;
  }
}

/**
 * A step that brings something to a final state the provider may already be in (releasing a
 * reservation that was already released, expired or consumed): `asStep`, except that a refusal with
 * one of the `alreadyDone` codes means there is nothing left to do, so the step succeeds.
 */
export async function settleStep<E extends Endpoint>(
  what: string,
  endpoint: E,
  call: Promise<unknown>,
  ...alreadyDone: ErrorCodeOf<E>[]
): Promise<void> {
  await asStep(what, call.catch(ignoring(endpoint, ...alreadyDone)));
}

import {
  type BodyOf,
  type Endpoint,
  type ErrorCodeOf,
  type ParamsOf,
  pathOf,
  type QueryOf,
  type ResultOf,
} from "@comptoir/contracts/http";
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { UnavailableError } from "../errors/app-error";
import type { ServiceClient, ServiceRequest, ServiceResponse } from "./service-client";

/**
 * A provider's considered "no" (a 4xx, or a 5xx the call names as an answer): its problem's code,
 * typed by the endpoint's contract, with the status, the detail and the whole problem document
 * (its extension members, e.g. the short lines of insufficient_stock).
 */
export class ServiceProblem<Code extends string = string> extends Error {
  override name = "ServiceProblem";
  constructor(
    readonly target: string,
    readonly status: number,
    /** The problem's `code`; `http_<status>` when the answer was no problem document. */
    readonly code: Code | `http_${number}`,
    readonly detail: string | undefined,
    readonly problem: Readonly<Record<string, unknown>>,
    /** The answer as received (for a saga's `stepRefusal`). */
    readonly response: ServiceResponse<unknown>,
  ) {
    super(`${target} answered ${status} ${code}${detail ? `: ${detail}` : ""}`);
  }

  /** Whether this is the provider's answer `code` (narrows the code's type). */
  is<C extends Code>(...codes: C[]): this is ServiceProblem<C> {
    return (codes as string[]).includes(this.code);
  }
}

/** A success answer its contract does not allow: the provider drifted from it (checked under tests). */
export class ContractViolation extends Error {
  override name = "ContractViolation";
}

type HasSchema<S> = S extends TSchema ? true : false;

/** What a call gives: the path's params, the query, the body (each when the endpoint has one) and call options. */
export type CallInput<E extends Endpoint> = (HasSchema<E["params"]> extends true ? { params: ParamsOf<E> } : unknown) &
  (HasSchema<E["query"]> extends true ? { query?: QueryOf<E> } : unknown) &
  (HasSchema<E["body"]> extends true ? { body: BodyOf<E> } : unknown) & {
    headers?: Record<string, string>;
    /** Makes a POST safe to retry; sent as Idempotency-Key. */
    idempotencyKey?: string;
    /** 5xx statuses that are the provider's answer for this call (see ServiceRequest.answerStatuses). */
    answerStatuses?: number[];
  };

/** The input may be left out when none of its members is required. */
type Args<E extends Endpoint> =
  Partial<CallInput<E>> extends CallInput<E> ? [input?: CallInput<E>] : [input: CallInput<E>];

/** The typed functions of `defineClient`, one per endpoint. */
export type EndpointClient<Es extends Record<string, Endpoint>> = {
  [K in keyof Es]: (...args: Args<Es[K]>) => Promise<ResultOf<Es[K]>>;
};

const checkers = new WeakMap<TSchema, ReturnType<typeof Compile>>();
function checkerOf(schema: TSchema) {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = Compile(schema);
    checkers.set(schema, checker);
  }
  return checker;
}

/**
 * Calls one endpoint through `client` (its timeouts, retries, circuits and service token): the
 * success body typed by the contract, or a ServiceProblem carrying the provider's code. A call is
 * retried only when the endpoint is idempotent (GET, PUT, DELETE, a POST the contract marks so, or
 * a call with a key); an outage is the client's UnavailableError.
 */
export async function callEndpoint<E extends Endpoint>(
  client: ServiceClient,
  endpoint: E,
  ...[input]: Args<E>
): Promise<ResultOf<E>> {
  const parts = (input ?? {}) as {
    params?: Record<string, unknown>;
    query?: ServiceRequest["query"];
    body?: unknown;
    headers?: Record<string, string>;
    idempotencyKey?: string;
    answerStatuses?: number[];
  };
  const res = await client.request({
    method: endpoint.method,
    path: pathOf(endpoint.path, parts.params),
    ...(parts.query ? { query: parts.query } : {}),
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...(parts.headers ? { headers: parts.headers } : {}),
    ...(parts.idempotencyKey ? { idempotencyKey: parts.idempotencyKey } : {}),
    ...(endpoint.idempotent ? { idempotent: true } : {}),
    ...(parts.answerStatuses ? { answerStatuses: parts.answerStatuses } : {}),
  });
  if (res.status < 200 || res.status >= 300) throw problemOf(client.target, res) as ServiceProblem<ErrorCodeOf<E>>;
  const schema = endpoint.responses[res.status];
  const body = res.status === 204 ? null : res.body;
  if (client.checkAnswers) {
    const where = `${client.target}'s ${endpoint.method} ${endpoint.path} answered ${res.status}`;
    if (!schema) throw new ContractViolation(`${where}, a status its contract does not list`);
    const checker = checkerOf(schema);
    if (!checker.Check(body)) {
      const first = [...checker.Errors(body)].slice(0, 3);
      const detail = first.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
      throw new ContractViolation(`${where} with a body its contract does not allow: ${detail}`);
    }
  }
  return body as ResultOf<E>;
}

/** One typed function per endpoint of `endpoints`, all called through `client`. */
export function defineClient<const Es extends Record<string, Endpoint>>(
  client: ServiceClient,
  endpoints: Es,
): EndpointClient<Es> {
  return Object.fromEntries(
    Object.entries(endpoints).map(([name, endpoint]) => [
      name,
      (...args: Args<Endpoint>) => callEndpoint(client, endpoint, ...args),
    ]),
  ) as unknown as EndpointClient<Es>;
}

/** Whether `error` is `endpoint`'s problem with one of `codes` (checked against the endpoint's list). */
export function isProblemOf<E extends Endpoint, C extends ErrorCodeOf<E>>(
  error: unknown,
  _endpoint: E,
  ...codes: C[]
): error is ServiceProblem<C> {
  return error instanceof ServiceProblem && (codes as string[]).includes(error.code);
}

/**
 * A `.catch` handler for answers that are not failures to this caller (e.g. releasing a reservation
 * already settled): those become `undefined`, anything else is thrown again.
 */
export function ignoring<E extends Endpoint>(endpoint: E, ...codes: ErrorCodeOf<E>[]) {
  return (error: unknown): undefined => {
    if (isProblemOf(error, endpoint, ...codes)) return undefined;
    throw error;
  };
}

/**
 * For a call the caller cannot do without and whose refusal it cannot explain to its own caller
 * (its own token refused, say): the provider's problem becomes a 503 naming the dependency.
 * Anything else is returned as it is, to be thrown.
 */
export function asUnavailable(error: unknown, what: string): unknown {
  if (!(error instanceof ServiceProblem)) return error;
  return new UnavailableError(
    `The ${error.target} service could not ${what} (status ${error.status}, ${error.code}).`,
    { retryAfterSeconds: 1, extensions: { dependency: error.target }, cause: error },
  );
}

/** A batch lookup by ids (`?ids=a,b,…`): the distinct ids in batches of at most `size`, one after the other. */
export async function lookupInBatches<T>(
  ids: readonly string[],
  size: number,
  lookup: (batch: string[]) => Promise<{ data: T[] }>,
): Promise<T[]> {
  const unique = [...new Set(ids)];
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += size) found.push(...(await lookup(unique.slice(i, i + size))).data);
  return found;
}

function problemOf(target: string, res: ServiceResponse<unknown>): ServiceProblem {
  const problem = typeof res.body === "object" && res.body !== null ? (res.body as Record<string, unknown>) : {};
  const code = typeof problem.code === "string" ? problem.code : (`http_${res.status}` as const);
  const detail = typeof problem.detail === "string" ? problem.detail : undefined;
  return new ServiceProblem(target, res.status, code, detail, problem, res);
}

import type { Static, TSchema } from "typebox";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Codes any route may answer whatever its own: a request its schema refuses, a missing or refused
 * token, a missing permission (platform's error plugin and auth hooks).
 */
export const COMMON_ERRORS = ["validation_failed", "unauthorized", "invalid_token", "forbidden"] as const;
export type CommonError = (typeof COMMON_ERRORS)[number];

/**
 * One endpoint a service offers to the others: the provider registers its route with these
 * schemas, callers make typed calls from it (platform's `callEndpoint`/`defineClient`).
 */
export interface Endpoint {
  method: HttpMethod;
  /** Fastify's template: `/api/inventory/reservations/:id/commit`. */
  path: string;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** The schema of each success status (the problem statuses are the route's own `problemResponses`). */
  responses: Readonly<Record<number, TSchema>>;
  /** Every `code` a problem from this endpoint may carry, the common ones included. */
  errors: readonly string[];
  /** A POST that may be sent again with no second effect (besides GET, PUT, DELETE, or a call with a key). */
  idempotent?: boolean;
}

type DeclaredErrors<E> = E extends { errors: readonly (infer C)[] } ? C : never;

/** An endpoint kept with its literal types (its codes as a union); adds COMMON_ERRORS to its codes. */
export function endpoint<const E extends Omit<Endpoint, "errors"> & { errors?: readonly string[] }>(
  definition: E,
): Omit<E, "errors"> & { errors: readonly (CommonError | DeclaredErrors<E>)[] } {
  return { ...definition, errors: [...COMMON_ERRORS, ...(definition.errors ?? [])] } as never;
}

/** Distributes over a union of schemas (an endpoint's success answers). */
type StaticOf<S> = S extends TSchema ? Static<S> : undefined;

export type ParamsOf<E extends Endpoint> = StaticOf<E["params"]>;
/** Members with a default may be left out by a caller; TypeBox's types do not tell them apart, so all may. */
export type QueryOf<E extends Endpoint> = E["query"] extends TSchema ? Partial<Static<E["query"]>> : undefined;
export type BodyOf<E extends Endpoint> = StaticOf<E["body"]>;
/** What a success answers (any of its success statuses). */
export type ResultOf<E extends Endpoint> = StaticOf<E["responses"][keyof E["responses"]]>;
/** The codes a problem from this endpoint may carry. */
export type ErrorCodeOf<E extends Endpoint> = E["errors"][number];

/** `/api/x/:id` with `{ id }` → `/api/x/<id>` (each value URI-encoded). */
export function pathOf(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`${template}: no value for :${name}`);
    return encodeURIComponent(String(value));
  });
}

/** One field's problem in a request, as listed in a problem's `errors`. */
export interface FieldError {
  /** Where the value was: body, querystring, params or headers. */
  in: string;
  /** The field's path inside that part, dot-separated (e.g. `items.0.quantity`); empty for the whole part. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** Extra members for the problem document (e.g. the short lines of an out-of-stock conflict). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error the API means to return: a stable `code`, an HTTP status and a human title. Rendered as
 * `application/problem+json` (RFC 9457) by the error plugin. Anything else thrown is a 500 whose
 * details stay in the logs.
 */
export class AppError extends Error {
  override name = "AppError";
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? title, options.cause === undefined ? undefined : { cause: options.cause });
    this.detail = options.detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

export class InvalidError extends AppError {
  constructor(code: string, detail: string, options: Omit<AppErrorOptions, "detail"> = {}) {
    super(code, 400, "Invalid request", { ...options, detail });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = "Authentication is required.", code = "unauthorized") {
    super(code, 401, "Unauthorized", { detail });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = "You are not allowed to do this.", code = "forbidden") {
    super(code, 403, "Forbidden", { detail });
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, detail: string) {
    super(code, 404, "Not found", { detail });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string, options: Omit<AppErrorOptions, "detail"> = {}) {
    super(code, 409, "Conflict", { ...options, detail });
  }
}

export class UnavailableError extends AppError {
  constructor(detail: string, options: Omit<AppErrorOptions, "detail"> & { retryAfterSeconds?: number } = {}) {
    const headers = options.retryAfterSeconds
      ? { ...options.headers, "retry-after": String(options.retryAfterSeconds) }
      : options.headers;
    super("service_unavailable", 503, "Service unavailable", { ...options, detail, headers });
  }
}

/**
 * The AppError that answers a problem document again (e.g. the one a failed saga recorded, answered
 * to each replay of its key): its status, code, title, detail, field errors and extension members.
 */
export function problemError(problem: Record<string, unknown>): AppError {
  const { status, code, title, detail, errors, ...extensions } = problem;
  return new AppError(String(code), Number(status), String(title), {
    detail: detail as string | undefined,
    errors: errors as FieldError[] | undefined,
    extensions,
  });
}

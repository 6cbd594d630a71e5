import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import { DatabaseUnavailableError } from "../db/pool";
import { AppError, type FieldError } from "../errors/app-error";

export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";
const PROBLEM_BASE = "https://comptoir.dev/problems/";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const GENERIC: Record<number, { code: string; title: string }> = {
  400: { code: "bad_request", title: "Bad request" },
  401: { code: "unauthorized", title: "Unauthorized" },
  403: { code: "forbidden", title: "Forbidden" },
  404: { code: "not_found", title: "Not found" },
  405: { code: "method_not_allowed", title: "Method not allowed" },
  406: { code: "not_acceptable", title: "Not acceptable" },
  408: { code: "request_timeout", title: "Request timeout" },
  409: { code: "conflict", title: "Conflict" },
  413: { code: "payload_too_large", title: "Payload too large" },
  414: { code: "uri_too_long", title: "URI too long" },
  415: { code: "unsupported_media_type", title: "Unsupported media type" },
  422: { code: "unprocessable_content", title: "Unprocessable content" },
  429: { code: "rate_limited", title: "Too many requests" },
  431: { code: "request_header_fields_too_large", title: "Request header fields too large" },
  500: { code: "internal_error", title: "Internal server error" },
  502: { code: "bad_gateway", title: "Bad gateway" },
  503: { code: "service_unavailable", title: "Service unavailable" },
  504: { code: "gateway_timeout", title: "Gateway timeout" },
};

export function genericProblem(status: number): { code: string; title: string } {
  return GENERIC[status] ?? (status >= 500 ? GENERIC[500]! : GENERIC[400]!);
}

export function problemTypeUri(code: string): string {
  return PROBLEM_BASE + code.replaceAll("_", "-").replaceAll(".", "/");
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Fastify's schema validation errors become one entry per field. */
export function fieldErrors(validation: AjvError[], part: string): FieldError[] {
  return validation.map((e) => {
    const path = e.instancePath.split("/").filter(Boolean);
    let message = e.message ?? "is invalid";
    if (e.keyword === "required") path.push(String(e.params.missingProperty));
    if (e.keyword === "required") message = "is required";
    if (e.keyword === "additionalProperties") {
      path.push(String(e.params.additionalProperty));
      message = "is not an allowed property";
    }
    return { in: part, field: path.join("."), message };
  });
}

/** The problem document an error is answered with (the error plugin's rendering; idempotency stores it). */
export function toProblem(error: FastifyError | AppError | Error, request: FastifyRequest): Problem {
  const base = { instance: request.url, requestId: request.id };
  if (error instanceof AppError) {
    return {
      type: problemTypeUri(error.code),
      title: error.title,
      status: error.status,
      ...(error.detail ? { detail: error.detail } : {}),
      ...base,
      code: error.code,
      ...(error.errors ? { errors: error.errors } : {}),
      ...error.extensions,
    };
  }
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError.validation as AjvError[], fastifyError.validationContext ?? "body");
    return {
      type: problemTypeUri("validation_failed"),
      title: "Invalid request",
      status: 400,
      detail: `The request is not valid: ${errors.map((e) => `${e.field || e.in} ${e.message}`).join("; ")}.`,
      ...base,
      code: "validation_failed",
      errors,
    };
  }
  if (isUnstorableText(error)) {
    return {
      type: problemTypeUri("invalid_text"),
      title: "Invalid request",
      status: 400,
      detail: "The request holds text that cannot be stored: a NUL character (U+0000).",
      ...base,
      code: "invalid_text",
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      type: problemTypeUri("service_unavailable"),
      title: "Service unavailable",
      status: 503,
      detail: "The service cannot reach its database right now; try again shortly.",
      ...base,
      code: "service_unavailable",
    };
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const generic = genericProblem(status);
    return {
      type: problemTypeUri(generic.code),
      title: generic.title,
      status,
      detail: fastifyError.message,
      ...base,
      code: generic.code,
    };
  }
  const generic = genericProblem(status && status >= 500 ? status : 500);
  return {
    type: problemTypeUri(generic.code),
    title: generic.title,
    status: status && status >= 500 ? status : 500,
    detail: "An unexpected error occurred. It has been logged with this request's id.",
    ...base,
    code: generic.code,
  };
}

/**
 * PostgreSQL refuses a NUL character in text (22021) and in JSON (22P05): valid JSON and a valid
 * string for the schemas, but not storable — the client's input, not our bug.
 */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "22021" || code === "22P05";
}

const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * The database went away mid-request (server restarting or full, network cut, pool timeout, admin shutdown):
 * the client gets a 503 to retry, not a 500 that suggests a bug.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as { code?: string; message?: string };
  if (
    e.code &&
    (CONNECTION_ERRORS.has(e.code) ||
      e.code.startsWith("08") ||
      e.code === "57P01" ||
      e.code === "57P03" ||
      // too_many_connections: the server is full for now.
      e.code === "53300")
  ) {
    return true;
  }
  return /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error)/.test(
    e.message ?? "",
  );
}

export function sendProblem(reply: FastifyReply, problem: Problem, headers?: Record<string, string>): FastifyReply {
  if (headers) reply.headers(headers);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem);
}

/**
 * Every error leaves as problem+json. 4xx are the client's and logged at info; 5xx are ours,
 * logged with the stack at error, and their internals never reach the client.
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status === 503 && !(error instanceof AppError)) reply.header("retry-after", "1");
    // A database outage fails every request at once: one line each, without a stack to write.
    if (problem.status === 503 && isDatabaseUnavailable(error)) {
      request.log.warn({ reason: (error as Error).message }, "request failed: database unavailable");
    } else if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code: problem.code, status: problem.status }, "request rejected");
    return sendProblem(reply, problem, error instanceof AppError ? error.headers : undefined);
  });
  app.setNotFoundHandler((request, reply) => {
    return sendProblem(reply, {
      type: problemTypeUri("route_not_found"),
      title: "Not found",
      status: 404,
      detail: `No route for ${request.method} ${request.url.split("?")[0]}.`,
      instance: request.url,
      requestId: request.id,
      code: "route_not_found",
    });
  });
}

/**
 * Errors Fastify's router raises before any hook runs (a path parameter longer than the router
 * takes: 414; an undecodable path: 400) — problem+json too, not Fastify's own JSON without a code.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(error, request);
  request.log.info({ code: problem.code, status: problem.status }, "request rejected");
  sendProblem(reply, problem);
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers or URL too large: 431; a
 * malformed request: 400; too slow: 408): a problem+json answer written on the socket, which closes.
 */
export function writeClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const generic = genericProblem(status);
  const body = JSON.stringify({
    type: problemTypeUri(generic.code),
    title: generic.title,
    status,
    detail: status === 431 ? "The request's headers (or its URL) are too large." : "The request could not be read.",
    code: generic.code,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The problem document, for routes' response schemas (OpenAPI); rendering does not depend on it. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: "uri" }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: "stable, machine-readable error code" }),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ in: Type.String(), field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: "RFC 9457 problem details" },
);

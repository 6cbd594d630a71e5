import { GATEWAY_PROOF_HEADERS } from "@comptoir/contracts";
import { ProblemSchema } from "./problem";

/**
 * What every service's OpenAPI document says beyond its routes' own schemas, written once here
 * (`npm run lint:openapi` checks the documents with Spectral's OpenAPI and OWASP rules): who runs
 * the API and under which licence, where it is served, how callers authenticate, and the answers
 * any operation may give whatever its route says — 401 for a bad token (installAuth), 400 for an
 * invalid input, 500, and through the gateway 429 with its RateLimit-* headers. Nothing here
 * changes how a request is handled: the route schemas used for validation are left as they are.
 */

/**
 * The longest value of one path parameter (`:id`): a longer one is refused with 414 URI Too Long
 * before any route runs. Fastify's default, written down so that the document can state it.
 */
export const MAX_PATH_PARAM_LENGTH = 100;

const PROBLEM_JSON = "application/problem+json";
const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };
const HEADER_REF = (name: string) => ({ $ref: `#/components/headers/${name}` });
const RESPONSE_REF = (name: string) => ({ $ref: `#/components/responses/${name}` });
/** What the gateway adds to the answers of the operations it routes: its rate limit's state, and CORS. */
const GATEWAY_HEADERS = [
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "RateLimit-Policy",
  "Access-Control-Allow-Origin",
];
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const INT32 = 2 ** 31;

export const OPENAPI_SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "An access token from identity (POST /api/identity/login; a service obtains its own from identity " +
      "with its credential): a JWT checked as RFC8725 recommends — signed with EdDSA " +
      "only (`alg: none` and HMAC tokens are refused), issuer, audience and expiry verified — short-lived " +
      "(15 minutes by default) and refused once identity revokes it. The names an operation lists are " +
      "the permissions its token must hold; under /admin/ the gateway also requires events:admin.",
  },
  gatewayProof: {
    type: "apiKey",
    in: "header",
    name: GATEWAY_PROOF_HEADERS.proof,
    description:
      `Sent by the gateway alone: an HMAC-SHA256, keyed with the gateway's service credential, of the ` +
      `request's method, target, request id, client address and ${GATEWAY_PROOF_HEADERS.time}. The ` +
      "gateway drops every x-comptoir-* header a client sends.",
  },
};

const COMPONENT_HEADERS: Record<string, unknown> = {
  "RateLimit-Limit": {
    description: "Requests allowed in the current window (set by the gateway when it rate-limits the request)",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: INT32 - 1 },
  },
  "RateLimit-Remaining": {
    description: "Requests left in the current window",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: INT32 - 1 },
  },
  "RateLimit-Reset": {
    description: "Seconds until the window ends",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: INT32 - 1 },
  },
  "RateLimit-Policy": {
    description: "The budget that applies, `<limit>;w=<window in seconds>`",
    schema: { type: "string", maxLength: 64, pattern: "^[0-9]+;w=[0-9]+$" },
  },
  "Access-Control-Allow-Origin": {
    description:
      "Set by the gateway when the request's Origin is one of CORS_ORIGINS (none by default: same origin only)",
    schema: { type: "string", maxLength: 2048 },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: INT32 - 1 },
  },
};

const problem = (description: string) => ({ description, content: { [PROBLEM_JSON]: { schema: PROBLEM_REF } } });

/** The answers any operation may give, whatever its route says. */
const COMMON_RESPONSES = {
  BadRequest: problem("The request is not valid (`validation_failed`, one entry per field in `errors`)"),
  Unauthorized: problem("The bearer token is missing, invalid, expired or revoked (`invalid_token`, `unauthorized`)"),
  TooManyRequests: problem("The gateway's rate limit is spent (`rate_limited`); try again after Retry-After"),
  InternalError: problem("An unexpected error; its details are logged with the request id, never sent"),
};

interface RouteLike {
  method: string | string[];
  onRequest?: unknown;
  preValidation?: unknown;
  preHandler?: unknown;
}

type RouteSchema = Record<string, unknown> & { hide?: boolean; operationId?: string; security?: unknown };

/** `internal` or `admin` for `/api/<service>/internal/…` or `/admin/…`, as the gateway reads a path (request-target.ts). */
const sectionOf = (url: string) => url.split("/").filter(Boolean)[2];
/** An operation for other services only: the gateway never routes it. */
const isInternal = (url: string) => sectionOf(url) === "internal";
/** The gateway lets a request to `/api/<service>/admin/…` through only with this permission (proxy.routes.ts). */
const GATEWAY_ADMIN_PERMISSION = "events:admin";
const isAdmin = (url: string) => sectionOf(url) === "admin";

/** The permissions named by a route's guards (requirePermission tags the hooks it returns). */
function guardPermissions(route: RouteLike): string[] {
  const hooks = [route.onRequest, route.preValidation, route.preHandler].flat();
  const permissions = hooks.flatMap((hook) =>
    typeof hook === "function" && Array.isArray((hook as { permissions?: unknown }).permissions)
      ? ((hook as unknown as { permissions: string[] }).permissions as string[])
      : [],
  );
  return [...new Set(permissions)];
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");

/** `GET /api/catalog/products/:id/variants` → `getProductsByIdVariants` (the service's prefix left out). */
export function operationIdOf(method: string, url: string): string {
  let segments = url.split("/").filter(Boolean);
  if (segments[0] === "api") segments = segments.slice(2);
  const words = segments.map((segment) => {
    if (segment === "*") return "Path";
    if (segment.startsWith(":")) return `By${pascal(segment.slice(1))}`;
    return pascal(segment);
  });
  return method.toLowerCase() + (words.join("") || "Root");
}

/**
 * @fastify/swagger's `transform`, per route: an operationId from its method and URL (unless it has
 * one), the permissions its guards require (and the gateway's for /admin/) in its bearerAuth
 * requirement (OpenAPI 3.1 lets a requirement name roles for any scheme), and `x-internal: true`
 * on internal operations.
 */
export function transformRoute({ schema, url, route }: { schema: unknown; url: string; route: RouteLike }): {
  schema?: RouteSchema;
} {
  const own = schema as RouteSchema | undefined;
  if (!own || own.hide) return {};
  const extra: Record<string, unknown> = {};
  if (!own.operationId && typeof route.method === "string") extra.operationId = operationIdOf(route.method, url);
  const permissions = guardPermissions(route);
  if (isAdmin(url) && !permissions.includes(GATEWAY_ADMIN_PERMISSION)) permissions.push(GATEWAY_ADMIN_PERMISSION);
  if (permissions.length > 0 && Array.isArray(own.security)) {
    extra.security = (own.security as Record<string, string[]>[]).map((requirement) =>
      requirement.bearerAuth?.length === 0 ? { ...requirement, bearerAuth: permissions } : requirement,
    );
  }
  if (isInternal(url)) extra["x-internal"] = true;
  return { schema: { ...own, ...extra } };
}

type Json = Record<string, unknown>;
type Operation = Json & { parameters?: Json[]; responses?: Record<string, Json>; requestBody?: unknown };

/** A bounded integer also says which of int32 and int64 holds it (from its own minimum and maximum). */
function addIntegerFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addIntegerFormats(item);
    return;
  }
  if (!node || typeof node !== "object") return;
  const schema = node as Json;
  if (schema.type === "integer" && schema.format === undefined) {
    const { minimum, maximum } = schema;
    if (typeof minimum === "number" && typeof maximum === "number") {
      if (minimum >= -INT32 && maximum < INT32) schema.format = "int32";
      else if (Number.isSafeInteger(minimum) && Number.isSafeInteger(maximum)) schema.format = "int64";
    }
  }
  for (const value of Object.values(schema)) addIntegerFormats(value);
}

/** A path parameter's string is no longer than the router lets it be. */
function boundPathParameter(parameter: Json): void {
  const schema = parameter.schema as Json | undefined;
  if (parameter.in !== "path" || !schema || schema.type !== "string") return;
  if (schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) {
    schema.maxLength = MAX_PATH_PARAM_LENGTH;
  }
}

/**
 * @fastify/swagger's `transformObject`, over the whole document: the shared responses, the
 * rate-limit headers of every operation the gateway routes, integer formats, path parameters'
 * bounds, a wildcard's name, the tags list, and operationIds made unique.
 */
export function completeDocument({ openapiObject }: { openapiObject: unknown }): unknown {
  const document = openapiObject as Json & { paths?: Record<string, Json>; components?: Json };
  const paths = document.paths ?? {};
  const operations: [string, Operation][] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (METHODS.has(method)) operations.push([path, operation as Operation]);
    }
  }
  if (operations.length === 0) return document;

  // `/images/*` is documented as `{*}`, which is not a parameter name; call it `path`. The router
  // does not bound a wildcard: its route's schema must.
  const wildcards = new Set<Json>();
  for (const path of Object.keys(paths)) {
    if (!path.includes("{*}")) continue;
    for (const operation of Object.values(paths[path]!) as Operation[]) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === "path" && parameter.name === "*") {
          wildcards.add(parameter);
          parameter.name = "path";
          parameter.description ??= "the rest of the path, slashes included";
        }
      }
    }
    paths[path.replaceAll("{*}", "{path}")] = paths[path]!;
    delete paths[path];
  }

  const tags = new Set<string>();
  const operationIds = new Set<string>();
  for (const [path, operation] of operations) {
    for (const tag of (operation.tags as string[] | undefined) ?? []) tags.add(tag);
    for (const parameter of operation.parameters ?? []) if (!wildcards.has(parameter)) boundPathParameter(parameter);
    if (typeof operation.operationId === "string") {
      let id = operation.operationId;
      for (let n = 2; operationIds.has(id); n++) id = `${operation.operationId}${n}`;
      operation.operationId = id;
      operationIds.add(id);
    }

    // An internal operation refers to the shared answers; one the gateway routes gets its own copies,
    // with the headers the gateway adds.
    const routed = operation["x-internal"] !== true && !isInternal(path);
    const common = (name: keyof typeof COMMON_RESPONSES) =>
      routed ? structuredClone(COMMON_RESPONSES[name]) : RESPONSE_REF(name);
    const responses = (operation.responses ??= {});
    if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody) responses["400"] ??= common("BadRequest");
    responses["401"] ??= common("Unauthorized");
    if (routed) responses["429"] ??= common("TooManyRequests");
    responses["500"] ??= RESPONSE_REF("InternalError");
    for (const [status, response] of Object.entries(responses)) {
      if ("$ref" in response) continue;
      const headers = (response.headers ?? {}) as Json;
      if (status === "429") headers["Retry-After"] ??= HEADER_REF("Retry-After");
      if (routed && /^[24]/.test(status)) for (const name of GATEWAY_HEADERS) headers[name] ??= HEADER_REF(name);
      if (Object.keys(headers).length > 0) response.headers = headers;
    }
  }
  addIntegerFormats(paths);

  if (!Array.isArray(document.tags) && tags.size > 0) document.tags = [...tags].sort().map((name) => ({ name }));
  const components = (document.components ??= {});
  const used = <T>(kind: string, entries: Record<string, T>, text: string) =>
    Object.fromEntries(Object.entries(entries).filter(([name]) => text.includes(`"#/components/${kind}/${name}"`)));
  const responses = used("responses", COMMON_RESPONSES, JSON.stringify(paths));
  const headers = used("headers", COMPONENT_HEADERS, JSON.stringify([paths, responses]));
  if (Object.keys(responses).length > 0) {
    components.responses = { ...responses, ...(components.responses as Json | undefined) };
  }
  if (JSON.stringify([paths, responses]).includes('"#/components/schemas/Problem"')) {
    components.schemas = { Problem: JSON.parse(JSON.stringify(ProblemSchema)), ...(components.schemas as Json) };
  }
  if (Object.keys(headers).length > 0) components.headers = { ...headers, ...(components.headers as Json) };
  return document;
}

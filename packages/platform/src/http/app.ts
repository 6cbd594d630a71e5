import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import AjvCompiler from "@fastify/ajv-compiler";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from "fastify";
import { installAuth } from "../auth/auth.plugin";
import type { TokenVerifier } from "../auth/token-verifier";
import { enterContext } from "../context/request-context";
import { formatTraceparent, parseTraceparent } from "../context/traceparent";
import type { Logger } from "../logging/logger";
import { type HealthState, type ReadinessCheck, registerHealth } from "./health";
import { type Metrics, registerMetrics } from "./metrics";
import { completeDocument, MAX_PATH_PARAM_LENGTH, OPENAPI_SECURITY_SCHEMES, transformRoute } from "./openapi";
import { registerProblemHandlers, sendFrameworkError, writeClientError } from "./problem";
import { serverSpanOf, startServerSpan } from "./tracing.hooks";

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface CreateAppOptions {
  service: string;
  instance: string;
  logger: Logger;
  version?: string;
  description?: string;
  /** Dependencies `/health/ready` checks, by name (e.g. `{ database: () => pingDatabase(db) }`). */
  readiness?: Record<string, ReadinessCheck>;
  /** Largest accepted request body in bytes (413 above it). */
  bodyLimit?: number;
  /**
   * Verifies bearer tokens (sets `request.principal`; guards such as `requirePermission` use it).
   * Without one, a request carrying a token is refused with 401.
   */
  auth?: TokenVerifier;
  /**
   * Rewrites each request's target before it is routed (Fastify's `rewriteUrl`): the gateway
   * normalizes it there, so that routing and every decision see one spelling.
   */
  rewriteUrl?: (req: IncomingMessage) => string;
  /**
   * Proxies (IPs or CIDRs) whose X-Forwarded-For is believed for `request.ip` (Fastify's
   * `trustProxy`); none by default: the peer's address.
   */
  trustedProxies?: string[];
}

export interface AppExtras {
  health: HealthState;
  metrics: Metrics;
}

declare module "fastify" {
  interface FastifyInstance {
    comptoir: AppExtras;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type AjvOptions = { customOptions: Record<string, unknown> } & Record<string, unknown>;
type RouteSchema = { httpPart?: string; schema?: Record<string, unknown> };
type ValidateFn = ((data: unknown) => boolean) & { errors?: unknown };
type Validator = (route: RouteSchema) => unknown;
const buildAjvCompiler = AjvCompiler() as unknown as (schemas: unknown, options: AjvOptions) => Validator;

/**
 * Ajv coerces "Infinity" (and "1e999") to Infinity, then skips the bounds of a number that is not
 * finite: `?limit=Infinity` would pass `maximum: 200` and reach SQL. A query, path or header value
 * that became ±Infinity is refused like any other number out of bounds.
 */
function refusingInfinity(validate: ValidateFn): ValidateFn {
  const checked: ValidateFn = (data) => {
    const valid = validate(data);
    checked.errors = validate.errors;
    if (!valid || !data || typeof data !== "object") return valid;
    for (const [key, value] of Object.entries(data)) {
      if ((Array.isArray(value) ? value : [value]).some((v) => typeof v === "number" && !Number.isFinite(v))) {
        checked.errors = [
          {
            instancePath: `/${key}`,
            schemaPath: "#/type",
            keyword: "type",
            params: {},
            message: "must be a finite number",
          },
        ];
        return false;
      }
    }
    return true;
  };
  return checked;
}

/**
 * Request validation with two Ajv instances. JSON bodies are validated without type coercion: their
 * types are JSON's own, and coercion inside a union would turn `null` into `""` when
 * `Type.String()` comes first (a description cleared with null would be stored empty). Query
 * strings, params and headers are strings, so they keep coercion ("42" → 42, "a" → ["a"]). A body
 * schema wrapped in `Type.Optional` accepts no body at all.
 */
function buildValidator(externalSchemas: unknown, options: AjvOptions): Validator {
  const coercing = buildAjvCompiler(externalSchemas, options);
  const exact = buildAjvCompiler(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  });
  return (route) => {
    if (route.httpPart !== "body") return refusingInfinity(coercing(route) as ValidateFn);
    const validate = exact(route) as ValidateFn;
    // `body: Type.Optional(...)`: an action whose body may be left out (POST …/cancel with or without a reason).
    if (route.schema?.["~optional"] !== true) return validate;
    const optional: ValidateFn = (data) => {
      if (data === undefined || data === null) {
        optional.errors = null;
        return true;
      }
      const valid = validate(data);
      optional.errors = validate.errors;
      return valid;
    };
    return optional;
  };
}

/**
 * The Fastify instance every service starts from: problem+json errors, request id and trace
 * context, JSON logs, `/health/*`, `/metrics`, `/openapi.json`. Routes added afterwards are
 * documented from their TypeBox schemas.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // One access-log line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    // The request id (and trace id) come from the async context in the logger's mixin, so every log
    // line of the request has them once — also lines written through a use case's own logger.
    childLoggerFactory: (logger, _bindings, options) => logger.child({}, options),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Bodies without coercion, the rest with it (buildValidator).
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
    ajv: {
      customOptions: {
        // Unknown properties are reported (schemas say additionalProperties: false), never silently dropped.
        removeAdditional: false,
        coerceTypes: "array",
        useDefaults: true,
        allErrors: true,
      },
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Refusals before any route runs (router, HTTP parser) are problem+json like every other.
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: writeClientError,
    ...(options.rewriteUrl ? { rewriteUrl: options.rewriteUrl } : {}),
    ...(options.trustedProxies && options.trustedProxies.length > 0 ? { trustProxy: options.trustedProxies } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // An empty body sent as JSON is no body: `curl -X POST -H 'content-type: application/json' …/release`
  // and many HTTP clients do this for action endpoints. Fastify would refuse it with a 400; routes
  // that need a body still say so through their schema. Anything else goes through Fastify's own
  // parser (prototype-poisoning protection included).
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  const health: HealthState = { shuttingDown: false };
  app.decorate("comptoir", { health, metrics: undefined as unknown as Metrics });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: `Comptoir ${options.service}`,
        version: options.version ?? "0.1.0",
        ...(options.description ? { description: options.description } : {}),
        contact: { name: "Comptoir maintainers" },
        license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
      },
      // The paths hold the `/api/<service>` prefix: one document serves the service and the gateway alike.
      servers: [
        {
          url: "/",
          description: "The host that served this document: the gateway (local or production), or the service itself",
          "x-internal": false,
        } as never,
      ],
      components: { securitySchemes: OPENAPI_SECURITY_SCHEMES as never },
    },
    transform: transformRoute as never,
    transformObject: completeDocument as never,
  });

  // The request's span (a SERVER span when tracing is on: tracing.hooks.ts), its ids in the request
  // context for everything this request does, and answered to the client in `traceparent`.
  app.addHook("onRequest", async (request, reply) => {
    const span = startServerSpan(request, parseTraceparent(request.headers.traceparent as string | undefined));
    enterContext({ requestId: request.id, ...span.context });
    reply.header("x-request-id", request.id);
    reply.header("traceparent", formatTraceparent(span.context));
  });
  app.addHook("onRequestAbort", async (request) => serverSpanOf(request)?.end());
  // Draining: once close() starts, /health/ready answers 503 and every response asks the client to
  // close its keep-alive connection, so in-flight requests finish and no idle socket holds us up.
  app.addHook("preClose", async () => {
    health.shuttingDown = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (health.shuttingDown) reply.header("connection", "close");
  });
  // One line per request. Successful reads (GET/HEAD under 2xx/3xx, answered within a second) are
  // logged at debug: the gateway's access log already has every request, and at thousands of reads
  // per second these lines cost a service about a tenth of its CPU. Writes, client errors and slow
  // requests stay at info, failures at error.
  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    const span = serverSpanOf(request);
    if (span) {
      span.setAttributes({ "http.response.status_code": status });
      if (status >= 500) span.failWith(`HTTP ${status}`);
      span.end();
    }
    const routine = status < 400 && (request.method === "GET" || request.method === "HEAD") && reply.elapsedTime < 1000;
    const level = status >= 500 ? "error" : routine ? "debug" : "info";
    if (!(request.log as unknown as Logger).isLevelEnabled(level)) return;
    request.log[level](
      {
        method: request.method,
        url: request.url,
        route: request.routeOptions.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      "request completed",
    );
  });

  registerProblemHandlers(app);
  installAuth(app, options.auth);
  app.comptoir.metrics = registerMetrics(app, { service: options.service, instance: options.instance });
  registerHealth(app, options.readiness ?? {}, health, () => ({
    service: options.service,
    instance: options.instance,
  }));
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  return app as unknown as App;
}

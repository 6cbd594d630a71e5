import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  type App,
  ConflictError,
  createApp,
  createLogger,
  createPool,
  currentContext,
  degradesOnly,
  NotFoundError,
  pageQuery,
  Type,
  UnavailableError,
} from "../src";
import { MAX_PAGE_ROWS } from "../src/http/schemas";
import { http, listen, testLogger } from "@comptoir/testing";

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(options: { readiness?: Record<string, () => Promise<void>>; logLines?: string[] } = {}) {
  const logger = options.logLines
    ? createLogger({
        service: "demo",
        instance: "demo-1",
        level: "info",
        destination: new Writable({
          write(chunk, _enc, cb) {
            options.logLines!.push(...String(chunk).trim().split("\n"));
            cb();
          },
        }),
      })
    : testLogger("demo");
  app = await createApp({ service: "demo", instance: "demo-1", logger, readiness: options.readiness ?? {} });
  app.post(
    "/api/demo/things",
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ name: Type.String(), quantity: Type.Integer() }) },
      },
    },
    async (request, reply) => reply.code(201).send(request.body),
  );
  app.get("/api/demo/things", { schema: { querystring: Type.Object(pageQuery()) } }, async (request) => request.query);
  app.get(
    "/api/demo/few-things",
    { schema: { querystring: Type.Object(pageQuery({ max: 100, default: 20 })) } },
    async (request) => request.query,
  );
  app.post("/api/demo/things/:id/archive", async (request) => ({ archived: true, body: request.body ?? null }));
  app.post(
    "/api/demo/things/:id/cancel",
    {
      schema: {
        body: Type.Optional(Type.Object({ reason: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
      },
    },
    async (request) => ({ cancelled: true, reason: request.body?.reason ?? null }),
  );
  app.get("/api/demo/things/:id", { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => {
    if (request.params.id === "missing") throw new NotFoundError("thing_not_found", "No thing with id missing.");
    if (request.params.id === "taken") {
      throw new ConflictError("thing_taken", "Taken.", { extensions: { holder: "someone" } });
    }
    if (request.params.id === "down")
      throw new UnavailableError("The stock service is unavailable.", { retryAfterSeconds: 5 });
    if (request.params.id === "bug") throw new Error("secret internal detail");
    return { id: request.params.id, context: currentContext() };
  });
  app.get("/api/demo/from-database", async () => {
    const pool = createPool("postgres://postgres@127.0.0.1:1/gone");
    try {
      return (await pool.query("SELECT 1")).rows;
    } finally {
      await pool.end();
    }
  });
  app.get("/api/demo/database-full", async () => {
    // What pg throws when the server has no connection slot left (SQLSTATE 53300).
    throw Object.assign(new Error("sorry, too many clients already"), { code: "53300", severity: "FATAL" });
  });
  app.get("/api/demo/nul-text", async () => {
    // What pg throws for a NUL character in a text parameter (SQLSTATE 22021).
    throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
  });
  app.get("/api/demo/slow", async () => {
    await new Promise((r) => setTimeout(r, 400));
    return { done: true };
  });
  return http(await listen(app));
}

describe("problem+json errors", () => {
  it("renders an AppError with its code, status, detail, extensions and the request id", async () => {
    const api = await start();
    const res = await api.get("/api/demo/things/taken", { "x-request-id": "req-123" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(res.body).toEqual({
      type: "https://comptoir.dev/problems/thing-taken",
      title: "Conflict",
      status: 409,
      detail: "Taken.",
      instance: "/api/demo/things/taken",
      code: "thing_taken",
      requestId: "req-123",
      holder: "someone",
    });
  });

  it("lists every invalid field of a request body", async () => {
    const api = await start();
    const res = await api.post("/api/demo/things", { quantity: 0, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { in: "body", field: "name", message: "is required" },
        { in: "body", field: "quantity", message: expect.stringContaining(">= 1") },
        { in: "body", field: "extra", message: "is not an allowed property" },
      ]),
    );
  });

  it("bounds a list's page and limit: too deep, huge, negative, fractional or not a number is a 400, never a 500", async () => {
    const api = await start();
    expect((await api.get("/api/demo/things")).body).toEqual({ page: 1, limit: 50 });
    // page × limit never passes MAX_PAGE_ROWS: 5,000 pages of up to 200, 10,000 of up to 100.
    expect((await api.get("/api/demo/things?page=5000&limit=200")).body).toEqual({ page: 5000, limit: 200 });
    expect((await api.get("/api/demo/few-things?page=10000&limit=100")).body).toEqual({ page: 10000, limit: 100 });
    expect(5000 * 200).toBeLessThanOrEqual(MAX_PAGE_ROWS);
    for (const query of [
      "page=5001",
      "page=100000000000000000&limit=100",
      "page=1e17",
      "page=-1",
      "page=0",
      "page=1.5",
      "page=abc",
      "limit=1e17",
      "limit=-1",
      "limit=1.5",
      "limit=abc",
      "limit=201",
      // Ajv coerces these to Infinity and then skips the bounds (refused by createApp's validator).
      "page=Infinity",
      "limit=1e999",
      "limit=-Infinity",
    ]) {
      const res = await api.get(`/api/demo/things?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type"), query).toMatch(/^application\/problem\+json/);
      expect(res.body.code, query).toBe("validation_failed");
    }
    expect((await api.get("/api/demo/few-things?page=10001")).status).toBe(400);
  });

  it("takes an empty JSON body as no body: an action route answers, a route that needs a body says so", async () => {
    const api = await start();
    const empty = { "content-type": "application/json" };
    const action = await api.post("/api/demo/things/1/archive", "", empty);
    expect(action.status).toBe(200);
    expect(action.body).toEqual({ archived: true, body: null });
    const needsBody = await api.post("/api/demo/things", "", empty);
    expect(needsBody.status).toBe(400);
    expect(needsBody.body.code).toBe("validation_failed");
    const broken = await api.post("/api/demo/things", "{not json", empty);
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe("bad_request");
    const poisoned = await api.post("/api/demo/things", '{"name":"x","quantity":1,"__proto__":{"admin":true}}', empty);
    expect(poisoned.status).toBe(400);
  });

  it("accepts no body where the body schema is optional, and still validates one that is sent", async () => {
    const api = await start();
    const none = await api.post("/api/demo/things/1/cancel");
    expect(none.body).toEqual({ cancelled: true, reason: null });
    expect((await api.post("/api/demo/things/1/cancel", "", { "content-type": "application/json" })).status).toBe(200);
    expect((await api.post("/api/demo/things/1/cancel", { reason: "late" })).body).toEqual({
      cancelled: true,
      reason: "late",
    });
    const bad = await api.post("/api/demo/things/1/cancel", { reason: "" });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("validation_failed");
  });

  it("answers 404 route_not_found for unknown routes and 415 for a wrong content type", async () => {
    const api = await start();
    const missing = await api.get("/api/demo/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("route_not_found");
    const wrongType = await api.post("/api/demo/things", "<thing/>", { "content-type": "application/xml" });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe("unsupported_media_type");
  });

  it("refuses text with a NUL character with a 400, and a path parameter too long for the router with a 414 problem", async () => {
    const api = await start();
    const nul = await api.get("/api/demo/nul-text");
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ code: "invalid_text" });
    expect(JSON.stringify(nul.body)).not.toContain("UTF8");
    const long = await api.get(`/api/demo/things/${"a".repeat(101)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(long.body).toMatchObject({ status: 414, code: "uri_too_long" });
  });

  it("sets Retry-After on a 503 and hides the internals of a 500", async () => {
    const api = await start();
    const down = await api.get("/api/demo/things/down");
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    const bug = await api.get("/api/demo/things/bug");
    expect(bug.status).toBe(500);
    expect(bug.body.code).toBe("internal_error");
    expect(JSON.stringify(bug.body)).not.toContain("secret");
  });

  it("answers 503 with Retry-After, not 500, when the database cannot be reached mid-request", async () => {
    const api = await start();
    const res = await api.get("/api/demo/from-database");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.body).toMatchObject({ code: "service_unavailable", detail: expect.stringContaining("database") });
    // A server with no connection slot left is unavailable for now too, not a bug.
    const full = await api.get("/api/demo/database-full");
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("1");
  });
});

describe("request id and trace context", () => {
  it("echoes a valid X-Request-ID, replaces an invalid one, and continues the caller's trace", async () => {
    const api = await start();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await api.get("/api/demo/things/1", {
      "x-request-id": "abc-1",
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(res.headers.get("x-request-id")).toBe("abc-1");
    expect(res.body.context).toMatchObject({ requestId: "abc-1", traceId });
    expect(res.headers.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(res.headers.get("traceparent")).not.toContain("00f067aa0ba902b7");

    const bad = await api.get("/api/demo/things/1", { "x-request-id": "bad id with spaces" });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes JSON log lines with service, instance, request id and trace id", async () => {
    const lines: string[] = [];
    const api = await start({ logLines: lines });
    await api.get("/api/demo/things/taken", { "x-request-id": "log-me" });
    await api.get("/api/demo/things/1", { "x-request-id": "routine-read" });
    const parsed = lines.map((l) => JSON.parse(l));
    const entry = parsed.find((l) => l.requestId === "log-me" && l.msg === "request completed");
    expect(entry).toMatchObject({
      service: "demo",
      instance: "demo-1",
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 409,
      route: "/api/demo/things/:id",
    });
    // A successful read is a debug line (the gateway's access log has it); info and above skip it.
    expect(parsed.find((l) => l.requestId === "routine-read" && l.msg === "request completed")).toBeUndefined();
  });
});

describe("health, metrics and OpenAPI", () => {
  it("is live, and ready only while every dependency check passes", async () => {
    let databaseUp = true;
    const api = await start({
      readiness: {
        database: async () => {
          if (!databaseUp) throw new Error("connection refused");
        },
      },
    });
    expect((await api.get("/health/live")).status).toBe(200);
    expect((await api.get("/health/ready")).body).toMatchObject({
      status: "ok",
      checks: { database: { status: "ok" } },
    });
    databaseUp = false;
    const down = await api.get("/health/ready");
    expect(down.status).toBe(503);
    expect(down.body.checks.database).toMatchObject({ status: "down", error: "connection refused" });
  });

  it("stays ready, reporting itself degraded, while a dependency that only degrades it (the event transport) is down", async () => {
    let natsUp = true;
    const api = await start({
      readiness: {
        database: async () => {},
        events: degradesOnly(async () => {
          if (!natsUp) throw new Error("NATS unreachable");
        }),
      },
    });
    expect((await api.get("/health/ready")).body.status).toBe("ok");
    natsUp = false;
    const degraded = await api.get("/health/ready");
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({
      status: "degraded",
      checks: { database: { status: "ok" }, events: { status: "down", error: "NATS unreachable" } },
    });
  });

  it("counts requests per route template and status in Prometheus format", async () => {
    const api = await start();
    await api.get("/api/demo/things/a");
    await api.get("/api/demo/things/b");
    await api.get("/api/demo/things/missing");
    const metrics = await api.get("/metrics");
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(
      /http_requests_total\{[^}]*route="\/api\/demo\/things\/:id"[^}]*status="200"[^}]*\} 2/,
    );
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*status="404"[^}]*\} 1/);
    expect(metrics.body).toContain("http_request_duration_seconds_bucket");
    expect(metrics.body).toContain('service="demo"');
  });

  it("publishes an OpenAPI 3 document generated from the route schemas", async () => {
    const api = await start();
    const doc = (await api.get("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/demo/things"].post.requestBody.content["application/json"].schema.required).toEqual([
      "name",
      "quantity",
    ]);
    expect(doc.paths).not.toHaveProperty("/metrics");
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight requests, reports not ready while draining, then refuses connections", async () => {
    const api = await start();
    const slow = api.get("/api/demo/slow");
    await new Promise((r) => setTimeout(r, 50));
    const closing = app!.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(app!.comptoir.health.shuttingDown).toBe(true);
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
    await closing;
    await expect(api.get("/api/demo/things/1")).rejects.toThrow();
    app = undefined;
  });
});

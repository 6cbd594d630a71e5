import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../src/http/app";
import { createLogger } from "../src/logging/logger";
import { currentContext } from "../src/context/request-context";
import { inSpan, isTracing, startSpan } from "../src/tracing/spans";
import { startTracing, tracesEndpoint } from "../src/tracing/sdk";
import { http, KIND, listen, OtlpReceiver, testLogger, waitFor } from "@comptoir/testing";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER = "00f067aa0ba902b7";

let app: App | undefined;
let stop: (() => Promise<void>) | undefined;
let receiver = new OtlpReceiver();
const saved = { ...process.env };

afterEach(async () => {
  await app?.close();
  app = undefined;
  await stop?.();
  stop = undefined;
  await receiver.stop();
  for (const key of Object.keys(process.env)) if (key.startsWith("OTEL_") && !(key in saved)) delete process.env[key];
});

describe("tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("loads no SDK and records nothing: a span is only the ids propagation needs", async () => {
    expect(tracesEndpoint({})).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(
      tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" }),
    ).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" })).toBe(
      "http://c:4318/v1/traces",
    );
    expect(await startTracing({ service: "demo", instance: "demo-1", logger: testLogger("demo"), env: {} })).toBe(
      undefined,
    );
    expect(isTracing()).toBe(false);
    const span = startSpan("anything", { parent: { traceId: TRACE, spanId: CALLER, traceFlags: "01" } });
    expect(span.recording).toBe(false);
    expect(span.context).toMatchObject({ traceId: TRACE, traceFlags: "01" });
    expect(span.context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.context.spanId).not.toBe(CALLER);
  });
});

describe("tracing on", () => {
  async function startWithCollector(env: Record<string, string> = {}) {
    receiver = new OtlpReceiver();
    await receiver.start();
    // The exporter reads the endpoint from the process's environment, as every OpenTelemetry SDK does.
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "50", ...env });
    const lines: string[] = [];
    const logger = createLogger({
      service: "demo",
      instance: "demo-1",
      destination: new Writable({
        write(chunk, _enc, cb) {
          lines.push(...String(chunk).trim().split("\n"));
          cb();
        },
      }),
    });
    stop = await startTracing({ service: "demo", instance: "demo-1", logger });
    expect(isTracing()).toBe(true);
    app = await createApp({ service: "demo", instance: "demo-1", logger });
    app.post("/api/demo/things/:id", async (request) => {
      // Work done for the request: a nested span, current while it runs, and a log line inside it.
      return inSpan("saga demo run step", { attributes: { "comptoir.saga.step": "step" } }, async () => {
        request.log.info("inside the step");
        const child = startSpan("SELECT demo", { kind: "client" });
        child.end();
        if ((request.params as { id: string }).id === "bug") throw new Error("boom");
        return { context: currentContext() };
      });
    });
    app.get("/health/alive", async () => ({ ok: true }));
    const api = http(await listen(app));
    return { api, lines };
  }

  it("a request's SERVER span continues the caller's trace; nested spans are its children; logs carry the span ids", async () => {
    const { api, lines } = await startWithCollector();
    const res = await api.post("/api/demo/things/1", {}, { traceparent: `00-${TRACE}-${CALLER}-01` });
    expect(res.status).toBe(200);
    const answered = res.headers.get("traceparent")!;
    const serverSpanId = answered.split("-")[2];
    const spans = await waitFor(
      async () => receiver.trace(TRACE),
      (s) => s.length >= 3,
      "the spans",
    );
    const server = spans.find((s) => s.kind === KIND.server)!;
    expect(server).toMatchObject({
      service: "demo",
      instance: "demo-1",
      name: "POST /api/demo/things/:id",
      spanId: serverSpanId,
      parentSpanId: CALLER,
      attributes: expect.objectContaining({
        "http.request.method": "POST",
        "http.route": "/api/demo/things/:id",
        "url.path": "/api/demo/things/1",
        "http.response.status_code": 200,
      }),
    });
    const step = spans.find((s) => s.name === "saga demo run step")!;
    expect(step.parentSpanId).toBe(server.spanId);
    expect(spans.find((s) => s.name === "SELECT demo")!.parentSpanId).toBe(step.spanId);
    // The handler saw the step's span as current; its log line carries the same ids.
    expect(res.body.context).toMatchObject({ traceId: TRACE, spanId: step.spanId });
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "inside the step");
    expect(logged).toMatchObject({ traceId: TRACE, spanId: step.spanId });
  });

  it("a failure marks its spans failed; probes make no span", async () => {
    const { api } = await startWithCollector();
    expect((await api.get("/health/alive")).status).toBe(200);
    const res = await api.post("/api/demo/things/bug", {});
    expect(res.status).toBe(500);
    const traceId = res.headers.get("traceparent")!.split("-")[1]!;
    const spans = await waitFor(
      async () => receiver.trace(traceId),
      (s) => s.length >= 2,
      "the spans",
    );
    expect(spans.find((s) => s.kind === KIND.server)).toMatchObject({ status: 2, parentSpanId: undefined });
    expect(spans.find((s) => s.name === "saga demo run step")).toMatchObject({ status: 2 });
    expect(receiver.spans.filter((s) => String(s.attributes["url.path"]).startsWith("/health"))).toEqual([]);
  });

  it("links a span to another trace's span (an event handled: child of the producer, linked to it)", async () => {
    await startWithCollector();
    const producer = { traceId: TRACE, spanId: CALLER, traceFlags: "01" };
    await inSpan("process demo.thing.done", { kind: "consumer", parent: producer, links: [producer] }, async () => {});
    const [handled] = await waitFor(
      async () => receiver.trace(TRACE),
      (s) => s.length >= 1,
      "the spans",
    );
    expect(handled).toMatchObject({
      kind: KIND.consumer,
      parentSpanId: CALLER,
      links: [{ traceId: TRACE, spanId: CALLER }],
    });
  });

  it("OTEL_TRACES_SAMPLER_ARG=0 keeps no new trace but follows a caller that sampled its own", async () => {
    const { api } = await startWithCollector({ OTEL_TRACES_SAMPLER_ARG: "0" });
    const fresh = await api.post("/api/demo/things/1", {});
    const freshTrace = fresh.headers.get("traceparent")!;
    expect(freshTrace).toMatch(/-00$/); // not sampled: said so downstream
    await api.post("/api/demo/things/1", {}, { traceparent: `00-${TRACE}-${CALLER}-01` });
    await waitFor(
      async () => receiver.trace(TRACE),
      (s) => s.length >= 3,
      "the spans",
    );
    expect(receiver.trace(freshTrace.split("-")[1]!)).toEqual([]);
  });
});

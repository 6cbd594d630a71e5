import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ComptoirClient, unwrap } from "@comptoir/client";
import { KIND, OtlpReceiver, type ReceivedSpan } from "@comptoir/testing";
import { expectStatus, gatewayClient } from "./support/api";
import { freePort, type Platform, start, stop, waitUntilReady } from "./support/platform";

/**
 * OpenTelemetry, end to end: the whole platform booted by the launcher with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector of the test's own (an OTLP/HTTP JSON receiver),
 * then one checkout through the gateway. Its trace must hold, under one trace id and linked
 * parent to child: the gateway's request, its call to orders, orders' request, the checkout saga's
 * steps, their calls to cart, inventory and payments and those services' own requests, PostgreSQL
 * queries, the events orders published, and their handling by notifications and reporting (each
 * handler's span a child of the producer's span and linked to it).
 */

const ADDRESS = { name: "Camille Martin", line1: "12 rue des Lilas", city: "Lyon", postalCode: "69003", country: "FR" };
const GOOD_CARD = { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir: string;
let platform: Platform;
let api: ComptoirClient;
const receiver = new OtlpReceiver();

async function until<T>(probe: () => Promise<T> | T, done: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

const describeSpan = (s: ReceivedSpan) => `${s.service}: ${s.name}`;

describe("a checkout's trace, exported over OTLP", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    await receiver.start();
    dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-tracing-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
    const port = await freePort();
    platform = start({
      PORT: String(port),
      COMPTOIR_DATA: dataDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Exported every 200 ms instead of every 5 s: the test waits less.
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
    api = gatewayClient(platform.base);
    await waitUntilReady(platform);
  }, 180_000);

  afterAll(async () => {
    if (platform) await stop(platform);
    await receiver.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("probes are not traced; every service exports spans with its own service name", async () => {
    const health = await fetch(`${platform.base}/health/live`);
    expect(health.status).toBe(200);
    const res = await fetch(`${platform.base}/api/catalog/products?limit=1`);
    expect(res.status).toBe(200);
    const traceId = res.headers.get("traceparent")!.split("-")[1]!;
    const spans = await until(
      () => receiver.trace(traceId),
      (s) => s.some((x) => x.service === "catalog" && x.kind === KIND.server) && s.some((x) => x.service === "gateway"),
      "the gateway's and catalog's spans of a product list",
    );
    expect(spans.find((s) => s.service === "gateway" && !s.parentSpanId)?.attributes["url.path"]).toBe(
      "/api/catalog/products",
    );
    expect(receiver.spans.some((s) => String(s.attributes["url.path"] ?? "").startsWith("/health"))).toBe(false);
  });

  it("one trace from the gateway through orders, cart, inventory, payments to notifications and reporting", async () => {
    // A demo product with stock online (the demo data flows to inventory as events at start).
    const products = unwrap(await api.catalog.GET("/api/catalog/products", { params: { query: { limit: 50 } } }));
    const variantIds = products.data.flatMap((p) => p.variants.map((v) => v.id));
    const inStock = await until(
      async () => {
        const ids = variantIds.slice(0, 200).join(",");
        const res = await fetch(`${platform.base}/api/inventory/store-availability?variantIds=${ids}`);
        if (res.status !== 200) return undefined;
        const body = (await res.json()) as { online: { variantId: string; available: number }[] };
        return body.online.find((v) => v.available >= 2)?.variantId;
      },
      (id) => id !== undefined,
      "a demo variant in stock online",
    );

    const cart = await api.cart.POST("/api/cart/carts");
    expectStatus(cart, 201, "guest cart");
    const cartToken = cart.data!.token!;
    const added = await api.cart.POST("/api/cart/carts/{id}/items", {
      params: { path: { id: cart.data!.id } },
      headers: { "x-cart-token": cartToken },
      body: { variantId: inStock!, quantity: 1 },
    });
    expectStatus(added, 200, "add to cart");
    const paid = await api.orders.POST("/api/orders/checkout", {
      params: { header: { "idempotency-key": randomUUID(), "x-cart-token": cartToken } },
      body: {
        cartId: cart.data!.id,
        email: `trace-${randomUUID().slice(0, 8)}@example.com`,
        shippingAddress: ADDRESS,
        payment: { method: "card", card: GOOD_CARD },
      },
    });
    expectStatus(paid, 201, "checkout");
    expect(paid.data!.status).toBe("paid");
    const traceId = paid.response.headers.get("traceparent")!.split("-")[1]!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const consumers = (spans: ReceivedSpan[], service: string) =>
      spans.filter((s) => s.service === service && s.kind === KIND.consumer && s.name.startsWith("process orders."));
    const spans = await until(
      () => receiver.trace(traceId),
      (s) => consumers(s, "notifications").length > 0 && consumers(s, "reporting").length > 0,
      "notifications' and reporting's handling of the order's events",
    );
    // Give the last batches a moment: the parents' exports may trail their children's.
    await sleep(1_000);
    const trace = receiver.trace(traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const children = (parent: ReceivedSpan) => trace.filter((s) => s.parentSpanId === parent.spanId);
    const summary = trace.map(describeSpan).join("\n");

    // One root: the gateway's request; every other span's parent is in the trace.
    const roots = trace.filter((s) => !s.parentSpanId);
    // (The gateway names its request after its route, a service's prefix: few names, whatever the paths.)
    expect(roots.map(describeSpan), summary).toEqual(["gateway: POST /api/orders/*"]);
    expect(roots[0]!.attributes["url.path"]).toBe("/api/orders/checkout");
    const orphans = trace.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId));
    expect(orphans.map(describeSpan), summary).toEqual([]);
    expect(spans.length).toBeGreaterThan(0);

    // gateway → orders: the proxied attempt (CLIENT) is the parent of orders' request (SERVER).
    const root = roots[0]!;
    const hop = children(root).find((s) => s.kind === KIND.client && s.attributes["comptoir.target"] === "orders");
    expect(hop, summary).toBeDefined();
    const ordersRequest = children(hop!).find((s) => s.service === "orders" && s.kind === KIND.server);
    expect(ordersRequest?.name).toBe("POST /api/orders/checkout");
    expect(ordersRequest?.attributes["http.response.status_code"]).toBe(201);

    // orders → cart, inventory, payments: each call a CLIENT span in orders whose child is the
    // callee's request, under the checkout saga's steps.
    const steps = trace.filter((s) => s.service === "orders" && s.name.startsWith("saga checkout run "));
    expect(steps.length, summary).toBeGreaterThanOrEqual(3);
    for (const callee of ["cart", "inventory", "payments"]) {
      const calls = trace.filter(
        (s) => s.service === "orders" && s.kind === KIND.client && s.attributes["comptoir.target"] === callee,
      );
      expect(calls.length, `orders' calls to ${callee}\n${summary}`).toBeGreaterThan(0);
      const served = calls.flatMap(children).filter((s) => s.service === callee && s.kind === KIND.server);
      expect(served.length, `${callee}'s requests under orders' calls\n${summary}`).toBe(calls.length);
      // Each call is within the orders request (through a saga step or directly).
      for (const call of calls) {
        let up: ReceivedSpan | undefined = call;
        while (up && up !== ordersRequest) up = up.parentSpanId ? byId.get(up.parentSpanId) : undefined;
        expect(up, `${describeSpan(call)} under orders' request`).toBe(ordersRequest);
      }
    }

    // PostgreSQL: queries as CLIENT spans with the SQL's placeholders, never the values.
    const queries = trace.filter((s) => s.attributes["db.system.name"] === "postgresql");
    const querying = new Set(queries.map((q) => q.service));
    for (const service of ["orders", "cart", "inventory", "payments"]) expect(querying, service).toContain(service);
    for (const q of queries) {
      expect(String(q.attributes["db.query.text"])).not.toContain("4242");
      expect(String(q.attributes["db.query.text"])).not.toContain("Camille");
    }

    // Events: published by orders (PRODUCER), handled by notifications and reporting (CONSUMER): each
    // handler's span a child of the producer's and linked to it.
    const producers = trace.filter((s) => s.service === "orders" && s.kind === KIND.producer);
    expect(producers.map((p) => p.name)).toContain("publish orders.order.paid");
    for (const service of ["notifications", "reporting"]) {
      for (const handled of consumers(trace, service)) {
        const producer = byId.get(handled.parentSpanId!);
        expect(producer?.kind, describeSpan(handled)).toBe(KIND.producer);
        expect(handled.links).toContainEqual({ traceId, spanId: producer!.spanId });
        expect(handled.attributes["messaging.destination.name"]).toBe(
          producer!.attributes["messaging.destination.name"],
        );
      }
    }
    const paidHandlers = trace.filter((s) => s.kind === KIND.consumer && s.name === "process orders.order.paid");
    const handling = new Set(paidHandlers.map((s) => s.service));
    for (const service of ["notifications", "reporting"]) expect(handling, service).toContain(service);
    console.log(`checkout trace: ${trace.length} spans from ${new Set(trace.map((s) => s.service)).size} services`);
  });
});

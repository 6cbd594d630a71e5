import { afterEach, describe, expect, it } from "vitest";
import { createApp, pingDatabase } from "@comptoir/platform";
import { type EventBus, eventsAdminRoutes } from "../src";
import { createTestIssuer, http, listen, testLogger } from "@comptoir/testing";
import { makeBus, publishMany, recordEffect, serviceDatabase, TRANSPORTS, uuid, waitFor } from "./support";

const pg = TRANSPORTS[0]!;

describe("admin endpoints of the event backbone", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it("list dead letters, replay them (404 unknown, 409 when the handler fails again), and expose the metrics", async () => {
    const log = await pg.create();
    const producerDb = await serviceDatabase("routes_producer");
    const consumerDb = await serviceDatabase("routes_consumer");
    cleanups.push(log.cleanup, producerDb.drop, consumerDb.drop);
    const producer = makeBus(producerDb, await log.transport(), { service: "catalog" });
    const bus: EventBus = makeBus(consumerDb, await log.transport(), {
      service: "search",
      retry: { maxAttempts: 2, baseDelayMs: 5 },
    });
    cleanups.push(
      () => producer.stop(),
      () => bus.stop(),
    );
    let broken = true;
    const record = recordEffect("search", "search-1");
    bus.subscribe("search", ["catalog.category.created"], async (event, tx) => {
      if (broken) throw new Error("index offline");
      await record(event, tx);
    });
    const issuer = await createTestIssuer();
    const app = await createApp({
      service: "search",
      instance: "search-1",
      logger: testLogger("search"),
      auth: issuer.verifier,
      readiness: { database: () => pingDatabase(consumerDb.db), events: () => bus.ping() },
    });
    eventsAdminRoutes(app, "search", bus);
    const base = await listen(app);
    const api = http(base, { authorization: `Bearer ${await issuer.token({ role: "admin" })}` });
    cleanups.push(() => app.close());

    // Admins only: no token → 401, a manager → 403.
    expect((await http(base).get("/api/search/admin/events/status")).status).toBe(401);
    const manager = http(base, { authorization: `Bearer ${await issuer.token({ role: "manager" })}` });
    expect((await manager.post("/api/search/admin/events/dead-letters/replay", {})).status).toBe(403);
    expect((await manager.get("/api/search/admin/events/dead-letters")).status).toBe(403);

    await Promise.all([producer.start(), bus.start()]);
    await publishMany(producer, producerDb.db, [uuid()], 2);

    const list = await waitFor(
      () => api.get("/api/search/admin/events/dead-letters?limit=1"),
      (res) => res.body.pagination?.total === 2,
      { what: "2 dead letters" },
    );
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ group: "search", eventType: "catalog.category.created", attempts: 2 });
    expect(list.body.data[0].error).toContain("index offline");
    for (const query of ["page=100000000000000000&limit=100", "page=2001", "page=-1", "page=1.5", "limit=abc"]) {
      const res = await api.get(`/api/search/admin/events/dead-letters?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type"), query).toContain("application/problem+json");
    }

    const unknown = await api.post(`/api/search/admin/events/dead-letters/${uuid()}/replay`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    const again = await api.post(`/api/search/admin/events/dead-letters/${list.body.data[0].id}/replay`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("dead_letter_replay_failed");

    const metrics = await api.get("/metrics");
    expect(metrics.body).toMatch(/events_dead_letters\{[^}]*group="search"[^}]*\} 2/);
    expect(metrics.body).toMatch(/events_handler_failures_total\{[^}]*group="search"/);
    expect(metrics.body).toMatch(/events_dead_lettered_total\{[^}]*group="search"[^}]*\} 2/);
    expect(metrics.body).toMatch(/events_consumer_lag\{[^}]*stream="catalog"[^}]*\} 0/);
    expect(metrics.body).toMatch(/events_outbox_backlog\{[^}]*\} 0/);

    broken = false;
    const all = await api.post("/api/search/admin/events/dead-letters/replay", {});
    expect(all.status).toBe(200);
    expect(all.body.data.map((r: { outcome: string }) => r.outcome)).toEqual(["handled", "handled"]);
    expect((await api.get("/api/search/admin/events/dead-letters")).body.pagination.total).toBe(0);
    const withReplayed = await api.get("/api/search/admin/events/dead-letters?includeReplayed=true");
    expect(withReplayed.body.data.every((l: { replayedAt: string | null }) => l.replayedAt !== null)).toBe(true);

    const status = await api.get("/api/search/admin/events/status");
    expect(status.body).toMatchObject({
      service: "search",
      transport: { kind: "postgres" },
      groups: [{ group: "search", types: ["catalog.category.created"], lag: { catalog: 0 } }],
      deadLetters: [],
    });
    const bad = await api.post("/api/search/admin/events/replay", { group: "search" });
    expect(bad.status).toBe(400);
    const missing = await api.post("/api/search/admin/events/replay", { group: "nope", fromStart: true });
    expect(missing.status).toBe(404);
    const ready = await api.get("/health/ready");
    expect(ready.body.checks.events.status).toBe("ok");
  });
});

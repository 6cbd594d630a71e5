import { afterEach, describe, expect, it } from "vitest";
import { currentContext, runWithContext } from "@comptoir/platform/context";
import type { EventBus, EventTransport } from "../src";
import type { TestDatabase } from "@comptoir/testing";
import {
  category,
  effects,
  inOrderPerSubject,
  makeBus,
  publishMany,
  recordEffect,
  serviceDatabase,
  TRANSPORTS,
  uuid,
  waitFor,
} from "./support";

describe.each(TRANSPORTS)("event backbone over $name", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** A producer (catalog) and a consumer service database, on a log of the test's own. */
  async function setup() {
    const log = await kind.create();
    cleanups.push(log.cleanup);
    const producerDb = await serviceDatabase("events_producer");
    const consumerDb = await serviceDatabase("events_consumer");
    cleanups.push(producerDb.drop, consumerDb.drop);
    const buses: EventBus[] = [];
    cleanups.push(async () => {
      for (const bus of buses) await bus.stop().catch(() => {});
    });
    const producer = makeBus(producerDb, await log.transport(), { service: "catalog" });
    buses.push(producer);
    const consumer = async (
      database: TestDatabase,
      group: string,
      instance: string,
      extra: Partial<Parameters<typeof makeBus>[2]> = {},
    ) => {
      const bus = makeBus(database, await log.transport(), { service: "search", instance, ...extra });
      bus.subscribe(group, ["catalog.category.created"], recordEffect(group, instance));
      buses.push(bus);
      return bus;
    };
    return { log, producer, producerDb, consumerDb, consumer, buses };
  }

  it("delivers an event published in a committed transaction once, and never one that rolled back", async () => {
    const { producer, producerDb, consumerDb, consumer } = await setup();
    const kept = uuid();
    const rolledBack = uuid();
    const client = await producerDb.db.connect();
    await client.query("BEGIN");
    await producer.publish(client, category(rolledBack, 1));
    await client.query("ROLLBACK");
    await client.query("BEGIN");
    await producer.publish(client, category(kept, 1));
    await client.query("COMMIT");
    client.release();

    const bus = await consumer(consumerDb, "search", "search-1");
    await producer.start();
    await bus.start();
    await waitFor(
      () => effects(consumerDb.db),
      (rows) => rows.length >= 1,
      { what: "the event" },
    );
    // Give a duplicate or the rolled-back event the time to show up, if they were going to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows = await effects(consumerDb.db);
    expect(rows.map((r) => r.subject)).toEqual([kept]);
    const { rows: inbox } = await consumerDb.db.query("SELECT event_type FROM inbox");
    expect(inbox).toEqual([{ event_type: "catalog.category.created" }]);
  });

  it("runs the handler in the trace of the request that published the event", async () => {
    const { producer, producerDb, consumerDb, log, buses } = await setup();
    const seen: { traceId?: string; requestId?: string }[] = [];
    const bus = makeBus(consumerDb, await log.transport(), { service: "search" });
    buses.push(bus);
    bus.subscribe("search", ["catalog.category.created"], async (event) => {
      seen.push({ traceId: currentContext()?.traceId, requestId: currentContext()?.requestId });
      expect(event.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const subject = uuid();
    await runWithContext({ requestId: "req-1", traceId, spanId: "00f067aa0ba902b7", traceFlags: "01" }, () =>
      producer.publish(producerDb.db, category(subject, 1)),
    );
    await Promise.all([producer.start(), bus.start()]);
    await waitFor(
      async () => seen.length,
      (n) => n === 1,
      { what: "the handler" },
    );
    expect(seen[0]!.traceId).toBe(traceId);
    expect(seen[0]!.requestId).not.toBe("req-1"); // the event's own id: a new unit of work in the same trace
  });

  it("refuses to publish an unknown type or an invalid payload, naming it, and writes nothing", async () => {
    const { producer, producerDb } = await setup();
    await expect(
      producer.publish(producerDb.db, { type: "catalog.unicorn.created" as never, subject: "x", data: {} as never }),
    ).rejects.toThrow(/catalog\.unicorn\.created.*not an event type/);
    await expect(
      producer.publish(producerDb.db, {
        type: "catalog.category.created",
        subject: "x",
        data: { id: "not-a-uuid" } as never,
      }),
    ).rejects.toThrow(/catalog\.category\.created.*invalid data/);
    await expect(
      producer.publish(producerDb.db, { type: "orders.order.placed" as never, subject: "x", data: {} as never }),
    ).rejects.toThrow(/catalog cannot publish "orders.order.placed"|not an event type/);
    const { rows } = await producerDb.db.query("SELECT count(*)::int AS n FROM outbox");
    expect(rows[0].n).toBe(0);
  });

  it("applies a redelivered event once: rewinding the transport without the inbox has no second effect", async () => {
    const { producer, producerDb, consumerDb, consumer, log } = await setup();
    await publishMany(producer, producerDb.db, [uuid(), uuid(), uuid()], 5);
    const bus = await consumer(consumerDb, "search", "search-1");
    await producer.start();
    await bus.start();
    await waitFor(
      () => effects(consumerDb.db),
      (rows) => rows.length === 15,
      { what: "15 effects" },
    );
    await bus.stop();

    // Everything is delivered again (as after a lost acknowledgement), but the inbox knows it all.
    const transport = await log.transport();
    await transport.resetGroup("search", ["catalog"]);
    const again = await consumer(consumerDb, "search", "search-2");
    await again.start();
    await waitFor(
      async () => (await transport.lag("search", ["catalog"])).catalog,
      (lag) => lag === 0,
      { what: "the redelivery to be consumed" },
    );
    const rows = await effects(consumerDb.db);
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(15);
  });

  it("shares the partitions between two instances of a group, each event handled once and in order per subject", async () => {
    const { producer, producerDb, consumerDb, consumer } = await setup();
    const subjects = Array.from({ length: 40 }, uuid);
    const first = await consumer(consumerDb, "search", "search-1");
    const second = await consumer(consumerDb, "search", "search-2");
    await first.start();
    await second.start();
    await producer.start();
    // Both instances settle on a share of the 8 partitions before events flow.
    await waitFor(
      async () => [first.consumerGroups()[0]!.partitions.length, second.consumerGroups()[0]!.partitions.length],
      ([a, b]) => a === 4 && b === 4,
      { what: "a 4/4 split of the partitions" },
    );
    const ids = await publishMany(producer, producerDb.db, subjects, 10);

    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length >= ids.length,
      { what: "400 effects" },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await effects(consumerDb.db)).toHaveLength(400);
    expect(new Set(rows.map((r) => r.eventId))).toEqual(new Set(ids));
    expect(inOrderPerSubject(rows)).toBe(true);
    const byInstance = new Set(rows.map((r) => r.instance));
    expect(byInstance).toEqual(new Set(["search-1", "search-2"]));
    // A subject is only ever handled by the instance that owns its partition.
    const owner = new Map<string, string>();
    for (const row of rows) {
      expect(owner.get(row.subject) ?? row.instance).toBe(row.instance);
      owner.set(row.subject, row.instance);
    }
  });

  it("when an instance stops, the other takes over its partitions and nothing is lost", async () => {
    const { producer, producerDb, consumerDb, consumer } = await setup();
    const subjects = Array.from({ length: 16 }, uuid);
    const first = await consumer(consumerDb, "search", "search-1");
    const second = await consumer(consumerDb, "search", "search-2");
    await Promise.all([first.start(), second.start(), producer.start()]);
    await publishMany(producer, producerDb.db, subjects, 5);
    await second.stop();
    await publishMany(producer, producerDb.db, subjects, 5).then(() => undefined);
    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length >= 160,
      { what: "160 effects" },
    );
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(160);
    await waitFor(
      async () => first.consumerGroups()[0]!.partitions.length,
      (n) => n === 8,
      { what: "takeover" },
    );
  });

  it("gives every event to every group", async () => {
    const { producer, producerDb, consumerDb, consumer } = await setup();
    const otherDb = await serviceDatabase("events_other");
    cleanups.push(otherDb.drop);
    const search = await consumer(consumerDb, "search", "search-1");
    const reporting = await consumer(otherDb, "reporting", "reporting-1", { service: "reporting" });
    await Promise.all([search.start(), reporting.start(), producer.start()]);
    const ids = await publishMany(producer, producerDb.db, [uuid(), uuid()], 25);
    for (const db of [consumerDb.db, otherDb.db]) {
      const rows = await waitFor(
        () => effects(db),
        (r) => r.length >= 50,
        { what: "50 effects per group" },
      );
      expect(new Set(rows.map((r) => r.eventId))).toEqual(new Set(ids));
    }
  });

  it("retries a poison event, dead-letters it after the last attempt while later events flow, and replays it once after a fix", async () => {
    const { producer, producerDb, consumerDb, log, buses } = await setup();
    const poison = uuid();
    const healthy = uuid();
    let broken = true;
    let attempts = 0;
    const bus = makeBus(consumerDb, await log.transport(), {
      service: "search",
      retry: { maxAttempts: 3, baseDelayMs: 20 },
    });
    buses.push(bus);
    const record = recordEffect("search", "search-1");
    bus.subscribe("search", ["catalog.category.created"], async (event, tx, context) => {
      if (event.subject === poison && broken) {
        attempts++;
        expect(context.attempt).toBe(attempts);
        throw new Error("the search index rejected it");
      }
      await record(event, tx);
    });
    await Promise.all([bus.start(), producer.start()]);
    await publishMany(producer, producerDb.db, [poison, healthy], 3);

    const letters = await waitFor(
      () => bus.listDeadLetters({ limit: 10, offset: 0 }),
      (list) => list.total === 3,
      { what: "3 dead letters" },
    );
    expect(attempts).toBe(9);
    expect(letters.data.map((l) => [l.eventType, l.attempts, l.group])).toEqual(
      Array(3).fill(["catalog.category.created", 3, "search"]),
    );
    expect(letters.data[0]!.error).toContain("the search index rejected it");
    // Events after the poison, of another subject, were not blocked.
    await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length === 3,
      { what: "the healthy subject's events" },
    );

    broken = false;
    const results = await bus.replayDeadLetters("search");
    expect(results.map((r) => r.outcome)).toEqual(["handled", "handled", "handled"]);
    const rows = await effects(consumerDb.db);
    expect(rows.filter((r) => r.subject === poison).map((r) => r.position)).toEqual([1, 2, 3]);
    // Replaying again has no second effect.
    expect(await bus.replayDeadLetter(letters.data[0]!.id)).toEqual({
      id: letters.data[0]!.id,
      outcome: "already_replayed",
    });
    expect((await bus.listDeadLetters({ limit: 10, offset: 0 })).total).toBe(0);
    expect(await effects(consumerDb.db)).toHaveLength(6);
  });

  it("runs the work handlers defer to a batch's end once per batch, in its transaction: a failure there undoes the whole batch", async () => {
    const { producer, producerDb, consumerDb, log, buses } = await setup();
    const subject = uuid();
    const poison = 20;
    // The consumer starts after the events are in the log: it reads them in batches.
    await producer.start();
    await publishMany(producer, producerDb.db, [subject], 41);
    const flushes: number[] = [];
    const bus = makeBus(consumerDb, await log.transport(), { service: "search", batchSize: 10 });
    buses.push(bus);
    bus.subscribe("search", ["catalog.category.created"], async (event, _tx, { batch }) => {
      batch
        .part(
          "effects",
          () => [] as (typeof event)[],
          async (tx, events) => {
            if (events.some((e) => e.data.position === poison)) throw new Error("the fold refused the batch");
            flushes.push(events.length);
            for (const e of events) await recordEffect("search", "search-1")(e, tx);
          },
        )
        .push(event);
    });
    await bus.start();

    const letters = await waitFor(
      () => bus.listDeadLetters({ limit: 10, offset: 0 }),
      (list) => list.total === 1,
      { what: "the poison's dead letter" },
    );
    expect(letters.data[0]!.error).toContain("the fold refused the batch");
    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length === 40,
      { what: "40 effects" },
    );
    // Each event once, in order, the poison's not: the batch it shared with others was undone whole,
    // then each of its events handled alone (a batch of one, flushed the same way); the other batches
    // folded their events into one flush each.
    const expected = Array.from({ length: 41 }, (_, i) => i + 1).filter((p) => p !== poison);
    expect(rows.map((r) => r.position)).toEqual(expected);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(40);
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...flushes)).toBeGreaterThan(1);
    expect(flushes.length).toBeLessThan(40);
  });

  it("dead-letters an event whose payload breaks its contract at once, naming it", async () => {
    const { consumerDb, log, buses, consumer } = await setup();
    const transport: EventTransport = await log.transport();
    const bus = await consumer(consumerDb, "search", "search-1");
    await bus.start();
    const id = uuid();
    await transport.append("catalog", [
      {
        partition: 0,
        envelope: {
          id,
          type: "catalog.category.created",
          source: "catalog",
          subject: "s",
          occurredAt: new Date().toISOString(),
          version: 1,
          data: { id: "nope" },
        },
      },
    ]);
    const letters = await waitFor(
      () => bus.listDeadLetters({ limit: 10, offset: 0 }),
      (l) => l.total === 1,
    );
    expect(letters.data[0]!.attempts).toBe(1);
    expect(letters.data[0]!.error).toMatch(new RegExp(`invalid "catalog.category.created" event ${id}`));
    expect(buses.length).toBeGreaterThan(0);
  });

  it("a relay that dies after sending but before marking sent sends the batch again, with no second effect", async () => {
    const { producerDb, consumerDb, consumer, log, buses } = await setup();
    const real = await log.transport();
    let crashes = 0;
    // The batch reaches the transport, then the relay "dies" before its UPDATE commits.
    const crashing: EventTransport = Object.assign(Object.create(real) as EventTransport, {
      append: async (stream: string, events: Parameters<EventTransport["append"]>[1]) => {
        await real.append(stream, events);
        if (crashes++ < 2) throw new Error("killed between send and mark-sent");
      },
    });
    const producer = makeBus(producerDb, crashing, { service: "catalog" });
    buses.push(producer);
    const ids = await publishMany(producer, producerDb.db, [uuid(), uuid()], 10);
    const bus = await consumer(consumerDb, "search", "search-1");
    await Promise.all([producer.start(), bus.start()]);
    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length >= 20,
      { what: "20 effects" },
    );
    await waitFor(
      async () => (await producerDb.db.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL")).rows[0].n,
      (n) => n === 0,
      { what: "the outbox to be marked sent" },
    );
    expect(crashes).toBe(3);
    expect(await effects(consumerDb.db)).toHaveLength(20);
    expect(new Set(rows.map((r) => r.eventId))).toEqual(new Set(ids));
    expect(inOrderPerSubject(rows)).toBe(true);
  });

  it("gathers the commits of a burst into few batches, and sends a lone commit at once", async () => {
    const { producerDb, consumerDb, consumer, log, buses } = await setup();
    const real = await log.transport();
    let appends = 0;
    const counting: EventTransport = Object.assign(Object.create(real) as EventTransport, {
      append: async (stream: string, events: Parameters<EventTransport["append"]>[1]) => {
        appends++;
        await real.append(stream, events);
      },
    });
    const producer = makeBus(producerDb, counting, { service: "catalog", relay: { minBatchIntervalMs: 50 } });
    buses.push(producer);
    const bus = await consumer(consumerDb, "search", "search-1");
    await Promise.all([producer.start(), bus.start()]);

    // Idle: one commit goes out at once, not after a pause.
    const started = Date.now();
    await publishMany(producer, producerDb.db, [uuid()], 1);
    await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length === 1,
      { what: "the lone event" },
    );
    expect(Date.now() - started).toBeLessThan(5_000); // a reader looks on its own every 10 s

    // A burst of 60 transactions, each committed (and notified) on its own.
    appends = 0;
    const burstStarted = Date.now();
    await publishMany(producer, producerDb.db, [uuid()], 60);
    const burstMs = Date.now() - burstStarted;
    await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length === 61,
      { what: "61 effects" },
    );
    // At most one batch per 50 ms of the burst (and the one after it), far fewer than the commits.
    expect(appends).toBeLessThanOrEqual(Math.ceil(burstMs / 50) + 2);
    expect(appends).toBeLessThan(30);
    expect(inOrderPerSubject(await effects(consumerDb.db))).toBe(true);
  });

  it("two relays of one service share its outbox: each event is sent by exactly one of them, in order per subject", async () => {
    const { producerDb, consumerDb, consumer, log, buses } = await setup();
    const one = makeBus(producerDb, await log.transport(), {
      service: "catalog",
      instance: "catalog-1",
      relay: { batchSize: 7, pollIntervalMs: 20 },
    });
    const two = makeBus(producerDb, await log.transport(), {
      service: "catalog",
      instance: "catalog-2",
      relay: { batchSize: 7, pollIntervalMs: 20 },
    });
    buses.push(one, two);
    const bus = await consumer(consumerDb, "search", "search-1");
    await Promise.all([one.start(), two.start(), bus.start()]);
    const subjects = Array.from({ length: 5 }, uuid);
    const ids = (
      await Promise.all([
        publishMany(one, producerDb.db, subjects, 20),
        publishMany(
          two,
          producerDb.db,
          subjects.map(() => uuid()),
          20,
        ),
      ])
    ).flat();
    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length >= ids.length,
      { what: "200 effects" },
    );
    expect(one.relay.sent + two.relay.sent).toBe(200);
    expect(new Set(rows.map((r) => r.eventId))).toEqual(new Set(ids));
    expect(inOrderPerSubject(rows)).toBe(true);
  });

  it("prunes sent outbox rows after the retention period, never unsent ones", async () => {
    const { producerDb, log, buses } = await setup();
    const writer = makeBus(producerDb, await log.transport(), { service: "catalog" });
    await publishMany(writer, producerDb.db, [uuid()], 3);
    // An unsent row that is old: it must survive pruning.
    await producerDb.db.query("UPDATE outbox SET created_at = now() - interval '30 days'");
    const relay = makeBus(producerDb, await log.transport(), {
      service: "catalog",
      relay: { retentionMs: 60_000, pruneIntervalMs: 50, pollIntervalMs: 20 },
    });
    buses.push(relay);
    await producerDb.db.query(
      "INSERT INTO outbox (id, type, subject, partition, envelope, sent_at) SELECT gen_random_uuid(), type, subject, partition, envelope, now() - interval '2 minutes' FROM outbox LIMIT 1",
    );
    await relay.start();
    const counts = async () =>
      (
        await producerDb.db.query<{ unsent: number; sent: number }>(
          "SELECT count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent, count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent FROM outbox",
        )
      ).rows[0]!;
    // The 3 are sent (and kept: younger than the retention); the one sent 2 minutes ago is pruned.
    await waitFor(counts, (c) => c.unsent === 0 && c.sent === 3, { what: "3 sent rows kept, 1 pruned" });
  });

  it("a consumer that was down while 10,000 events were produced catches up, in order per subject", async () => {
    const { producer, producerDb, consumerDb, consumer } = await setup();
    const subjects = Array.from({ length: 100 }, uuid);
    // Produced in bulk (100 per transaction) while no consumer runs.
    const client = await producerDb.db.connect();
    for (let position = 1; position <= 100; position++) {
      await client.query("BEGIN");
      for (const subject of subjects) await producer.publish(client, category(subject, position));
      await client.query("COMMIT");
    }
    client.release();
    await producer.start();
    await waitFor(
      async () => (await producerDb.db.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL")).rows[0].n,
      (n) => n === 0,
      { what: "the outbox to drain", timeoutMs: 60_000 },
    );
    const bus = await consumer(consumerDb, "search", "search-1");
    await bus.start();
    const rows = await waitFor(
      () => effects(consumerDb.db),
      (r) => r.length >= 10_000,
      {
        what: "10,000 effects",
        timeoutMs: 120_000,
      },
    );
    expect(rows).toHaveLength(10_000);
    expect(inOrderPerSubject(rows)).toBe(true);
  }, 180_000);
});

import { getEventListeners } from "node:events";
import { partitionOf } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "../src/pg-log/notifier";
import { createPgLogTransport } from "../src/pg-log/pg-log.transport";
import { createTestDatabase, type TestDatabase, testLogger } from "@comptoir/testing";
import { event, streamName, subjectsInDistinctPartitions, transportContract } from "./transport.contract";

let log: TestDatabase;
beforeAll(async () => {
  log = await createTestDatabase("pg_log_contract");
});
afterAll(async () => {
  await log?.drop();
});

const open = () => createPgLogTransport({ url: log.url, logger: testLogger("events") });

transportContract("PostgreSQL event log", open);

describe("PostgreSQL event log specifics", () => {
  it("a reader that finds events without waiting leaves no waiter behind (no timer, no abort listener)", async () => {
    const transport = await open();
    try {
      const stream = streamName();
      const [subject] = subjectsInDistinctPartitions(1);
      const reader = await transport.openReader("g-leftovers", stream, partitionOf(subject!));
      const stopping = new AbortController();
      for (let i = 1; i <= 20; i++) {
        await transport.append(stream, [event(stream, subject!, i)]);
        const got = await reader.fetch(10, 30_000, stopping.signal);
        expect(got).toHaveLength(1);
        await reader.ack(got[0]!);
      }
      // Twenty reads that found their event at once: each one's wait was cancelled, none lingers.
      expect(getEventListeners(stopping.signal, "abort")).toHaveLength(0);
      await reader.close();
    } finally {
      await transport.close();
    }
  });

  it("an append wakes the waiters of the stream's partitions it wrote, and no other", async () => {
    const transport = await open();
    const notifier = new Notifier(log.url, testLogger("notifier"));
    try {
      await notifier.start();
      const stream = streamName();
      const [mine, other] = subjectsInDistinctPartitions(2);
      const started = Date.now();
      const timed = (wait: Promise<void>) => wait.then(() => Date.now() - started);
      const waits = {
        partition: timed(notifier.wait(stream, 20_000, undefined, partitionOf(mine!))),
        stream: timed(notifier.wait(stream, 20_000)),
        anyStream: timed(notifier.wait(undefined, 20_000)),
        otherPartition: timed(notifier.wait(stream, 1_500, undefined, partitionOf(other!))),
        otherStream: timed(notifier.wait(streamName(), 1_500)),
      };
      await new Promise((r) => setTimeout(r, 100));
      await transport.append(stream, [event(stream, mine!, 1)]);
      // Woken, not timed out (their wait is 20 s; load may delay a wake-up, never by that much).
      expect(await waits.partition).toBeLessThan(10_000);
      expect(await waits.stream).toBeLessThan(10_000);
      expect(await waits.anyStream).toBeLessThan(10_000);
      // Not woken for nothing: they waited their full time.
      expect(await waits.otherPartition).toBeGreaterThanOrEqual(1_450);
      expect(await waits.otherStream).toBeGreaterThanOrEqual(1_450);

      // And a reader of the partition gets the event without waiting out its fetch.
      const reader = await transport.openReader("g-wake", stream, partitionOf(mine!));
      const fetched = reader.fetch(10, 5_000);
      expect(await fetched).toHaveLength(1);
      await reader.close();
    } finally {
      await notifier.close();
      await transport.close();
    }
  });

  it("wakes every waiter once its listener is back after losing its connection, for what was appended meanwhile", async () => {
    const transport = await open();
    const notifier = new Notifier(log.url, testLogger("notifier"));
    try {
      await notifier.start();
      const stream = streamName();
      const started = Date.now();
      const timed = (wait: Promise<void>) => wait.then(() => Date.now() - started);
      const beforeDrop = timed(notifier.wait(stream, 30_000));
      await log.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'comptoir-events-listener' AND datname = current_database()`,
      );
      // Woken by the drop itself (a reader then reads again)...
      expect(await beforeDrop).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 300)); // the drop's last echoes (the client reports it twice)
      // ...and this append's notification is lost: nobody listens until the reconnection, a second
      // after the drop. Only the wake-up after it ends this wait before its 30 s.
      const afterDrop = timed(notifier.wait(stream, 30_000));
      await transport.append(stream, [event(stream, subjectsInDistinctPartitions(1)[0]!, 1)]);
      expect(await afterDrop).toBeLessThan(15_000);
    } finally {
      await notifier.close();
      await transport.close();
    }
  }, 60_000);

  it("waits 10 s on its own between NOTIFY wake-ups, and an idle reader's wait ends as soon as it is stopped", async () => {
    const transport = await open();
    try {
      expect(transport.idleWaitMs).toBe(10_000);
      const reader = await transport.openReader("g-stop", streamName(), 0);
      const stopping = new AbortController();
      const started = Date.now();
      const fetched = reader.fetch(10, 30_000, stopping.signal);
      setTimeout(() => stopping.abort(), 100);
      expect(await fetched).toEqual([]);
      expect(Date.now() - started).toBeLessThan(10_000); // its wait was 30 s
      await reader.close();
    } finally {
      await transport.close();
    }
  });
});

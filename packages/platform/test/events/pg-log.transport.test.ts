import { partitionOf } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "../../src/events/pg-log/notifier";
import { createPgLogTransport } from "../../src/events/pg-log/pg-log.transport";
import { createTestDatabase, type TestDatabase, testLogger } from "../../src/testing";
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
        partition: timed(notifier.wait(stream, 3_000, undefined, partitionOf(mine!))),
        stream: timed(notifier.wait(stream, 3_000)),
        anyStream: timed(notifier.wait(undefined, 3_000)),
        otherPartition: timed(notifier.wait(stream, 1_500, undefined, partitionOf(other!))),
        otherStream: timed(notifier.wait(streamName(), 1_500)),
      };
      await new Promise((r) => setTimeout(r, 100));
      await transport.append(stream, [event(stream, mine!, 1)]);
      expect(await waits.partition).toBeLessThan(1_400);
      expect(await waits.stream).toBeLessThan(1_400);
      expect(await waits.anyStream).toBeLessThan(1_400);
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
});

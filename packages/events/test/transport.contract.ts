import { randomBytes } from "node:crypto";
import { EVENT_PARTITIONS, partitionOf, type RawEnvelope } from "@comptoir/contracts";
import { v7 as uuidv7 } from "uuid";
import { afterAll, describe, expect, it } from "vitest";
import type { AppendedEvent, Delivery, EventTransport, PartitionReader } from "../src/transport";

/**
 * The behaviour every EventTransport must have, checked against the real thing. Each test uses
 * streams of its own (random names), so tests neither see each other's events nor depend on order.
 *
 * `makeTransport` returns a new, connected transport at each call (the contract closes them).
 */
export function transportContract(name: string, makeTransport: () => Promise<EventTransport>): void {
  describe(`EventTransport contract: ${name}`, () => {
    const opened: EventTransport[] = [];
    const open = async () => {
      const transport = await makeTransport();
      opened.push(transport);
      return transport;
    };
    const readers: PartitionReader[] = [];
    const reader = async (transport: EventTransport, group: string, stream: string, partition: number) => {
      const r = await transport.openReader(group, stream, partition);
      readers.push(r);
      return r;
    };

    afterAll(async () => {
      await Promise.all(readers.map((r) => r.close().catch(() => {})));
      await Promise.all(opened.map((t) => t.close().catch(() => {})));
    });

    it("describes itself", async () => {
      const transport = await open();
      expect(["postgres", "jetstream"]).toContain(transport.kind);
      expect(transport.description).toEqual(expect.any(String));
      expect(transport.description.length).toBeGreaterThan(0);
    });

    it("delivers a partition's events in order, with increasing sequences and deliveryCount 1", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `order-${token()}`;
      const events = Array.from({ length: 20 }, (_, i) => event(stream, subject, i + 1));
      await transport.append(stream, events.slice(0, 15));
      await transport.append(stream, events.slice(15));
      const r = await reader(transport, group(), stream, partitionOf(subject));
      const got = await read(r, events.length);
      expect(got.map((d) => d.envelope)).toEqual(events.map((e) => e.envelope));
      for (let i = 1; i < got.length; i++) expect(got[i]!.sequence).toBeGreaterThan(got[i - 1]!.sequence);
      expect(got.every((d) => d.deliveryCount === 1)).toBe(true);
      expect(await r.fetch(10, 300)).toEqual([]);
    });

    it("keeps each partition's order when a batch mixes partitions", async () => {
      const transport = await open();
      const stream = streamName();
      const subjects = subjectsInDistinctPartitions(3);
      const events: AppendedEvent[] = [];
      for (let position = 1; position <= 4; position++) {
        for (const subject of subjects) events.push(event(stream, subject, position));
      }
      await transport.append(stream, events);
      const g = group();
      for (const subject of subjects) {
        const r = await reader(transport, g, stream, partitionOf(subject));
        const got = await read(r, 4);
        expect(got.map((d) => d.envelope.id)).toEqual(
          events.filter((e) => e.envelope.subject === subject).map((e) => e.envelope.id),
        );
      }
    });

    it("ignores an id it already stored (a batch sent twice)", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `dup-${token()}`;
      const [a, b, c] = [event(stream, subject, 1), event(stream, subject, 2), event(stream, subject, 3)];
      await transport.append(stream, [a, b]);
      await transport.append(stream, [a, b, c]);
      await transport.append(stream, [b]);
      const r = await reader(transport, group(), stream, partitionOf(subject));
      const got = await read(r, 3);
      expect(got.map((d) => d.envelope.id)).toEqual([a.envelope.id, b.envelope.id, c.envelope.id]);
      expect(await r.fetch(10, 300)).toEqual([]);
    });

    it("accepts an empty batch", async () => {
      const transport = await open();
      await transport.append(streamName(), []);
    });

    it("gives every event to every group", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `groups-${token()}`;
      const events = [event(stream, subject, 1), event(stream, subject, 2), event(stream, subject, 3)];
      await transport.append(stream, events);
      const partition = partitionOf(subject);
      const first = await read(await reader(transport, group(), stream, partition), 3);
      const second = await read(await reader(transport, group(), stream, partition), 3);
      expect(first.map((d) => d.envelope.id)).toEqual(events.map((e) => e.envelope.id));
      expect(second.map((d) => d.envelope.id)).toEqual(events.map((e) => e.envelope.id));
    });

    it("gives a reader of another partition none of them", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `part-${token()}`;
      await transport.append(stream, [event(stream, subject, 1), event(stream, subject, 2)]);
      const other = (partitionOf(subject) + 1) % EVENT_PARTITIONS;
      const r = await reader(transport, group(), stream, other);
      expect(await r.fetch(10, 300)).toEqual([]);
    });

    it("does not deliver an acknowledged event to the group again", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `acked-${token()}`;
      const g = group();
      const partition = partitionOf(subject);
      const [a, b] = [event(stream, subject, 1), event(stream, subject, 2)];
      await transport.append(stream, [a, b]);
      const first = await reader(transport, g, stream, partition);
      expect((await read(first, 2)).map((d) => d.envelope.id)).toEqual([a.envelope.id, b.envelope.id]);
      await first.close();

      const c = event(stream, subject, 3);
      await transport.append(stream, [c]);
      const second = await reader(transport, g, stream, partition);
      const got = await read(second, 1);
      expect(got.map((d) => d.envelope.id)).toEqual([c.envelope.id]);
      expect(await second.fetch(10, 300)).toEqual([]);
    });

    it("delivers an unacknowledged event again to the group's next reader", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `unacked-${token()}`;
      const g = group();
      const partition = partitionOf(subject);
      const [a, b] = [event(stream, subject, 1), event(stream, subject, 2)];
      await transport.append(stream, [a, b]);
      const first = await reader(transport, g, stream, partition);
      const [delivered] = await first.fetch(1, 5000);
      expect(delivered?.envelope.id).toBe(a.envelope.id);
      await first.close(); // without ack

      const second = await reader(transport, g, stream, partition);
      const got = await read(second, 2, { timeoutMs: 15_000 });
      expect(got.map((d) => d.envelope.id)).toEqual([a.envelope.id, b.envelope.id]);
      expect(got[0]!.sequence).toBe(delivered!.sequence);
    });

    it("delivers an unacknowledged event again on another connection (another instance)", async () => {
      const stream = streamName();
      const subject = `handover-${token()}`;
      const g = group();
      const partition = partitionOf(subject);
      const one = await open();
      const two = await open();
      const a = event(stream, subject, 1);
      await one.append(stream, [a]);
      const first = await reader(one, g, stream, partition);
      const [delivered] = await first.fetch(1, 5000);
      expect(delivered?.envelope.id).toBe(a.envelope.id);
      await first.close();
      await one.close();

      const got = await read(await reader(two, g, stream, partition), 1, { timeoutMs: 15_000 });
      expect(got.map((d) => d.envelope.id)).toEqual([a.envelope.id]);
    });

    it("resetGroup makes the group's next readers start from the beginning", async () => {
      const transport = await open();
      const stream = streamName();
      const subjects = subjectsInDistinctPartitions(2);
      const events = subjects.flatMap((subject) => [event(stream, subject, 1), event(stream, subject, 2)]);
      await transport.append(stream, events);
      const g = group();
      for (const subject of subjects) {
        const r = await reader(transport, g, stream, partitionOf(subject));
        expect(await read(r, 2)).toHaveLength(2);
        await r.close();
      }
      await transport.resetGroup(g, [stream]);
      for (const subject of subjects) {
        const r = await reader(transport, g, stream, partitionOf(subject));
        const got = await read(r, 2);
        expect(got.map((d) => d.envelope.id)).toEqual(
          events.filter((e) => e.envelope.subject === subject).map((e) => e.envelope.id),
        );
        expect(await r.fetch(10, 300)).toEqual([]);
      }
      // A group or stream never seen is fine too.
      await transport.resetGroup(group(), [streamName()]);
    });

    it("lag counts the events a group has not acknowledged, down to 0", async () => {
      const transport = await open();
      const stream = streamName();
      const idle = streamName();
      const subjects = subjectsInDistinctPartitions(2);
      const events = subjects.flatMap((subject) => [1, 2, 3].map((position) => event(stream, subject, position)));
      await transport.append(stream, events);
      const g = group();
      expect(await transport.lag(g, [stream, idle])).toEqual({ [stream]: 6, [idle]: 0 });

      // Delivered but not acknowledged: still lag.
      const r0 = await reader(transport, g, stream, partitionOf(subjects[0]!));
      const [unacked] = await r0.fetch(1, 5000);
      expect(unacked).toBeDefined();
      expect((await transport.lag(g, [stream]))[stream]).toBe(6);
      await r0.ack(unacked!);
      await r0.close();
      await eventually(async () => expect((await transport.lag(g, [stream]))[stream]).toBe(5));

      for (const subject of subjects) {
        const r = await reader(transport, g, stream, partitionOf(subject));
        await read(r, subject === subjects[0] ? 2 : 3);
        await r.close();
      }
      await eventually(async () => expect(await transport.lag(g, [stream])).toEqual({ [stream]: 0 }));
      // Another group has read nothing.
      expect((await transport.lag(group(), [stream]))[stream]).toBe(6);
    });

    it("tail yields events appended after it started, until aborted", async () => {
      const transport = await open();
      const stream = streamName();
      const subject = `tail-${token()}`;
      const before = event(stream, subject, 1);
      await transport.append(stream, [before]);

      const controller = new AbortController();
      const seen: RawEnvelope[] = [];
      const iterator = transport.tail(controller.signal)[Symbol.asyncIterator]();
      const consuming = (async () => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          seen.push(next.value);
        }
      })();
      await sleep(1000); // tail has started (listed what exists) before the next append

      const after = [event(stream, subject, 2), event(stream, subject, 3)];
      await transport.append(stream, after);
      const fresh = streamName(); // a stream created after the tail started
      const elsewhere = event(fresh, `tail-${token()}`, 1);
      await transport.append(fresh, [elsewhere]);

      await eventually(
        async () => {
          const ids = seen.map((e) => e.id);
          expect(ids).toEqual(expect.arrayContaining([...after.map((e) => e.envelope.id), elsewhere.envelope.id]));
        },
        { timeoutMs: 15_000 },
      );
      const ids = seen.map((e) => e.id);
      expect(ids).not.toContain(before.envelope.id);
      const mine = seen.filter((e) => e.source === stream);
      expect(mine).toEqual(after.map((e) => e.envelope));

      controller.abort();
      await withTimeout(consuming, 10_000, "tail did not end after abort");
    });

    it("ping resolves while connected and rejects once closed", async () => {
      const transport = await makeTransport();
      await transport.ping();
      await transport.close();
      await expect(transport.ping()).rejects.toThrow();
    });
  });
}

/** Reads `count` deliveries (acknowledging each in order unless `ack` is false) or times out. */
export async function read(
  reader: PartitionReader,
  count: number,
  { ack = true, timeoutMs = 10_000 }: { ack?: boolean; timeoutMs?: number } = {},
): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count) {
    if (Date.now() > deadline) {
      throw new Error(`read ${got.length} of ${count} deliveries within ${timeoutMs} ms`);
    }
    for (const delivery of await reader.fetch(count - got.length, 500)) {
      got.push(delivery);
      if (ack) await reader.ack(delivery);
    }
  }
  return got;
}

export function event(stream: string, subject: string, position: number): AppendedEvent {
  const envelope: RawEnvelope = {
    id: uuidv7(),
    type: "test.thing.happened",
    source: stream,
    subject,
    occurredAt: new Date().toISOString(),
    version: 1,
    data: { position, text: "Crème brûlée — 5 €" },
    traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`,
  };
  return { envelope, partition: partitionOf(subject) };
}

/** A stream name no other test (or run) uses: lower-case letters and digits. */
export function streamName(): string {
  return `s${token()}`;
}

function group(): string {
  return `g${token()}`;
}

function token(): string {
  return randomBytes(5).toString("hex");
}

/** `n` subjects, each in a partition of its own. */
export function subjectsInDistinctPartitions(n: number): string[] {
  const byPartition = new Map<number, string>();
  const base = token();
  for (let i = 0; byPartition.size < n; i++) {
    const subject = `subject-${base}-${i}`;
    if (!byPartition.has(partitionOf(subject))) byPartition.set(partitionOf(subject), subject);
  }
  return [...byPartition.values()];
}

async function eventually(check: () => Promise<void>, { timeoutMs = 10_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

import { randomBytes } from "node:crypto";
import { partitionOf } from "@comptoir/contracts";
import { AckPolicy, DeliverPolicy, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJetStreamTransport, MAX_ACK_PENDING, jetStreamNames } from "../src/jetstream/jetstream.transport";
import type { EventTransport } from "../src/transport";
import { testLogger } from "@comptoir/testing";
import { event, read, streamName, transportContract } from "./transport.contract";

const natsUrl = process.env.TEST_NATS_URL;
if (process.env.COMPTOIR_REQUIRE_REAL_INFRA && !natsUrl) {
  throw new Error(
    "COMPTOIR_REQUIRE_REAL_INFRA is set but TEST_NATS_URL is not: the JetStream transport tests must run",
  );
}

/** This run's streams and subjects: `T<random>_*` and `t<random>.*`, deleted at the end. */
const prefix = `t${randomBytes(5).toString("hex")}`;
const names = jetStreamNames(prefix);
const ACK_WAIT_MS = 1500;

function makeTransport(options: { ackWaitMs?: number } = {}): Promise<EventTransport> {
  return createJetStreamTransport({
    url: natsUrl!,
    logger: testLogger("events"),
    name: `test-${randomBytes(4).toString("hex")}`,
    prefix,
    ackWaitMs: options.ackWaitMs ?? ACK_WAIT_MS,
  });
}

if (natsUrl) {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: new URL(natsUrl).host, name: "jetstream-transport-test" });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    for await (const stream of jsm.streams.names()) {
      if (stream.startsWith(names.streamPrefix)) await jsm.streams.delete(stream);
    }
    await nc.close();
  });

  transportContract("jetstream", () => makeTransport());

  describe("JetStream transport specifics", () => {
    const opened: EventTransport[] = [];
    const open = async (options: { ackWaitMs?: number } = {}) => {
      const transport = await makeTransport(options);
      opened.push(transport);
      return transport;
    };
    afterAll(async () => {
      await Promise.all(opened.map((t) => t.close().catch(() => {})));
    });

    it("maps streams, subjects and consumers as documented", async () => {
      const transport = await open();
      const stream = streamName();
      const e = event(stream, "mapping-1", 1);
      await transport.append(stream, [e]);
      const reader = await transport.openReader("reporting", stream, e.partition);

      const info = await jsm.streams.info(`${prefix.toUpperCase()}_${stream.toUpperCase()}`);
      expect(info.config.subjects).toEqual([`${prefix}.${stream}.>`]);
      expect(info.config.storage).toBe("file");
      expect(info.config.retention).toBe("limits");
      expect(info.config.duplicate_window).toBe(nanos(120_000));
      expect(info.config.max_age).toBe(nanos(30 * 24 * 3600 * 1000));

      const message = await jsm.streams.getMessage(info.config.name, { seq: 1 });
      expect(message?.subject).toBe(`${prefix}.${stream}.${e.partition}.test.thing.happened`);
      expect(message?.json()).toEqual(e.envelope);
      expect(message?.header.get("Nats-Msg-Id")).toBe(e.envelope.id);
      expect(message?.header.get("traceparent")).toBe(e.envelope.traceparent);

      const consumer = await jsm.consumers.info(info.config.name, `reporting_${stream}_p${e.partition}`);
      expect(consumer.config).toMatchObject({
        durable_name: `reporting_${stream}_p${e.partition}`,
        filter_subject: `${prefix}.${stream}.${e.partition}.>`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(ACK_WAIT_MS),
        max_ack_pending: MAX_ACK_PENDING,
        max_deliver: -1,
      });
      await reader.close();
    });

    it("a reader taking over a partition gets a dead reader's unacknowledged events before newer ones", async () => {
      const transport = await open();
      const stream = streamName();
      const [a, b, c] = [1, 2, 3].map((n) => event(stream, "takeover-1", n)) as [
        ReturnType<typeof event>,
        ReturnType<typeof event>,
        ReturnType<typeof event>,
      ];
      await transport.append(stream, [a, b, c]);
      const dead = await transport.openReader("g", stream, a.partition); // never acks, never closes
      const taken = await dead.fetch(2, 1000);
      expect(taken.map((d) => d.envelope.id)).toEqual([a.envelope.id, b.envelope.id]);
      const next = await transport.openReader("g", stream, a.partition);
      const got = await read(next, 3, { timeoutMs: 15_000 });
      expect(got.map((d) => d.envelope.id)).toEqual([a.envelope.id, b.envelope.id, c.envelope.id]);
      expect(got.map((d) => d.deliveryCount)).toEqual([2, 2, 1]);
      await next.close();
    });

    it("takes a batch of waiting events in one fetch", async () => {
      const transport = await open();
      const stream = streamName();
      const events = Array.from({ length: 30 }, (_, i) => event(stream, "batch-1", i + 1));
      await transport.append(stream, events);
      const reader = await transport.openReader("g", stream, events[0]!.partition);
      const batch = await reader.fetch(25, 1000);
      expect(batch.map((d) => d.envelope.id)).toEqual(events.slice(0, 25).map((e) => e.envelope.id));
      for (const d of batch) await reader.ack(d);
      expect((await reader.fetch(25, 1000)).map((d) => d.envelope.id)).toEqual(
        events.slice(25).map((e) => e.envelope.id),
      );
      await reader.close();
    });

    it("redelivers after ack_wait when a reader dies without closing, with deliveryCount 2", async () => {
      const transport = await open();
      const stream = streamName();
      const a = event(stream, "dies-1", 1);
      await transport.append(stream, [a]);
      const dead = await transport.openReader("g", stream, a.partition); // never acked, never closed
      const [first] = await dead.fetch(1, 1000);
      expect(first?.deliveryCount).toBe(1);
      const started = Date.now();
      const next = await transport.openReader("g", stream, a.partition);
      const [again] = await read(next, 1, { timeoutMs: 10_000 });
      expect(again?.envelope.id).toBe(a.envelope.id);
      expect(again?.sequence).toBe(first?.sequence);
      expect(again?.deliveryCount).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_WAIT_MS - 500);
      await next.close();
    });

    it("working() keeps an event from being redelivered past ack_wait", async () => {
      const transport = await open();
      const stream = streamName();
      const a = event(stream, "slow-1", 1);
      await transport.append(stream, [a]);
      const slow = await transport.openReader("g", stream, a.partition);
      const [first] = await slow.fetch(1, 1000);
      const other = await transport.openReader("g", stream, a.partition);
      const keepAlive = setInterval(() => void slow.working(first!), 500);
      try {
        // Twice the ack wait: without working() the other reader would have it.
        expect(await other.fetch(1, 3000)).toEqual([]);
      } finally {
        clearInterval(keepAlive);
      }
      await slow.ack(first!);
      await slow.close();
      await other.close();
    });

    it("hands out a payload that is not JSON as an envelope the consumer's validation rejects", async () => {
      const transport = await open();
      const stream = streamName();
      const partition = partitionOf("junk");
      await transport.append(stream, [event(stream, "other", 1)]); // creates the stream
      const js = (await import("@nats-io/jetstream")).jetstream(nc);
      await js.publish(`${prefix}.${stream}.${partition}.junk`, "not json {");
      const reader = await transport.openReader("g", stream, partition);
      const [delivery] = await read(reader, 1);
      expect(delivery?.envelope).toMatchObject({ id: "", type: "", version: 0, data: "not json {" });
      await reader.close();
    });

    it("lag counts a partition nobody has read from the stream's messages", async () => {
      const transport = await open();
      const stream = streamName();
      await transport.append(stream, [event(stream, "lag-1", 1), event(stream, "lag-1", 2), event(stream, "lag-2", 1)]);
      expect(await transport.lag("nobody", [stream])).toEqual({ [stream]: 3 });
    });

    it("recreates a stream deleted behind its back", async () => {
      const transport = await open();
      const stream = streamName();
      await transport.append(stream, [event(stream, "gone-1", 1)]);
      await jsm.streams.delete(names.stream(stream));
      const again = event(stream, "gone-1", 2);
      await transport.append(stream, [again]);
      const reader = await transport.openReader("g", stream, again.partition);
      expect((await read(reader, 1)).map((d) => d.envelope.id)).toEqual([again.envelope.id]);
      await reader.close();
    });

    it("clamps waits under the client's 1000 ms minimum instead of failing", async () => {
      const transport = await open();
      const stream = streamName();
      await transport.append(stream, [event(stream, "wait-1", 1)]);
      const reader = await transport.openReader("g", stream, (partitionOf("wait-1") + 1) % 8);
      const started = Date.now();
      expect(await reader.fetch(10, 100)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(3000);
      await reader.close();
    });

    it("fails with the URL when NATS cannot be reached, and hides the password", async () => {
      await expect(
        createJetStreamTransport({ url: "nats://127.0.0.1:1", logger: testLogger("events"), name: "unreachable" }),
      ).rejects.toThrow(/cannot reach NATS at 127\.0\.0\.1:1: /);
      const transport = await open();
      expect(transport.kind).toBe("jetstream");
      const withPassword = await createJetStreamTransport({
        url: natsUrl.replace("nats://", "nats://someone:secret@"),
        logger: testLogger("events"),
        name: "password",
        prefix,
      }).catch((error: Error) => error);
      // The test server has no auth: the connection may be refused or accepted; either way no secret shows.
      const shown = withPassword instanceof Error ? withPassword.message : withPassword.description;
      expect(shown).not.toContain("secret");
      if (!(withPassword instanceof Error)) await withPassword.close();
    });
  });
} else {
  describe.skip("JetStream transport (set TEST_NATS_URL to run)", () => {
    it("runs the transport contract against NATS JetStream", () => {});
  });
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventBus, EventTransport } from "../src";
import {
  category,
  effects,
  inOrderPerSubject,
  makeBus,
  recordEffect,
  serviceDatabase,
  TRANSPORTS,
  waitFor,
} from "./support";

type Command =
  | { kind: "publish"; subject: number; count: number }
  | { kind: "crashRelay" }
  | { kind: "restartConsumer" }
  | { kind: "redeliver" };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("publish" as const),
      subject: fc.nat(3),
      count: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "crashRelay" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "restartConsumer" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "redeliver" as const }) },
);

const SUBJECTS = [
  "0197a000-0000-7000-8000-000000000001",
  "0197a000-0000-7000-8000-000000000002",
  "0197a000-0000-7000-8000-000000000003",
  "0197a000-0000-7000-8000-000000000004",
];

describe.each(TRANSPORTS)("event backbone over $name, property", (kind) => {
  it("any interleaving of publishes, relay crashes, consumer restarts and redeliveries applies each event exactly once, in order per subject", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 12 }), async (commands) => {
        const log = await kind.create();
        const producerDb = await serviceDatabase("prop_producer");
        const consumerDb = await serviceDatabase("prop_consumer");
        const buses: EventBus[] = [];
        try {
          const real = await log.transport();
          let crashNext = false;
          const transport: EventTransport = Object.assign(Object.create(real) as EventTransport, {
            append: async (stream: string, events: Parameters<EventTransport["append"]>[1]) => {
              await real.append(stream, events);
              if (crashNext) {
                crashNext = false;
                throw new Error("relay killed after send");
              }
            },
          });
          const producer = makeBus(producerDb, transport, { service: "catalog" });
          buses.push(producer);
          await producer.start();
          let generation = 0;
          const startConsumer = async () => {
            const bus = makeBus(consumerDb, await log.transport(), {
              service: "search",
              instance: `search-${++generation}`,
            });
            bus.subscribe("search", ["catalog.category.created"], recordEffect("search", "search"));
            await bus.start();
            buses.push(bus);
            return bus;
          };
          let consumer = await startConsumer();
          const positions = SUBJECTS.map(() => 0);
          const published: string[] = [];
          for (const step of commands) {
            if (step.kind === "publish") {
              const client = await producerDb.db.connect();
              await client.query("BEGIN");
              for (let i = 0; i < step.count; i++) {
                const position = ++positions[step.subject]!;
                published.push(await producer.publish(client, category(SUBJECTS[step.subject]!, position)));
              }
              await client.query("COMMIT");
              client.release();
            } else if (step.kind === "crashRelay") {
              crashNext = true;
            } else if (step.kind === "restartConsumer") {
              await consumer.stop();
              consumer = await startConsumer();
            } else {
              await (await log.transport()).resetGroup("search", ["catalog"]);
            }
          }
          const rows = await waitFor(
            () => effects(consumerDb.db),
            (r) => r.length >= published.length,
            {
              what: `${published.length} effects`,
            },
          );
          await new Promise((resolve) => setTimeout(resolve, 200));
          const final = await effects(consumerDb.db);
          expect(final).toHaveLength(published.length);
          expect(new Set(rows.map((r) => r.eventId))).toEqual(new Set(published));
          expect(inOrderPerSubject(final)).toBe(true);
        } finally {
          for (const bus of buses) await bus.stop().catch(() => {});
          await log.cleanup();
          await producerDb.drop();
          await consumerDb.drop();
        }
      }),
      { numRuns: 6 },
    );
  }, 240_000);
});

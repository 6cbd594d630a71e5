import { randomUUID } from "node:crypto";
import type { Tx } from "@comptoir/platform";
import type { EventTransport } from "../src";
import { EventBus, type EventBusOptions, migrateEventTables } from "../src/bus";
import { createPgLogTransport } from "../src/pg-log/pg-log.transport";
import { createTestDatabase, type TestDatabase, testLogger } from "@comptoir/testing";

export interface TransportKind {
  name: "postgres" | "jetstream";
  /** A transport on a log (database or stream namespace) of its own, so tests do not see each other. */
  create(): Promise<{
    transport: () => Promise<EventTransport>;
    /** What a separate process needs in its env to reach the same log. */
    env: Record<string, string>;
    cleanup: () => Promise<void>;
  }>;
}

const natsUrl = process.env.TEST_NATS_URL;
if (process.env.COMPTOIR_REQUIRE_REAL_INFRA && !natsUrl) {
  throw new Error("COMPTOIR_REQUIRE_REAL_INFRA is set but TEST_NATS_URL is not: the JetStream tests must run");
}

export const TRANSPORTS: TransportKind[] = [
  {
    name: "postgres",
    async create() {
      const log = await createTestDatabase("events_log");
      const opened: EventTransport[] = [];
      return {
        env: { EVENT_LOG_URL: log.url },
        transport: async () => {
          const transport = await createPgLogTransport({ url: log.url, logger: testLogger("events") });
          opened.push(transport);
          return transport;
        },
        cleanup: async () => {
          await Promise.all(opened.map((t) => t.close().catch(() => {})));
          await log.drop();
        },
      };
    },
  },
];

if (natsUrl) {
  TRANSPORTS.push({
    name: "jetstream",
    async create() {
      // Each test has streams of its own: a subject/stream prefix no other test uses.
      const { createJetStreamTransport } = await import("../src/jetstream/jetstream.transport");
      const prefix = `t${randomUUID().replaceAll("-", "").slice(0, 10)}`;
      const opened: EventTransport[] = [];
      return {
        env: { NATS_URL: natsUrl, NATS_PREFIX: prefix },
        transport: async () => {
          const transport = await createJetStreamTransport({
            url: natsUrl,
            logger: testLogger("events"),
            name: `test-${randomUUID().slice(0, 8)}`,
            prefix,
            ackWaitMs: 2000,
          });
          opened.push(transport);
          return transport;
        },
        cleanup: async () => {
          await Promise.all(opened.map((t) => t.close().catch(() => {})));
        },
      };
    },
  });
}

/** A service's database with the event tables and a test table `effects` for handlers to write. */
export async function serviceDatabase(prefix: string): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix);
  await migrateEventTables(database.db);
  await database.db.query(`CREATE TABLE effects (
    n bigserial PRIMARY KEY,
    consumer_group text NOT NULL,
    instance text NOT NULL,
    event_id uuid NOT NULL,
    subject text NOT NULL,
    position integer NOT NULL
  )`);
  return database;
}

export function makeBus(
  database: TestDatabase,
  transport: EventTransport,
  options: Partial<EventBusOptions> & { service: string; instance?: string },
): EventBus {
  return new EventBus({
    db: database.db,
    databaseUrl: database.url,
    transport,
    logger: testLogger(options.service),
    instance: options.instance ?? `${options.service}-1`,
    rebalanceMs: 100,
    waitMs: 100,
    retry: { maxAttempts: 3, baseDelayMs: 10 },
    relay: { pollIntervalMs: 200 },
    ...options,
  });
}

/** The handler most tests use: records which instance handled which event, in handling order. */
export function recordEffect(group: string, instance: string) {
  return async (event: { id: string; subject: string; data: { position: number } }, tx: Tx): Promise<void> => {
    await tx.query(
      "INSERT INTO effects (consumer_group, instance, event_id, subject, position) VALUES ($1, $2, $3, $4, $5)",
      [group, instance, event.id, event.subject, event.data.position],
    );
  };
}

export function category(subject: string, position: number) {
  return {
    type: "catalog.category.created" as const,
    subject,
    data: {
      id: subject,
      parentId: null,
      name: `Category ${position}`,
      slug: `c-${position}`,
      description: null,
      position,
    },
  };
}

/** Publishes `count` events per subject, `position` 1..count in order, each in its own transaction. */
export async function publishMany(bus: EventBus, db: TestDatabase["db"], subjects: string[], count: number) {
  const ids: string[] = [];
  for (let position = 1; position <= count; position++) {
    const client = await db.connect();
    try {
      await client.query("BEGIN");
      for (const subject of subjects) ids.push(await bus.publish(client, category(subject, position)));
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  }
  return ids;
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

export async function effects(db: TestDatabase["db"], group?: string) {
  const { rows } = await db.query<{
    group: string;
    instance: string;
    eventId: string;
    subject: string;
    position: number;
  }>(
    `SELECT consumer_group AS "group", instance, event_id AS "eventId", subject, position FROM effects
      WHERE $1::text IS NULL OR consumer_group = $1 ORDER BY n`,
    [group ?? null],
  );
  return rows;
}

/** True when, for every subject, positions were applied in increasing order. */
export function inOrderPerSubject(rows: { subject: string; position: number }[]): boolean {
  const last = new Map<string, number>();
  for (const row of rows) {
    if ((last.get(row.subject) ?? 0) >= row.position) return false;
    last.set(row.subject, row.position);
  }
  return true;
}

export const uuid = () => randomUUID();

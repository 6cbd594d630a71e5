// The event backbone's figures, per transport: end-to-end events/s (outbox write → handler commit)
// with 1 and 2 consumer instances, and delivery latency at a fixed 500 events/s.
// Bundled and run by bench/events.bench.mjs. Producer relay and consumers share this one process.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedPostgres } from "../../packages/cli/src/embedded/postgres";
import { freePorts } from "../../packages/cli/src/launcher/ports";
import { EventBus, migrateEventTables } from "../../packages/platform/src/events/bus";
import { createTransport } from "../../packages/platform/src/events/transport.factory";
import type { EventTransport } from "../../packages/platform/src/events/transport";
import { createPool, type Db, ensureDatabase } from "../../packages/platform/src/db/pool";
import { createLogger } from "../../packages/platform/src/logging/logger";

const logger = createLogger({ service: "bench", instance: "bench", level: "warn" });
const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = 500;
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);

interface Log {
  name: string;
  transport(name: string): Promise<EventTransport>;
}

async function database(server: URL, name: string): Promise<{ url: string; db: Db }> {
  const url = new URL(server);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  const db = createPool(url.toString(), { max: 10 });
  await migrateEventTables(db);
  await db.query("CREATE TABLE IF NOT EXISTS effects (event_id uuid PRIMARY KEY, subject text, position int)");
  return { url: url.toString(), db };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function scenario(server: URL, log: Log, instances: number, mode: "throughput" | "latency") {
  const tag = `b${randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const producer = await database(server, `${tag}_producer`);
  const consumer = await database(server, `${tag}_consumer`);
  const latencies: number[] = [];
  let handled = 0;
  const buses: EventBus[] = [];
  const producerBus = new EventBus({
    service: "catalog",
    instance: "catalog-1",
    db: producer.db,
    databaseUrl: producer.url,
    transport: await log.transport(`${tag}-producer`),
    logger,
  });
  buses.push(producerBus);
  for (let i = 1; i <= instances; i++) {
    const bus = new EventBus({
      service: "search",
      instance: `search-${i}`,
      db: consumer.db,
      databaseUrl: consumer.url,
      transport: await log.transport(`${tag}-search-${i}`),
      logger,
    });
    bus.subscribe("search", ["catalog.category.created"], async (event, tx) => {
      await tx.query("INSERT INTO effects (event_id, subject, position) VALUES ($1, $2, $3)", [
        event.id,
        event.subject,
        event.data.position,
      ]);
      const sent = Number(event.data.description);
      handled++;
      if (mode === "latency") latencies.push(performance.timeOrigin + performance.now() - sent);
    });
    buses.push(bus);
  }
  for (const bus of buses) await bus.start();
  // Wait until the group's instances have split the partitions.
  await new Promise((resolve) => setTimeout(resolve, 2500));

  const subjects = Array.from({ length: 1000 }, () => randomUUID());
  const event = (subject: string, position: number) => ({
    type: "catalog.category.created" as const,
    subject,
    data: {
      id: subject,
      parentId: null,
      name: "n",
      slug: "s",
      description: String(performance.timeOrigin + performance.now()),
      position,
    },
  });
  const publish = async (count: number, position: number) => {
    const client = await producer.db.connect();
    try {
      await client.query("BEGIN");
      for (let i = 0; i < count; i++)
        await producerBus.publish(client, event(subjects[(position * count + i) % 1000]!, position));
      await client.query("COMMIT");
    } finally {
      client.release();
    }
  };

  let result: string;
  const started = performance.now();
  if (mode === "throughput") {
    // Producers write 10 events per transaction, WRITERS transactions in parallel, as fast as they can.
    const perTx = 10;
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < THROUGHPUT_EVENTS / perTx) await publish(perTx, next++);
      }),
    );
    const written = performance.now();
    while (handled < THROUGHPUT_EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    result = `${THROUGHPUT_EVENTS} events in ${seconds.toFixed(2)} s → ${Math.round(THROUGHPUT_EVENTS / seconds)} events/s end to end (writes took ${((written - started) / 1000).toFixed(2)} s)`;
  } else {
    // 5 events every 10 ms, one transaction each, for RATE_SECONDS.
    const total = RATE * RATE_SECONDS;
    let position = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 5; i++) void publish(1, position++);
        if (position >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    while (handled < total) await new Promise((resolve) => setTimeout(resolve, 20));
    latencies.sort((a, b) => a - b);
    result = `${total} events at ${RATE}/s → delivery latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`;
  }
  for (const bus of buses) await bus.stop();
  await producer.db.end();
  await consumer.db.end();
  return result;
}

export async function main(args: string[]): Promise<void> {
  const only = args.find((a) => a.startsWith("--transport="))?.split("=")[1];
  let server: URL;
  let stop = async () => {};
  if (process.env.BENCH_DATABASE_URL) {
    server = new URL(process.env.BENCH_DATABASE_URL);
  } else {
    const dir = await mkdtemp(join(tmpdir(), "comptoir-bench-pg-"));
    await chmod(dir, 0o755);
    const [port] = await freePorts(1, "127.0.0.1");
    const pg = new EmbeddedPostgres({
      dataDir: join(dir, "postgres"),
      passwordFile: join(dir, "postgres.password"),
      logFile: join(dir, "postgres.log"),
      port: port!,
      maxConnections: 200,
    });
    await pg.start();
    server = pg.url("postgres");
    stop = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  console.log(`PostgreSQL: ${server.host}${process.env.BENCH_DATABASE_URL ? " (BENCH_DATABASE_URL)" : " (embedded)"}`);
  const logs: Log[] = [];
  if (!only || only === "postgres") {
    logs.push({
      name: "PostgreSQL event log",
      transport: async (name) => {
        const url = new URL(server);
        url.pathname = "/bench_event_log";
        return createTransport({ eventLogUrl: url.toString(), logger, name });
      },
    });
  }
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  if (!only || only === "jetstream") {
    const prefix = `bench${randomUUID().replaceAll("-", "").slice(0, 6)}`;
    logs.push({
      name: `NATS JetStream (${natsUrl})`,
      transport: (name) => createTransport({ natsUrl, logger, name, prefix }),
    });
  }
  try {
    for (const log of logs) {
      try {
        await (await log.transport("probe")).close();
      } catch (error) {
        console.log(`${log.name}: skipped (${(error as Error).message})`);
        continue;
      }
      console.log(`\n${log.name}`);
      for (const instances of [1, 2]) {
        console.log(
          `  throughput, ${instances} consumer instance(s): ${await scenario(server, log, instances, "throughput")}`,
        );
      }
      console.log(`  latency, 1 consumer instance: ${await scenario(server, log, 1, "latency")}`);
    }
  } finally {
    await stop();
  }
}

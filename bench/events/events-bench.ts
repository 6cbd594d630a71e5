// The event backbone's figures, per transport: end-to-end events/s (outbox write → handler commit)
// with 1 and 2 consumer instances, and delivery latency at a fixed 500 events/s.
// Bundled and run by bench/events.bench.mjs, which prints the header and the verdict from what
// main() returns. Producer relay and consumers share this one process. An event written but not
// handled within DELIVERY_TIMEOUT_MS of the last write, or a write that failed, is an error.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedPostgres } from "../../packages/cli/src/embedded/postgres";
import { freePorts } from "../../packages/cli/src/launcher/ports";
import { EventBus, migrateEventTables } from "../../packages/events/src/bus";
import { createTransport } from "../../packages/events/src/transport.factory";
import type { EventTransport } from "../../packages/events/src/transport";
import { createPool, type Db, ensureDatabase } from "../../packages/platform/src/db/pool";
import { createLogger } from "../../packages/platform/src/logging/logger";
import { pino } from "pino";

let logger = createLogger({ service: "bench", instance: "bench", level: "info" });
let THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = 500;
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
let RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const DELIVERY_TIMEOUT_MS = 30_000;

export interface Figures {
  mode: "throughput" | "latency";
  instances: number;
  written: number;
  handled: number;
  failedWrites: number;
  seconds: number;
  eventsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  text: string;
}

export interface TransportFigures {
  name: string;
  skipped?: string;
  results: Figures[];
}

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

async function scenario(server: URL, log: Log, instances: number, mode: "throughput" | "latency"): Promise<Figures> {
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
  let written = 0;
  let failedWrites = 0;
  const publish = async (count: number, position: number) => {
    const client = await producer.db.connect().catch(() => undefined);
    if (!client) {
      failedWrites += count;
      return;
    }
    try {
      await client.query("BEGIN");
      for (let i = 0; i < count; i++)
        await producerBus.publish(client, event(subjects[(position * count + i) % 1000]!, position));
      await client.query("COMMIT");
      written += count;
    } catch (error) {
      failedWrites += count;
      if (failedWrites === count) logger.error({ err: error }, "a bench write failed");
      await client.query("ROLLBACK").catch(() => {});
    } finally {
      client.release();
    }
  };
  /** Waits until every written event is handled, or DELIVERY_TIMEOUT_MS after the last write. */
  const delivered = async () => {
    const until = performance.now() + DELIVERY_TIMEOUT_MS;
    while (handled < written && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  let result: string;
  let figures: Omit<Figures, "text">;
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
    const writesEnded = performance.now();
    await delivered();
    const seconds = (performance.now() - started) / 1000;
    figures = {
      mode,
      instances,
      written,
      handled,
      failedWrites,
      seconds,
      eventsPerSecond: handled / seconds,
      p50: NaN,
      p95: NaN,
      p99: NaN,
      max: NaN,
    };
    result = `${handled} of ${THROUGHPUT_EVENTS} events handled in ${seconds.toFixed(2)} s → ${Math.round(handled / seconds)} events/s end to end (writes took ${((writesEnded - started) / 1000).toFixed(2)} s)`;
  } else {
    // 5 events every 10 ms, one transaction each, for RATE_SECONDS.
    const total = RATE * RATE_SECONDS;
    let position = 0;
    const writes: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 5; i++) writes.push(publish(1, position++));
        if (position >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await Promise.all(writes);
    await delivered();
    const seconds = (performance.now() - started) / 1000;
    // An event never handled has no latency: it is counted as an error beside the percentiles.
    latencies.sort((a, b) => a - b);
    const [p50, p95, p99, max] = [
      percentile(latencies, 50),
      percentile(latencies, 95),
      percentile(latencies, 99),
      latencies.at(-1) ?? NaN,
    ];
    figures = {
      mode,
      instances,
      written,
      handled,
      failedWrites,
      seconds,
      eventsPerSecond: handled / seconds,
      p50,
      p95,
      p99,
      max,
    };
    result = `${handled} of ${total} events at ${RATE}/s handled → delivery latency p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
  }
  for (const bus of buses) await bus.stop();
  await producer.db.end();
  await consumer.db.end();
  const lost = figures.written + figures.failedWrites - figures.handled;
  return {
    ...figures,
    text: `${result}; errors ${lost} (${figures.failedWrites} failed writes, ${figures.written - figures.handled} written, not handled)`,
  };
}

export async function main(options: {
  transport?: string;
  smoke: boolean;
  logLevel: string;
  logFile: string;
}): Promise<TransportFigures[]> {
  const only = options.transport;
  logger = createLogger({
    service: "bench",
    instance: "bench",
    level: options.logLevel,
    destination: pino.destination({ dest: options.logFile, sync: false }),
  });
  // Smoke: 2,000 events with 1 consumer instance, 3 s at 500 events/s.
  if (options.smoke) {
    THROUGHPUT_EVENTS = Math.min(THROUGHPUT_EVENTS, 2000);
    RATE_SECONDS = Math.min(RATE_SECONDS, 3);
  }
  const figures: TransportFigures[] = [];
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
        figures.push({ name: log.name, skipped: (error as Error).message, results: [] });
        continue;
      }
      console.log(`\n${log.name}`);
      const results: Figures[] = [];
      // Smoke: the 2-instance case left out (it takes as long as the other two together).
      for (const instances of options.smoke ? [1] : [1, 2]) {
        results.push(await scenario(server, log, instances, "throughput"));
        console.log(`  throughput, ${instances} consumer instance(s): ${results.at(-1)!.text}`);
      }
      results.push(await scenario(server, log, 1, "latency"));
      console.log(`  latency, 1 consumer instance: ${results.at(-1)!.text}`);
      figures.push({ name: log.name, results });
    }
  } finally {
    await stop();
  }
  return figures;
}

import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleProcessScript } from "@comptoir/testing";
import { effects, makeBus, publishMany, recordEffect, serviceDatabase, TRANSPORTS, uuid, waitFor } from "./support";

let script: string;
beforeAll(async () => {
  script = await bundleProcessScript(join(import.meta.dirname, "fixtures", "relay-process.ts"));
}, 60_000);

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (script) await rm(dirname(script), { recursive: true, force: true });
});

function startRelay(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.once("exit", () => resolve()),
  );
}

describe.each(TRANSPORTS)("relay process killed -9, over $name", (kind) => {
  it("loses nothing: events written before the kill, in flight during it, and after it are all delivered once", async () => {
    const log = await kind.create();
    const producerDb = await serviceDatabase("crash_producer");
    const consumerDb = await serviceDatabase("crash_consumer");
    const consumer = makeBus(consumerDb, await log.transport(), { service: "search" });
    try {
      const env = { PRODUCER_DATABASE_URL: producerDb.url, ...log.env };
      const writer = makeBus(producerDb, await log.transport(), { service: "catalog" }); // never started: only writes
      const subjects = [uuid(), uuid(), uuid()];
      const first = await publishMany(writer, producerDb.db, subjects, 10);

      // The relay sends the batch, then is killed before it can mark it sent.
      const doomed = startRelay({ ...env, HANG_AFTER_APPEND: "1" });
      await waitFor(
        async () => doomed.output(),
        (out) => out.includes("appended"),
        { what: "the first send" },
      );
      doomed.child.kill("SIGKILL");
      await exited(doomed.child);
      const { rows } = await producerDb.db.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL");
      expect(rows[0].n).toBe(30);

      // Written while no relay runs.
      const second = await publishMany(writer, producerDb.db, subjects, 10);

      consumer.subscribe("search", ["catalog.category.created"], recordEffect("search", "search-1"));
      await consumer.start();
      const restarted = startRelay(env);
      const all = [...first, ...second];
      const handled = await waitFor(
        () => effects(consumerDb.db),
        (r) => r.length >= all.length,
        { what: "60 effects" },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await effects(consumerDb.db)).toHaveLength(60);
      expect(new Set(handled.map((r) => r.eventId))).toEqual(new Set(all));
      // Per subject, handled in the order published (positions restart at 1 in the second round).
      const published = new Map(all.map((id, index) => [id, index]));
      const last = new Map<string, number>();
      for (const row of handled) {
        expect(published.get(row.eventId)!).toBeGreaterThan(last.get(row.subject) ?? -1);
        last.set(row.subject, published.get(row.eventId)!);
      }
      restarted.child.kill("SIGTERM");
      await exited(restarted.child);
    } finally {
      await consumer.stop().catch(() => {});
      await log.cleanup();
      await producerDb.drop();
      await consumerDb.drop();
    }
  }, 60_000);
});

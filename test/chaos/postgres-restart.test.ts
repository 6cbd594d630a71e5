import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { between, failedPct, recoverySeconds, topErrors } from "./lib/analysis.mjs";
import { ChaosPostgres, freePort, startNats, tempDir } from "./lib/infra.mjs";
import { Client, login } from "./lib/load.mjs";
import { LAUNCHER, type Launcher, runCleanupsSync, sleep, startLauncher } from "./lib/processes.mjs";

/**
 * Issue 16, as an operator saw it: the platform in distributed mode on its own PostgreSQL with
 * max_connections = 100 (Debian's default), two instances of catalog, orders and inventory, about
 * twenty concurrent catalog reads through the gateway, and a PostgreSQL restart in fast mode (down
 * four seconds). The platform must serve again — catalog reads succeed and the gateway's
 * /health/status is ok — within 5 s of the server accepting connections again. The bound is taken
 * from that moment, never from the test's wall clock, so a busy CI machine does not move it.
 * Events go through a nats-server of the test's own, as in the issue; without nats-server installed,
 * through the PostgreSQL event log on the same server, whose pools (3 connections per instance)
 * leave room for two catalog instances only in 100 connections — the layout the test then uses.
 */

const READERS = 20;
const DOWN_MS = 4_000;
const RECOVERY_BOUND_S = 5;
/** How long after the server is back we keep watching (recovery later than this: "not within"). */
const OBSERVE_MS = 20_000;

let dir: string;
let postgres: ChaosPostgres;
let launcher: Launcher | undefined;
let client: Client;
let nats: { stop(): Promise<void> } | undefined;

// It brings its own PostgreSQL and needs no server of the machine: CI runs it in its newcomer pass
// only (the pass with the machine's servers, COMPTOIR_REQUIRE_REAL_INFRA=1, would repeat it as is).
describe.skipIf(process.env.COMPTOIR_REQUIRE_REAL_INFRA === "1")(
  "a PostgreSQL restart under load (issue 16)",
  { timeout: 240_000 },
  () => {
    beforeAll(async () => {
      expect(existsSync(LAUNCHER), "run `npm run build` first (npm test does)").toBe(true);
      dir = tempDir("comptoir-chaos-pg-");
      postgres = new ChaosPostgres({ dir, maxConnections: 100 });
      await postgres.start();
      const dataDir = join(dir, "data");
      mkdirSync(dataDir, { mode: 0o755 });
      const started = await startNats(dir);
      nats = started.server;
      launcher = startLauncher(
        {
          PORT: String(await freePort()),
          COMPTOIR_DATA: dataDir,
          DATABASE_URL: postgres.url("comptoir"),
          ...(started.server ? { NATS_URL: started.server.url } : {}),
          RATE_LIMIT_ANONYMOUS: "1000000000",
          RATE_LIMIT_USER: "1000000000",
        },
        started.server
          ? ["--instances", "catalog=2", "--instances", "orders=2", "--instances", "inventory=2"]
          : ["--instances", "catalog=2"],
      );
      const seconds = await launcher.waitReady();
      console.log(
        `platform ready in ${seconds.toFixed(1)} s on PostgreSQL port ${postgres.port} (max_connections 100), ` +
          (started.server ? "events through NATS" : `events on the PostgreSQL event log (${started.skipped})`),
      );
      client = new Client(launcher.base, { connections: READERS + 4 });
    }, 240_000);

    afterAll(async () => {
      await client?.close().catch(() => {});
      if (launcher) await launcher.stop();
      await postgres?.stopServer("fast");
      await nats?.stop();
      runCleanupsSync();
      if (dir && !process.env.CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
      else if (dir) console.log(`kept ${dir}`);
    }, 60_000);

    it("serves catalog reads and reports ready within 5 s of PostgreSQL accepting connections again", async () => {
      // Signed-in reads: the gateway's shared cache answers anonymous product reads and would hide catalog.
      const token = await login(client, "customer@demo.comptoir.dev");
      const list = await client.call("setup", "GET", "/api/catalog/products?limit=100", { token });
      expect(list.status, JSON.stringify(list.body).slice(0, 300)).toBe(200);
      const ids: string[] = list.body.data.map((p: { id: string }) => p.id);
      expect(ids.length).toBeGreaterThan(10);

      let reading = true;
      const reader = async () => {
        while (reading) {
          const path =
            Math.random() < 0.5
              ? `/api/catalog/products?page=${1 + Math.floor(Math.random() * 3)}&limit=20`
              : `/api/catalog/products/${ids[Math.floor(Math.random() * ids.length)]}`;
          await client.call("read", "GET", path, { token });
          await sleep(10);
        }
      };
      const health: { t: number; ok: boolean }[] = [];
      const prober = async () => {
        while (reading) {
          const t = Date.now();
          const res = await fetch(`${launcher!.base}/health/status`, { signal: AbortSignal.timeout(2000) }).catch(
            () => undefined,
          );
          health.push({ t, ok: res?.status === 200 });
          await res?.body?.cancel();
          await sleep(100);
        }
      };
      const readers = Promise.all([...Array.from({ length: READERS }, reader), prober()]);

      try {
        // Warm-up: the first clean 3-s window of reads (at most 30 s) is the baseline.
        let baseline = between(client.samples, 0, 0);
        for (let waited = 0; waited < 30_000; waited += 3_000) {
          await sleep(3_000);
          baseline = between(client.samples, Date.now() - 3_000, Date.now());
          if (baseline.length > 30 && failedPct(baseline) < 1) break;
          console.log(
            `warm-up: ${baseline.length} reads, ${failedPct(baseline).toFixed(1)} % failed (${topErrors(baseline)})`,
          );
        }
        // A load that fails before the fault measures nothing.
        expect(baseline.length, "catalog reads in the 3 s baseline").toBeGreaterThan(30);
        expect(failedPct(baseline), `baseline errors: ${topErrors(baseline)}`).toBeLessThan(1);

        const { down, acceptingAt } = await postgres.restart("fast", DOWN_MS);
        await sleep(Math.max(0, acceptingAt + OBSERVE_MS - Date.now()));
        const to = acceptingAt + OBSERVE_MS;
        const samples = client.samples.filter((s) => s.op === "read");
        const readsBack = recoverySeconds(samples, acceptingAt, to);
        const lastBadProbe = health.filter((p) => p.t >= acceptingAt && p.t < to && !p.ok).at(-1);
        const healthBack = lastBadProbe ? (lastBadProbe.t + 100 - acceptingAt) / 1000 : 0;
        const after = between(samples, acceptingAt, to);
        const recovery = readsBack === undefined ? undefined : Math.max(readsBack, healthBack);
        console.log(
          [
            `PostgreSQL down ${((acceptingAt - down) / 1000).toFixed(1)} s (restart -m fast)`,
            `reads back to ≥ 99.5 % per second after ${readsBack === undefined ? `> ${OBSERVE_MS / 1000}` : readsBack.toFixed(1)} s`,
            `/health/status ok for good after ${healthBack.toFixed(1)} s${lastBadProbe && lastBadProbe.t + 1000 > to ? " (still failing at the end)" : ""}`,
            `reads after the server was back: ${after.length}, failed ${failedPct(after).toFixed(1)} % (${topErrors(after, 4)})`,
            `RECOVERY ${recovery === undefined ? `> ${OBSERVE_MS / 1000} s` : `${recovery.toFixed(1)} s`} (bound ${RECOVERY_BOUND_S} s)`,
          ].join("\n"),
        );
        expect(
          readsBack,
          `catalog reads never came back within ${OBSERVE_MS / 1000} s: ${topErrors(after, 4)}`,
        ).toBeDefined();
        expect(
          recovery,
          `recovery after PostgreSQL accepted connections again (${topErrors(after, 4)})`,
        ).toBeLessThanOrEqual(RECOVERY_BOUND_S);
      } finally {
        reading = false;
        await readers;
      }
    });
  },
);

// Everything a chaos run or a soak stands on: our own PostgreSQL (max_connections 100), NATS and
// Redis when installed, and the platform in distributed mode against them, with its own data folder
// and a free port. `tearDown()` stops it all in order; the clean-up hooks cover Ctrl-C and crashes.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ChaosPostgres, freePort, startNats, startRedis, tempDir } from "./infra.mjs";
import { Client, prepareShop } from "./load.mjs";
import { runCleanupsSync, startLauncher } from "./processes.mjs";

export const DEFAULT_INSTANCES = ["catalog=2", "orders=2", "inventory=2", "cart=2"];

export async function bringUp({
  nats = true,
  redis = true,
  instances = DEFAULT_INSTANCES,
  maxConnections = 100,
  prepare = true,
  keep = false,
  log = console.log,
} = {}) {
  const dir = tempDir("comptoir-chaos-");
  const env = { dir, skipped: {} };
  const t0 = Date.now();
  env.postgres = new ChaosPostgres({ dir, maxConnections });
  await env.postgres.start();
  log(`PostgreSQL (embedded binaries) on port ${env.postgres.port}, max_connections ${maxConnections}, in ${dir}`);
  if (nats) {
    const started = await startNats(dir);
    if (started.skipped) env.skipped.nats = started.skipped;
    else env.nats = started.server;
  } else env.skipped.nats = "--no-nats";
  if (redis) {
    const started = await startRedis(dir);
    if (started.skipped) env.skipped.redis = started.skipped;
    else env.redis = started.server;
  } else env.skipped.redis = "--no-redis";
  log(
    `NATS ${env.nats ? env.nats.url : `none (${env.skipped.nats}): the PostgreSQL event log`}; Redis ${
      env.redis ? env.redis.url : `none (${env.skipped.redis})`
    }`,
  );
  env.dataDir = join(dir, "data");
  mkdirSync(env.dataDir, { mode: 0o755 });
  const port = await freePort();
  env.launcher = startLauncher(
    {
      PORT: String(port),
      COMPTOIR_DATA: env.dataDir,
      DATABASE_URL: env.postgres.url("comptoir"),
      ...(env.nats ? { NATS_URL: env.nats.url } : {}),
      ...(env.redis ? { REDIS_URL: env.redis.url } : {}),
      // The load comes from one address and three users: the rate limits are not under test.
      RATE_LIMIT_ANONYMOUS: "1000000000",
      RATE_LIMIT_USER: "1000000000",
      LOG_LEVEL: "info",
    },
    instances.flatMap((i) => ["--instances", i]),
  );
  const seconds = await env.launcher.waitReady();
  log(
    `platform ready in ${seconds.toFixed(1)} s (${instances.join(" ")}), gateway ${env.launcher.base}, logs ${join(env.dataDir, "logs")}`,
  );
  env.client = new Client(env.launcher.base);
  if (prepare) env.shop = await prepareShop(env.client, { log });
  env.setupSeconds = (Date.now() - t0) / 1000;
  env.tearDown = async () => {
    await env.client?.close().catch(() => {});
    const code = await env.launcher.stop().catch(() => null);
    await env.nats?.stop();
    await env.redis?.stop();
    await env.postgres.stopServer("fast");
    runCleanupsSync();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    return code;
  };
  return env;
}

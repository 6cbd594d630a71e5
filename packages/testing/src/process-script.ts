import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { build } from "esbuild";

/**
 * Bundles a TypeScript file into one runnable ESM script (workspace packages from their sources),
 * for a test that runs part of a service as a real process — to kill it -9. Returns the script's path,
 * in a new temporary folder: `spawn(process.execPath, [script])`.
 */
export async function bundleProcessScript(entry: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "comptoir-process-"));
  const script = join(dir, basename(entry).replace(/\.ts$/, ".mjs"));
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: script,
    conditions: ["source"],
    logLevel: "error",
    // The CommonJS dependencies esbuild bundles call `require`: give the ESM script one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return script;
}

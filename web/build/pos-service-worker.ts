import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Plugin, Rolldown } from "vite";

type OutputChunk = Rolldown.OutputChunk;

/**
 * The till's service worker, written into the build as `pos/sw.js` (served by the gateway at
 * /pos/sw.js): web/src/pos/pwa/sw.js with the files it keeps filled in — the entry's scripts and
 * styles, the point of sale's chunk and everything it imports (statically or lazily), its CSS, the
 * manifest and the icon — and a version (a hash of that list), so that each build's worker is new
 * and replaces the former one's cache.
 */
export function posServiceWorker(): Plugin {
  return {
    name: "comptoir-pos-sw",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((item): item is OutputChunk => item.type === "chunk");
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const wanted = new Set<string>();
      const visit = (chunk: OutputChunk | undefined) => {
        if (!chunk || wanted.has(chunk.fileName)) return;
        wanted.add(chunk.fileName);
        const meta = chunk.viteMetadata;
        for (const css of meta?.importedCss ?? []) wanted.add(css);
        for (const file of meta?.importedAssets ?? []) wanted.add(file);
        for (const file of [...chunk.imports, ...chunk.dynamicImports]) {
          // The till's own lazy chunks, and what the entry needs; the other parts stay out.
          if (chunk.isEntry && !chunk.dynamicImports.includes(file)) visit(byName.get(file));
          else if (!chunk.isEntry) visit(byName.get(file));
        }
      };
      for (const chunk of chunks) if (chunk.isEntry) visit(chunk);
      for (const chunk of chunks) {
        if (chunk.facadeModuleId?.replaceAll("\\", "/").endsWith("/src/pos/PosRoutes.tsx")) visit(chunk);
      }
      const files = [...wanted].sort().map((file) => `/${file}`);
      files.push("/pos/manifest.webmanifest", "/pos/icon.svg");
      const version = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 16);
      const source = readFileSync(new URL("../src/pos/pwa/sw.js", import.meta.url), "utf8")
        .replace("__VERSION__", version)
        .replace("__PRECACHE__;", `${JSON.stringify(files)};`);
      this.emitFile({ type: "asset", fileName: "pos/sw.js", source });
    },
  };
}

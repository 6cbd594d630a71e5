import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { posServiceWorker } from "./build/pos-service-worker.ts";

/** The gateway `npm run web:dev` proxies to (npm start's, by default). */
const gateway = process.env.COMPTOIR_GATEWAY ?? "http://localhost:8080";

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy next to each script and style sheet of the build:
 * the gateway sends the one the browser accepts (@fastify/static's preCompressed), compressed once
 * at build time rather than on every request.
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "comptoir-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      const assets = join(outDir, "assets");
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const content = readFileSync(join(assets, name));
        writeFileSync(
          join(assets, `${name}.br`),
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress(), posServiceWorker()],
  resolve: {
    // Workspace packages (@comptoir/client) resolve to their TypeScript sources.
    conditions: ["source"],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    port: 5173,
    proxy: { "/api": gateway, "/images": gateway },
  },
});

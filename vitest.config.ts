import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (package.json "exports" → src).
    conditions: ["source"],
  },
  test: {
    include: ["packages/*/{src,test}/**/*.test.ts", "services/*/{src,test}/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/setup/postgres.global.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});

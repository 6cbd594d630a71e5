import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Component tests spend most of their time waiting (timers, retries, a PostgreSQL round trip): two
 * files at a time at least, even on two cores, where vitest's default (cores − 1) would run one.
 * The groups that boot whole platforms run one file at a time, after them (`sequence.groupOrder`):
 * a platform takes every core while it boots, and two at once would starve each other's health checks.
 */
const componentWorkers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (package.json "exports" → src).
    conditions: ["source"],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "platform",
          include: ["packages/*/{src,test}/**/*.test.ts", "services/*/{src,test}/**/*.test.ts"],
          globalSetup: ["test/setup/postgres.global.ts"],
          maxWorkers: componentWorkers,
        },
      },
      {
        // The whole platform booted by the launcher (test/e2e/): after the component tests, one file
        // at a time, beside the security and chaos projects' files (the same group, one worker).
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/setup/postgres.global.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The fuzz suite and one file per OWASP API Security Top 10 risk, against one platform
        // booted by the launcher for them all (test/security/setup/platform.global.ts).
        extends: true,
        test: {
          name: "security",
          include: ["test/security/**/*.test.ts"],
          globalSetup: ["test/security/setup/platform.global.ts"],
          hookTimeout: 180_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The web application in Debian's Chromium (playwright-core) against the whole platform,
        // booted by the launcher as the end-to-end tests boot it (test/web/). Last, one file at a
        // time (groupOrder 2): a browser and two more platforms beside the end-to-end tests would
        // take the CPU their 2-second freshness checks measure.
        extends: true,
        test: {
          name: "web",
          include: ["test/web/**/*.test.ts"],
          hookTimeout: 240_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        // Issue 16's scenario: the platform in distributed mode on a PostgreSQL cluster of the test's
        // own (max_connections 100) through a restart under load (test/chaos/; `npm run chaos` is the
        // whole suite, outside vitest).
        extends: true,
        test: {
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          hookTimeout: 240_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { EmbeddedPostgres } from "@comptoir/cli/embedded-postgres";
import { freePorts } from "@comptoir/cli/ports";

/**
 * One PostgreSQL server for the whole test run: TEST_DATABASE_URL when set (CI points it at the
 * machine's PostgreSQL 15), otherwise an embedded PostgreSQL 18 from npm in a temporary folder —
 * so `npm test` needs no database on a fresh machine. Each test file then creates its own
 * database on it (createTestDatabase), so files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresUrl", external);
    return;
  }
  if (process.env.COMPTOIR_REQUIRE_REAL_INFRA) {
    throw new Error(
      "COMPTOIR_REQUIRE_REAL_INFRA is set (CI) but TEST_DATABASE_URL is not: the real-server tests would not run",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "comptoir-test-pg-"));
  // Run as root, PostgreSQL runs as the postgres user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const [port] = await freePorts(1, "127.0.0.1");
  const server = new EmbeddedPostgres({
    dataDir: join(dir, "postgres"),
    passwordFile: join(dir, "postgres.password"),
    logFile: join(dir, "postgres.log"),
    port: port!,
    maxConnections: 300,
  });
  await server.start();
  project.provide("postgresUrl", server.url().toString());
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

import type { TestProject } from "vitest/node";

/**
 * One PostgreSQL server for the whole test run: TEST_DATABASE_URL when set (CI points it at the
 * machine's PostgreSQL), otherwise an embedded PostgreSQL started from npm in a temporary folder.
 * Each test file then creates its own database on it (createTestDatabase).
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresUrl", external);
    return;
  }
  throw new Error("embedded test PostgreSQL: wiring pending");
}

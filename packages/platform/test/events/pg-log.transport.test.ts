import { afterAll, beforeAll } from "vitest";
import { createPgLogTransport } from "../../src/events/pg-log/pg-log.transport";
import { createTestDatabase, type TestDatabase, testLogger } from "../../src/testing";
import { transportContract } from "./transport.contract";

let log: TestDatabase;
beforeAll(async () => {
  log = await createTestDatabase("pg_log_contract");
});
afterAll(async () => {
  await log?.drop();
});

transportContract("PostgreSQL event log", () => createPgLogTransport({ url: log.url, logger: testLogger("events") }));

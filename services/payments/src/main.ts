import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { createTestProvider } from "./providers/test-provider";

await runService({
  name: "payments",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: true,
  buildApp: ({ config, db, bus, logger, instance, auth }) => {
    // PAYMENTS_PROVIDER has one value for now: the schema refuses any other at boot.
    const provider = createTestProvider({ slowMs: config.PAYMENTS_TEST_SLOW_MS });
    if (config.NODE_ENV === "production") {
      logger.warn("PAYMENTS_PROVIDER=test in production: cards are not charged, any valid number is accepted");
    }
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      provider,
      providerTimeoutMs: config.PAYMENTS_PROVIDER_TIMEOUT_MS,
    });
  },
});

import { ConfigError, migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema, paymentsProviderOf, type PaymentsProviderName } from "./config";
import { createTestProvider } from "./providers/test-provider";

await runService({
  name: "payments",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: true,
  buildApp: async ({ config, db, bus, logger, instance, auth }) => {
    let providerName: PaymentsProviderName;
    try {
      providerName = paymentsProviderOf(config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // One line, as runService reports an invalid variable.
      process.stderr.write(`payments: invalid configuration: ${error.message}\n`);
      await db?.end().catch(() => {});
      process.exit(1);
    }
    // PAYMENTS_PROVIDER has one value for now ("test"): the schema refuses any other at boot.
    const provider = createTestProvider({ slowMs: config.PAYMENTS_TEST_SLOW_MS });
    if (config.NODE_ENV === "production") {
      // Set on purpose (paymentsProviderOf), said at every start; /openapi.json says it too.
      logger.warn(
        { provider: providerName },
        "PAYMENTS_PROVIDER=test in production: the built-in TEST provider charges no card and accepts any valid card number as paid",
      );
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

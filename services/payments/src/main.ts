import { eventsPart } from "@comptoir/events";
import { ConfigError, createPool, type Db, idempotencyPart, migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema, paymentsProviderOf, type PaymentsProviderName } from "./config";
import { createTestProvider } from "./providers/test-provider";

/** The test provider's own connections (see createTestProvider): closed after the app. */
let providerDb: Db | undefined;

await runService({
  name: "payments",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  parts: [idempotencyPart],
  buildApp: async ({ config, db, bus, logger, instance, auth, sidePoolSize }) => {
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
    // Its books are in payments' database (migration 002), through a small pool of its own, taken
    // out of the instance's pool (sidePool below): its calls never wait for a connection held by
    // the payments transaction that waits for them.
    providerDb = createPool(config.DATABASE_URL, {
      max: sidePoolSize,
      applicationName: `${instance}:test-provider`,
      preparedStatements: config.DATABASE_POOL_MODE !== "transaction",
    });
    const provider = createTestProvider({ db: providerDb, slowMs: config.PAYMENTS_TEST_SLOW_MS });
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
  // A third of the pool, at least 1 (pools of 10: 7 for payments, 3 for its provider).
  sidePool: (poolSize) => Math.max(1, Math.floor(poolSize / 3)),
  onClose: async () => {
    await providerDb?.end();
  },
});

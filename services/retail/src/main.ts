import { eventsPart } from "@comptoir/events";
import {
  createServiceClient,
  createServiceTokens,
  identityUrlOf,
  migrationsDirOf,
  runService,
} from "@comptoir/platform";
import { sagasPart } from "@comptoir/sagas";
import { buildApp } from "./app";
import { createCatalogClient } from "./clients/catalog.client";
import { createInventoryClient } from "./clients/inventory.client";
import { createPaymentsClient } from "./clients/payments.client";
import { configSchema } from "./config";
import { createJournal } from "./domain/journal.use-cases";
import { seedDemoStores } from "./seed/demo";

await runService({
  name: "retail",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  parts: [sagasPart],
  buildApp: async ({ config, db, bus, logger, instance, auth }) => {
    const identityUrl = identityUrlOf(config);
    const tokens = createServiceTokens({ service: "retail", credential: config.SERVICE_CREDENTIAL, identityUrl });
    const client = (target: string, urls: string, timeoutMs?: number) =>
      createServiceClient({ target, baseUrls: urls.split(","), auth: tokens, timeoutMs });
    if (config.COMPTOIR_DEMO) {
      // Once per database; a failure is logged and retried at the next start, the service still runs.
      try {
        const seeded = await seedDemoStores({ db: db!, outbox: bus!.outbox });
        if (seeded.created) logger.info(seeded, "demo stores seeded");
      } catch (error) {
        logger.error({ err: error }, "could not seed the demo stores");
      }
    }
    // The journal's signing key, encrypted at rest with the service credential (read, or created once).
    const journal = await createJournal({ db: db!, logger, secret: config.SERVICE_CREDENTIAL });
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      catalog: createCatalogClient(client("catalog", config.CATALOG_URLS)),
      inventory: createInventoryClient(client("inventory", config.INVENTORY_URLS)),
      // Longer than payments' own provider timeout: payments answers a slow provider itself.
      payments: createPaymentsClient(client("payments", config.PAYMENTS_URLS, 10_000)),
      journal,
      settings: {
        currency: config.RETAIL_CURRENCY,
        maxDiscountPercent: config.RETAIL_MAX_DISCOUNT_PERCENT,
        saleWaitMs: config.RETAIL_SALE_WAIT_MS,
      },
      saga: {
        leaseMs: config.SAGA_LEASE_MS,
        maxAttempts: config.SAGA_MAX_ATTEMPTS,
        retryBaseMs: config.SAGA_RETRY_BASE_MS,
      },
      sagaWorkerMs: config.SAGA_WORKER_MS,
    });
  },
});

import { eventsPart } from "@comptoir/events";
import {
  createServiceClient,
  createServiceTokens,
  idempotencyPart,
  identityUrlOf,
  migrationsDirOf,
  runService,
} from "@comptoir/platform";
import { sagasPart } from "@comptoir/sagas";
import { buildApp } from "./app";
import { createInventoryClient } from "./clients/inventory.client";
import { configSchema } from "./config";

await runService({
  name: "supply",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  parts: [sagasPart, idempotencyPart],
  buildApp: ({ config, db, bus, logger, instance, auth }) => {
    const tokens = createServiceTokens({
      service: "supply",
      credential: config.SERVICE_CREDENTIAL,
      identityUrl: identityUrlOf(config),
    });
    const inventory = createInventoryClient(
      createServiceClient({ target: "inventory", baseUrls: config.INVENTORY_URLS.split(","), auth: tokens }),
    );
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      inventory,
      reservationTtlSeconds: config.SUPPLY_RESERVATION_TTL_SECONDS,
      saga: { leaseMs: config.SAGA_LEASE_MS, maxAttempts: config.SAGA_MAX_ATTEMPTS },
      sagaWorkerMs: config.SAGA_WORKER_MS,
    });
  },
});

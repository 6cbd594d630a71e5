import { eventsPart } from "@comptoir/events";
import { createServiceTokens, identityUrlOf, migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp, cartDependencies } from "./app";
import { cartServiceClient } from "./clients/service-client";
import { configSchema } from "./config";
import type { CartStore } from "./model/cart.store";

let store: CartStore | undefined;

await runService({
  name: "cart",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  buildApp: ({ config, db, bus, logger, instance, auth }) => {
    const tokens = createServiceTokens({
      service: "cart",
      credential: config.SERVICE_CREDENTIAL,
      identityUrl: identityUrlOf(config),
    });
    const dependencies = cartDependencies({
      db: db!,
      outbox: bus!.outbox,
      // Catalog's lookup is public: no token (catalog would verify one for nothing).
      catalog: cartServiceClient("catalog", config.CATALOG_URLS),
      inventory: cartServiceClient("inventory", config.INVENTORY_URLS, tokens),
      redis: config.REDIS_URL ? { url: config.REDIS_URL, keyPrefix: config.CART_REDIS_KEY_PREFIX } : undefined,
    });
    store = dependencies.store;
    logger.info({ store: store.kind }, "carts are kept in %s", store.kind);
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      ...dependencies,
      ttl: { guestSeconds: config.CART_GUEST_TTL_SECONDS, customerSeconds: config.CART_CUSTOMER_TTL_SECONDS },
      sweepMs: config.CART_SWEEP_MS,
      serviceCredential: config.SERVICE_CREDENTIAL,
    });
  },
  onClose: async () => {
    await store?.close();
  },
});

import { eventsPart } from "@comptoir/events";
import {
  createServiceClient,
  createServiceTokens,
  identityUrlOf,
  migrationsDirOf,
  runService,
} from "@comptoir/platform";
import { sagasPart } from "@comptoir/sagas";
import { buildApp, ordersDependencies } from "./app";
import { configSchema } from "./config";

await runService({
  name: "orders",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  parts: [sagasPart],
  buildApp: ({ config, db, bus, logger, instance, auth }) => {
    const identityUrl = identityUrlOf(config);
    const tokens = createServiceTokens({ service: "orders", credential: config.SERVICE_CREDENTIAL, identityUrl });
    const client = (target: string, urls: string, timeoutMs?: number) =>
      createServiceClient({ target, baseUrls: urls.split(","), auth: tokens, timeoutMs });
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      ...ordersDependencies({
        cart: client("cart", config.CART_URLS),
        cartAnonymous: createServiceClient({ target: "cart", baseUrls: config.CART_URLS.split(",") }),
        catalog: client("catalog", config.CATALOG_URLS),
        identity: client("identity", identityUrl),
        inventory: client("inventory", config.INVENTORY_URLS),
        // Longer than payments' own provider timeout: payments answers a slow provider itself.
        payments: client("payments", config.PAYMENTS_URLS, 10_000),
      }),
      currency: config.ORDERS_CURRENCY,
      shipping: { fee: config.ORDERS_SHIPPING_FEE, freeFrom: config.ORDERS_FREE_SHIPPING_FROM },
      reservationTtlSeconds: config.ORDERS_RESERVATION_TTL_SECONDS,
      checkoutWaitMs: config.ORDERS_CHECKOUT_WAIT_MS,
      saga: {
        leaseMs: config.SAGA_LEASE_MS,
        maxAttempts: config.SAGA_MAX_ATTEMPTS,
        retryBaseMs: config.SAGA_RETRY_BASE_MS,
      },
      sagaWorkerMs: config.SAGA_WORKER_MS,
    });
  },
});

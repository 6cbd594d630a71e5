import { type EventBus, eventsAdminRoutes, observedOutbox } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
  type ServiceClient,
  type TokenVerifier,
} from "@comptoir/platform";
import {
  createSagaRunner,
  registerSagaMetrics,
  runSagaWorker,
  type SagaRunnerDeps,
  type SagaSettings,
  WAITED_ON_SAGA_SETTINGS,
} from "@comptoir/sagas";
import { type CartClient, createCartClient } from "./clients/cart.client";
import { type CatalogClient, createCatalogClient } from "./clients/catalog.client";
import { createIdentityClient, type IdentityClient } from "./clients/identity.client";
import { createInventoryClient, type InventoryClient } from "./clients/inventory.client";
import { createPaymentsClient, type PaymentsClient } from "./clients/payments.client";
import { type CardVault, checkoutSaga } from "./domain/checkout.saga";
import { fingerprintKeyOf } from "./domain/checkout.use-cases";
import { refundSaga } from "./domain/refund.saga";
import { registerOrdersMetrics } from "./metrics/orders.metrics";
import type { ShippingRules } from "./model/order";
import { checkoutRoutes } from "./routes/checkout.routes";
import { ordersRoutes } from "./routes/orders.routes";
import { salesTotalsRoutes } from "./routes/sales-totals.routes";

export interface OrdersAppDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** The services a checkout calls: cart and identity with the caller's credentials, the others with orders' own token. */
  cart: CartClient;
  catalog: CatalogClient;
  identity: IdentityClient;
  inventory: InventoryClient;
  payments: PaymentsClient;
  currency?: string;
  shipping?: ShippingRules;
  reservationTtlSeconds?: number;
  checkoutWaitMs?: number;
  saga?: Partial<SagaSettings>;
  /** How often this instance resumes due sagas, in ms; 0 turns the worker off (tests resume by hand). */
  sagaWorkerMs?: number;
  /** Tests: called after each step of a saga (a crash is simulated from here). */
  afterSagaStep?: SagaRunnerDeps["afterStep"];
}

/**
 * Orders' clients on service clients the caller configured (main.ts, and other services' tests that
 * run a real orders: cart with the caller's credentials and anonymously, the others with a token).
 */
export function ordersDependencies(options: {
  cart: ServiceClient;
  cartAnonymous: ServiceClient;
  catalog: ServiceClient;
  identity: ServiceClient;
  inventory: ServiceClient;
  payments: ServiceClient;
}): Pick<OrdersAppDeps, "cart" | "catalog" | "identity" | "inventory" | "payments"> {
  return {
    cart: createCartClient(options.cart, options.cartAnonymous),
    catalog: createCatalogClient(options.catalog),
    identity: createIdentityClient(options.identity),
    inventory: createInventoryClient(options.inventory),
    payments: createPaymentsClient(options.payments),
  };
}

/** The orders service: checkout (a saga over inventory, payments and cart) and the order lifecycle. */
export async function buildApp(deps: OrdersAppDeps): Promise<App> {
  const app = await createApp({
    service: "orders",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Checkout and the order lifecycle.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  const cards: CardVault = new Map();
  const metrics = registerOrdersMetrics(app.comptoir.metrics.registry);
  // Orders placed and paid are counted from their events, once each commits.
  const outbox = observedOutbox(deps.bus.outbox, (event) => metrics.observe(event));
  const sagas = createSagaRunner(
    {
      db: deps.db,
      logger: deps.logger,
      instance: deps.instance,
      settings: { ...WAITED_ON_SAGA_SETTINGS, ...deps.saga },
      afterStep: deps.afterSagaStep,
    },
    [
      checkoutSaga({
        db: deps.db,
        outbox,
        logger: deps.logger,
        inventory: deps.inventory,
        payments: deps.payments,
        cart: deps.cart,
        cards,
        reservationTtlSeconds: deps.reservationTtlSeconds ?? 900,
        metrics,
      }),
      refundSaga({ inventory: deps.inventory, payments: deps.payments, outbox }),
    ],
  );
  checkoutRoutes(app, {
    db: deps.db,
    outbox,
    sagas,
    cards,
    cart: deps.cart,
    catalog: deps.catalog,
    identity: deps.identity,
    inventory: deps.inventory,
    fingerprintKey: fingerprintKeyOf(deps.db),
    currency: deps.currency ?? "EUR",
    shipping: deps.shipping ?? { fee: 490, freeFrom: 5000 },
    waitMs: deps.checkoutWaitMs ?? 8_000,
  });
  ordersRoutes(app, { db: deps.db, outbox, sagas });
  salesTotalsRoutes(app, { db: deps.db });
  registerSagaMetrics(app.comptoir.metrics.registry, deps.db);
  eventsAdminRoutes(app, "orders", deps.bus);

  runSagaWorker(app, sagas, deps.sagaWorkerMs ?? 1000);
  return app;
}

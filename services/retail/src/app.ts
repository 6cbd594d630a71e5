import { type EventBus, eventsAdminRoutes, observedOutbox } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
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
import type { CatalogClient } from "./clients/catalog.client";
import type { InventoryClient } from "./clients/inventory.client";
import type { PaymentsClient } from "./clients/payments.client";
import type { RetailContext, RetailSettings } from "./domain/context";
import { createPlaceCache } from "./domain/places";
import { saleSagas } from "./domain/sale.saga";
import { registerRetailMetrics } from "./metrics/retail.metrics";
import type { Journal } from "./model/journal";
import { journalRoutes } from "./routes/journal.routes";
import { registersRoutes } from "./routes/registers.routes";
import { returnsRoutes } from "./routes/returns.routes";
import { salesRoutes } from "./routes/sales.routes";
import { salesTotalsRoutes } from "./routes/sales-totals.routes";
import { storesRoutes } from "./routes/stores.routes";

export interface RetailDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** Catalog prices the lines; inventory holds and moves the store's stock; payments charges cards. */
  catalog: CatalogClient;
  inventory: InventoryClient;
  payments: PaymentsClient;
  /**
   * The sales journal, built by the caller with `createJournal` (it reads, or creates, the signing key
   * in the database; the key is encrypted at rest with retail's SERVICE_CREDENTIAL in production).
   */
  journal: Journal;
  settings?: Partial<RetailSettings>;
  saga?: Partial<SagaSettings>;
  /** How often this instance resumes due sagas, in ms; 0 turns the worker off (tests resume by hand). */
  sagaWorkerMs?: number;
  /** Tests: called after each step of a saga (a crash is simulated from here). */
  afterSagaStep?: SagaRunnerDeps["afterStep"];
  /** Tests: the clock (a session left open overnight). */
  now?: () => Date;
}

/** The retail service: stores, registers and their cash sessions, till sales, returns, receipts and the journal. */
export async function buildApp(deps: RetailDeps): Promise<App> {
  const app = await createApp({
    service: "retail",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Stores, cash registers, point-of-sale sales and returns.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  const now = deps.now ?? (() => new Date());
  // Sales, returns and voids are counted from their events, once each commits.
  const observe = registerRetailMetrics(app.comptoir.metrics.registry, { db: deps.db, now });
  const ctx: RetailContext = {
    db: deps.db,
    outbox: observedOutbox(deps.bus.outbox, observe),
    logger: deps.logger,
    journal: deps.journal,
    catalog: deps.catalog,
    inventory: deps.inventory,
    payments: deps.payments,
    settings: { currency: "EUR", maxDiscountPercent: 10, saleWaitMs: 8_000, ...deps.settings },
    places: createPlaceCache(deps.db),
    now,
  };
  const sales = saleSagas(ctx);
  const sagas = createSagaRunner(
    {
      db: deps.db,
      logger: deps.logger,
      instance: deps.instance,
      settings: { ...WAITED_ON_SAGA_SETTINGS, ...deps.saga },
      afterStep: deps.afterSagaStep,
    },
    sales.definitions,
  );

  storesRoutes(app, ctx);
  registersRoutes(app, ctx);
  salesRoutes(app, ctx, { sagas, cards: sales.cards });
  returnsRoutes(app, ctx, { sagas });
  journalRoutes(app, ctx);
  salesTotalsRoutes(app, ctx);

  registerSagaMetrics(app.comptoir.metrics.registry, deps.db);
  eventsAdminRoutes(app, "retail", deps.bus);
  runSagaWorker(app, sagas, deps.sagaWorkerMs ?? 1000);
  return app;
}

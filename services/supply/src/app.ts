import { type EventBus, eventsAdminRoutes } from "@comptoir/events";
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
} from "@comptoir/sagas";
import type { InventoryClient } from "./clients/inventory.client";
import { replenishmentSaga } from "./domain/replenishment.saga";
import { registerSupplyMetrics } from "./metrics/supply.metrics";
import { requestsRoutes } from "./routes/requests.routes";

export interface SupplyAppDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** Inventory, called with supply's own service token. */
  inventory: InventoryClient;
  reservationTtlSeconds?: number;
  saga?: Partial<SagaSettings>;
  /** How often this instance resumes due sagas, in ms; 0 turns the worker off (tests resume by hand). */
  sagaWorkerMs?: number;
  /** Tests: called after each persisted saga step (a crash is simulated from here). */
  afterSagaStep?: SagaRunnerDeps["afterStep"];
}

/** The supply service: replenishment requests and the saga that transfers approved ones. */
export async function buildApp(deps: SupplyAppDeps): Promise<App> {
  const app = await createApp({
    service: "supply",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Replenishment requests from the stores and the transfer saga that carries them out.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  // Decisions and their outcomes are counted from their events, once each commits.
  const outbox = registerSupplyMetrics(app.comptoir.metrics.registry, deps.bus.outbox);
  const sagas = createSagaRunner(
    { db: deps.db, logger: deps.logger, instance: deps.instance, settings: deps.saga, afterStep: deps.afterSagaStep },
    [
      replenishmentSaga({
        inventory: deps.inventory,
        outbox,
        reservationTtlSeconds: deps.reservationTtlSeconds ?? 3600,
      }),
    ],
  );
  requestsRoutes(app, { db: deps.db, outbox, inventory: deps.inventory, sagas });
  registerSagaMetrics(app.comptoir.metrics.registry, deps.db);
  eventsAdminRoutes(app, "supply", deps.bus);

  runSagaWorker(app, sagas, deps.sagaWorkerMs ?? 1000);
  return app;
}

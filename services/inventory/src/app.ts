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
import { startExpirySweep } from "./domain/reservations.use-cases";
import { catalogHandlers } from "./events/catalog.handlers";
import { registerInventoryMetrics } from "./metrics/inventory.metrics";
import { DEFAULT_ALLOCATION_PRIORITY } from "./model/location";
import { availabilityRoutes } from "./routes/availability.routes";
import { locationsRoutes } from "./routes/locations.routes";
import { reservationsRoutes } from "./routes/reservations.routes";
import { stockRoutes } from "./routes/stock.routes";
import { transfersRoutes } from "./routes/transfers.routes";

export interface InventoryAppDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** COMPTOIR_DEMO: new variants receive demo stock (in the catalog.variant.created handler). */
  demo?: boolean;
  /** How often this instance releases expired reservations, in ms; 0 turns the timer off (tests sweep by hand). */
  reservationSweepMs?: number;
  /** Location kinds or codes in the order they serve reservations made without a location. */
  allocationPriority?: readonly string[];
}

/** The inventory service's HTTP API, its catalog consumer and its reservation expiry timer. */
export async function buildApp(deps: InventoryAppDeps): Promise<App> {
  const app = await createApp({
    service: "inventory",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Locations, stock levels, the movement ledger, reservations, transfers and alerts.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  const core = { db: deps.db, outbox: deps.bus.outbox };
  catalogHandlers(deps.bus, { outbox: deps.bus.outbox, demo: deps.demo ?? false });
  locationsRoutes(app, core);
  stockRoutes(app, core);
  const allocationPriority = deps.allocationPriority ?? DEFAULT_ALLOCATION_PRIORITY;
  reservationsRoutes(app, { ...core, allocationPriority });
  availabilityRoutes(app, { db: deps.db, allocationPriority });
  transfersRoutes(app, core);
  eventsAdminRoutes(app, "inventory", deps.bus);
  registerInventoryMetrics(app.comptoir.metrics.registry);

  const sweepMs = deps.reservationSweepMs ?? 1000;
  if (sweepMs > 0) {
    let stop: (() => Promise<void>) | undefined;
    app.addHook("onReady", async () => {
      stop = startExpirySweep(core, sweepMs, deps.logger);
    });
    app.addHook("onClose", async () => {
      await stop?.();
    });
  }
  return app;
}

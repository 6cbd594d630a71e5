import {
  type App,
  createApp,
  type Db,
  type EventBus,
  eventsAdminRoutes,
  type Logger,
  pingDatabase,
  type TokenVerifier,
} from "@comptoir/platform";

export interface InventoryDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The inventory service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: InventoryDeps): Promise<App> {
  const app = await createApp({
    service: "inventory",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Locations, stock levels, the movement ledger, reservations and alerts.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "inventory", deps.bus);
  return app;
}

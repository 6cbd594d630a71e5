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

export interface OrdersDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The orders service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: OrdersDeps): Promise<App> {
  const app = await createApp({
    service: "orders",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Checkout and the order lifecycle.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "orders", deps.bus);
  return app;
}

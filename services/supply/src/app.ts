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

export interface SupplyDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The supply service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: SupplyDeps): Promise<App> {
  const app = await createApp({
    service: "supply",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Replenishment requests and the transfer saga.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "supply", deps.bus);
  return app;
}

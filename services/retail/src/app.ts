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

export interface RetailDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The retail service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: RetailDeps): Promise<App> {
  const app = await createApp({
    service: "retail",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Stores, cash registers, point-of-sale sales and returns.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  eventsAdminRoutes(app, "retail", deps.bus);
  return app;
}

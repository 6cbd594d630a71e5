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

export interface ReportingDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The reporting service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: ReportingDeps): Promise<App> {
  const app = await createApp({
    service: "reporting",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Sales and stock read models built from events.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  eventsAdminRoutes(app, "reporting", deps.bus);
  return app;
}

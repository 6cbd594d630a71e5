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

export interface PaymentsDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

/** The payments service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: PaymentsDeps): Promise<App> {
  const app = await createApp({
    service: "payments",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Payments and refunds against a provider.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "payments", deps.bus);
  return app;
}

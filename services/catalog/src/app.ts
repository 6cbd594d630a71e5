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
import { categoriesRoutes } from "./routes/categories.routes";

export interface CatalogDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
}

export async function buildApp(deps: CatalogDeps): Promise<App> {
  const app = await createApp({
    service: "catalog",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Categories, products, variants, prices and images.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  categoriesRoutes(app, { db: deps.db, outbox: deps.bus.outbox });
  eventsAdminRoutes(app, "catalog", deps.bus);
  return app;
}

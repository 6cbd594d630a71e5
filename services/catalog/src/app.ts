import {
  type App,
  createApp,
  type Db,
  type EventBus,
  eventsAdminRoutes,
  type Logger,
  pingDatabase,
} from "@comptoir/platform";
import { categoriesRoutes } from "./routes/categories.routes";

export interface CatalogDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
}

export async function buildApp(deps: CatalogDeps): Promise<App> {
  const app = await createApp({
    service: "catalog",
    instance: deps.instance,
    logger: deps.logger,
    description: "Categories, products, variants, prices and images.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  categoriesRoutes(app, { db: deps.db, outbox: deps.bus.outbox });
  eventsAdminRoutes(app, "catalog", deps.bus);
  return app;
}

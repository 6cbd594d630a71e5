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
import { createIndexedEngine } from "./engine/indexed-engine";
import { catalogHandlers } from "./events/catalog.handlers";
import { inventoryHandlers } from "./events/inventory.handlers";
import { adminRoutes } from "./routes/admin.routes";
import { categoriesRoutes } from "./routes/categories.routes";
import { productsRoutes } from "./routes/products.routes";

export interface SearchDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** How long shared caches may keep an anonymous suggestion list (SUGGEST_SHARED_CACHE_SECONDS; default 1). */
  suggestSharedCacheSeconds?: number;
}

/** The search service: read models of categories and products built from catalog's and inventory's events. */
export async function buildApp(deps: SearchDeps): Promise<App> {
  const engine = createIndexedEngine(deps.db, { logger: deps.logger });
  const app = await createApp({
    service: "search",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Product search read model built from events.",
    readiness: {
      database: () => pingDatabase(deps.db),
      events: degradesOnly(() => deps.bus.ping()),
      // Not ready until the index has loaded once (a large catalog takes seconds): the gateway sends
      // searches to the instances that can answer them.
      index: async () => {
        if (!engine.loaded) throw new Error("the search index is still loading");
      },
    },
  });
  catalogHandlers(deps.bus);
  inventoryHandlers(deps.bus);
  categoriesRoutes(app, { db: deps.db });
  // The index loads in the background from the start; a search waits for it.
  engine
    .sync()
    .catch((error: unknown) =>
      deps.logger.warn({ err: error }, "search index: first load failed, retried by the next search"),
    );
  productsRoutes(app, { engine, suggestSharedCacheSeconds: deps.suggestSharedCacheSeconds ?? 1 });
  eventsAdminRoutes(app, "search", deps.bus);
  adminRoutes(app, { db: deps.db, bus: deps.bus, logger: deps.logger });
  return app;
}

import {
  type App,
  createApp,
  type Db,
  type EventBus,
  eventsAdminRoutes,
  type Logger,
  pingDatabase,
} from "@comptoir/platform";

export interface CartDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
}

/** The cart service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: CartDeps): Promise<App> {
  const app = await createApp({
    service: "cart",
    instance: deps.instance,
    logger: deps.logger,
    description: "Guest and customer carts.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "cart", deps.bus);
  return app;
}

import {
  type App,
  createApp,
  type Db,
  type EventBus,
  eventsAdminRoutes,
  type Logger,
  pingDatabase,
} from "@comptoir/platform";

export interface IdentityDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
}

/** The identity service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: IdentityDeps): Promise<App> {
  const app = await createApp({
    service: "identity",
    instance: deps.instance,
    logger: deps.logger,
    description: "Users, roles, permissions, tokens and API keys.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "identity", deps.bus);
  return app;
}

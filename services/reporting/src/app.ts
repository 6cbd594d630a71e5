import {
  type App,
  createApp,
  type Db,
  type EventBus,
  eventsAdminRoutes,
  type Logger,
  pingDatabase,
} from "@comptoir/platform";

export interface ReportingDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
}

/** The reporting service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: ReportingDeps): Promise<App> {
  const app = await createApp({
    service: "reporting",
    instance: deps.instance,
    logger: deps.logger,
    description: "Sales and stock read models built from events.",
    readiness: { database: () => pingDatabase(deps.db), events: () => deps.bus.ping() },
  });
  eventsAdminRoutes(app, "reporting", deps.bus);
  return app;
}

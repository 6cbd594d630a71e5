import { type App, createApp, type Db, type Logger, pingDatabase } from "@comptoir/platform";

export interface SearchDeps {
  db: Db;
  logger: Logger;
  instance: string;
}

/** The search service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: SearchDeps): Promise<App> {
  return createApp({
    service: "search",
    instance: deps.instance,
    logger: deps.logger,
    description: "Product search read model built from events.",
    readiness: { database: () => pingDatabase(deps.db) },
  });
}

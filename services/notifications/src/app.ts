import { type App, createApp, type Db, type Logger, pingDatabase } from "@comptoir/platform";

export interface NotificationsDeps {
  db: Db;
  logger: Logger;
  instance: string;
}

/** The notifications service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: NotificationsDeps): Promise<App> {
  return createApp({
    service: "notifications",
    instance: deps.instance,
    logger: deps.logger,
    description: "Templated e-mails sent from events.",
    readiness: { database: () => pingDatabase(deps.db) },
  });
}

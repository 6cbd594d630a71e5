import { type App, createApp, type Db, type Logger, pingDatabase } from "@comptoir/platform";

export interface IdentityDeps {
  db: Db;
  logger: Logger;
  instance: string;
}

/** The identity service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: IdentityDeps): Promise<App> {
  return createApp({
    service: "identity",
    instance: deps.instance,
    logger: deps.logger,
    description: "Users, roles, permissions, tokens and API keys.",
    readiness: { database: () => pingDatabase(deps.db) },
  });
}

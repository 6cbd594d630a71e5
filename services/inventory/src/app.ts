import { type App, createApp, type Db, type Logger, pingDatabase } from "@comptoir/platform";

export interface InventoryDeps {
  db: Db;
  logger: Logger;
  instance: string;
}

/** The inventory service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: InventoryDeps): Promise<App> {
  return createApp({
    service: "inventory",
    instance: deps.instance,
    logger: deps.logger,
    description: "Locations, stock levels, the movement ledger, reservations and alerts.",
    readiness: { database: () => pingDatabase(deps.db) },
  });
}

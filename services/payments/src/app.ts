import { type App, createApp, type Db, type Logger, pingDatabase } from "@comptoir/platform";

export interface PaymentsDeps {
  db: Db;
  logger: Logger;
  instance: string;
}

/** The payments service's HTTP API. Its business routes arrive with its own issue; see SPEC §3. */
export async function buildApp(deps: PaymentsDeps): Promise<App> {
  return createApp({
    service: "payments",
    instance: deps.instance,
    logger: deps.logger,
    description: "Payments and refunds against a provider.",
    readiness: { database: () => pingDatabase(deps.db) },
  });
}

import { eventsPart } from "@comptoir/events";
import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema, onlineTimeZoneOf } from "./config";

await runService({
  name: "reporting",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  buildApp: ({ db, bus, logger, instance, auth, config }) =>
    buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      overstockDays: config.REPORTING_OVERSTOCK_DAYS,
      onlineTimeZone: onlineTimeZoneOf(config),
    }),
});

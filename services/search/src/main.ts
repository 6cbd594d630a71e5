import { eventsPart } from "@comptoir/events";
import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";

await runService({
  name: "search",
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
      suggestSharedCacheSeconds: config.SUGGEST_SHARED_CACHE_SECONDS,
    }),
});

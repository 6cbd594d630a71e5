import { eventsPart } from "@comptoir/events";
import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { seedDemoCatalog } from "./seed/demo-catalog";

await runService({
  name: "catalog",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  buildApp: async ({ db, bus, logger, instance, auth, config }) => {
    if (config.COMPTOIR_DEMO) {
      // Once per database: instances starting together wait on a lock, then see the marker. A failure
      // (say, IMAGES_DIR not writable) is logged and retried at the next start; the service still runs.
      try {
        const seeded = await seedDemoCatalog({ db: db!, outbox: bus!.outbox, imagesDir: config.IMAGES_DIR });
        if (seeded.created) logger.info(seeded, "demo catalog seeded");
      } catch (error) {
        logger.error({ err: error }, "could not seed the demo catalog");
      }
    }
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      imagesDir: config.IMAGES_DIR,
      totalsCacheMs: config.PRODUCTS_TOTAL_CACHE_MS,
      pageCacheMs: config.PRODUCTS_PAGE_CACHE_MS,
      sharedCacheSeconds: config.PRODUCTS_SHARED_CACHE_SECONDS,
    });
  },
});

import { eventsPart } from "@comptoir/events";
import { idempotencyPart, migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { parsePriority } from "./model/location";
import { seedDemoStock } from "./seed/demo-stock";

await runService({
  name: "inventory",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  parts: [idempotencyPart],
  buildApp: async ({ config, db, bus, logger, instance, auth }) => {
    if (config.COMPTOIR_DEMO) await seedDemoStock({ db: db!, outbox: bus!.outbox }, logger);
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      demo: config.COMPTOIR_DEMO,
      reservationSweepMs: config.RESERVATION_SWEEP_MS,
      allocationPriority: parsePriority(config.RESERVATION_LOCATION_PRIORITY),
    });
  },
});

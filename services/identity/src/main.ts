import { eventsPart } from "@comptoir/events";
import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { seedDemo } from "./seed/demo";
import { assertProductionReady } from "./production";
import { settingsFromConfig } from "./model/settings";

await runService({
  name: "identity",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  // Identity verifies tokens against its own key store (buildApp), not a JWKS URL: `auth` is unused.
  buildApp: async ({ config, db, bus, logger, instance }) => {
    try {
      await assertProductionReady(db!, {
        nodeEnv: config.NODE_ENV,
        demo: config.COMPTOIR_DEMO,
        keysSecret: config.KEYS_SECRET,
        internalSecret: config.INTERNAL_SECRET,
      });
    } catch (error) {
      process.stderr.write(`identity: ${(error as Error).message}\n`);
      await db?.end().catch(() => {});
      process.exit(1);
    }
    if (config.COMPTOIR_DEMO) {
      await seedDemo({ db: db!, outbox: bus!.outbox, logger }, { keysFile: config.DEMO_API_KEYS_FILE });
    }
    return buildApp({ db: db!, bus: bus!, logger, instance, settings: settingsFromConfig(config) });
  },
});

import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";

await runService({
  name: "catalog",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  buildApp: ({ db, logger, instance }) => buildApp({ db: db!, logger, instance }),
});

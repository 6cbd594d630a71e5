import { type EventBus, eventsAdminRoutes, type RebuildPhase } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
  type TokenVerifier,
} from "@comptoir/platform";
import { conversionDataAgeSeconds } from "./domain/conversion.use-cases";
import { dataAgeSeconds } from "./domain/progress.use-cases";
import { stockDataAgeSeconds } from "./domain/stock.use-cases";
import { freshness, reportingRebuilder } from "./domain/rebuild.use-cases";
import { reportingAppliers, subscribeReporting } from "./events/subscriptions";
import { DEFAULT_ONLINE_TIMEZONE } from "./config";
import { registerDataAgeMetrics } from "./metrics/data-age.metrics";
import { DEFAULT_OVERSTOCK_DAYS } from "./model/stock-status";
import { adminRoutes } from "./routes/admin.routes";
import { conversionRoutes } from "./routes/conversion.routes";
import { AnswerCache } from "./routes/answer-cache";
import { indicatorsRoutes } from "./routes/indicators.routes";
import { salesRoutes } from "./routes/sales.routes";
import { stockRoutes } from "./routes/stock.routes";
import { topProductsRoutes } from "./routes/top-products.routes";

export interface ReportingDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** More days of cover than this is overstock in the stock report (REPORTING_OVERSTOCK_DAYS; default 90). */
  overstockDays?: number;
  /** The time zone of the online channel's days (REPORTING_ONLINE_TIMEZONE; default Europe/Paris). */
  onlineTimeZone?: string;
  /** For tests: awaited as a rebuild of the read model enters a phase (to act between two phases). */
  onRebuildPhase?: (phase: RebuildPhase) => Promise<void>;
}

/** The reporting service: sales and stock read models built from events, and their reports (SPEC §3.10). */
export async function buildApp(deps: ReportingDeps): Promise<App> {
  const onlineTimeZone = deps.onlineTimeZone ?? DEFAULT_ONLINE_TIMEZONE;
  const app = await createApp({
    service: "reporting",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Sales and stock read models built from events.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  // Every handler of consumer group "reporting" (events/*.handlers.ts), each applying an event once.
  subscribeReporting(deps.bus, { onlineTimeZone });
  // The reports' answers, kept per instance while the read model's version holds (answer-cache.ts).
  const reportDeps = { db: deps.db, bus: deps.bus, answers: new AnswerCache(deps.db) };
  salesRoutes(app, reportDeps);
  topProductsRoutes(app, reportDeps);
  indicatorsRoutes(app, reportDeps);
  const stockDeps = {
    db: deps.db,
    bus: deps.bus,
    overstockDays: deps.overstockDays ?? DEFAULT_OVERSTOCK_DAYS,
    onlineTimeZone,
  };
  stockRoutes(app, stockDeps);
  const conversionDeps = { db: deps.db, bus: deps.bus, onlineTimeZone };
  conversionRoutes(app, conversionDeps);
  registerDataAgeMetrics(app.comptoir.metrics.registry, {
    sales: (now) => dataAgeSeconds(deps, now),
    stock: (now) => stockDataAgeSeconds(stockDeps, now),
    conversion: (now) => conversionDataAgeSeconds(conversionDeps, now),
  });
  eventsAdminRoutes(app, "reporting", deps.bus);
  const apply = reportingAppliers({ onlineTimeZone }, deps.logger);
  adminRoutes(app, {
    rebuilder: reportingRebuilder({ ...deps, apply, onPhase: deps.onRebuildPhase }),
    freshness: () => freshness({ ...deps, apply }),
  });
  return app;
}

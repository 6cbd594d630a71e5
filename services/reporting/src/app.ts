import { type EventBus, eventsAdminRoutes } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
  type TokenVerifier,
} from "@comptoir/platform";
import { catalogHandlers } from "./events/catalog.handlers";
import { conversionHandlers } from "./events/conversion.handlers";
import { ordersHandlers } from "./events/orders.handlers";
import { retailHandlers } from "./events/retail.handlers";
import { stockHandlers } from "./events/stock.handlers";
import { DEFAULT_ONLINE_TIMEZONE } from "./config";
import { DEFAULT_OVERSTOCK_DAYS } from "./model/stock-status";
import { conversionRoutes } from "./routes/conversion.routes";
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
  catalogHandlers(deps.bus);
  ordersHandlers(deps.bus, { onlineTimeZone });
  retailHandlers(deps.bus);
  salesRoutes(app, deps);
  topProductsRoutes(app, deps);
  indicatorsRoutes(app, deps);
  stockHandlers(deps.bus);
  stockRoutes(app, {
    db: deps.db,
    bus: deps.bus,
    overstockDays: deps.overstockDays ?? DEFAULT_OVERSTOCK_DAYS,
    onlineTimeZone,
  });
  conversionHandlers(deps.bus, { onlineTimeZone });
  conversionRoutes(app, { db: deps.db, bus: deps.bus, onlineTimeZone });
  eventsAdminRoutes(app, "reporting", deps.bus);
  return app;
}

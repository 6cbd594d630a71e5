import multipart from "@fastify/multipart";
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
import { DEFAULT_IMAGES_DIR } from "./config";
import { TtlCache } from "./cache/ttl-cache";
import { MAX_IMAGE_BYTES } from "./images/image-store";
import { categoriesRoutes } from "./routes/categories.routes";
import { productsRoutes } from "./routes/products.routes";

export interface CatalogDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** Where product images are stored and served from (IMAGES_DIR; its default when absent). */
  imagesDir?: string;
  /** How long a product list's total may be reused (PRODUCTS_TOTAL_CACHE_MS); 0 counts every time. */
  totalsCacheMs?: number;
  /** How long a public list page may be reused (PRODUCTS_PAGE_CACHE_MS); 0 reads every time. */
  pageCacheMs?: number;
  /** How long shared caches may keep an anonymous product read (PRODUCTS_SHARED_CACHE_SECONDS); 0: never. */
  sharedCacheSeconds?: number;
}

export async function buildApp(deps: CatalogDeps): Promise<App> {
  const app = await createApp({
    service: "catalog",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Categories, products, variants, prices and images.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  // Image uploads only: one file of at most 10 MiB (413 above), and a few small fields (alt).
  await app.register(multipart, {
    limits: { files: 1, fileSize: MAX_IMAGE_BYTES, fields: 4, fieldSize: 4096, parts: 6 },
  });
  const outbox = deps.bus.outbox;
  categoriesRoutes(app, { db: deps.db, outbox });
  productsRoutes(app, {
    db: deps.db,
    outbox,
    imagesDir: deps.imagesDir ?? DEFAULT_IMAGES_DIR,
    totals: new TtlCache<number>(deps.totalsCacheMs ?? 5_000),
    pages: new TtlCache<string>(deps.pageCacheMs ?? 1_000, 500),
    sharedCacheSeconds: deps.sharedCacheSeconds ?? 0,
  });
  eventsAdminRoutes(app, "catalog", deps.bus);
  return app;
}

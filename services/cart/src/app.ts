import { type EventBus, eventsAdminRoutes, type Outbox } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  developmentServiceCredential,
  type Logger,
  pingDatabase,
  type ReadinessCheck,
  type ServiceClient,
  type TokenVerifier,
} from "@comptoir/platform";
import { type CatalogClient, createCatalogClient } from "./clients/catalog.client";
import { createInventoryClient, type InventoryClient } from "./clients/inventory.client";
import { createPostgresCartStore } from "./db/postgres-cart.store";
import type { CartTtl } from "./model/cart";
import { cartKeySecret } from "./model/cart-token";
import type { CartStore } from "./model/cart.store";
import { createRedisCartStore } from "./redis/redis-cart.store";
import { startSweep } from "./domain/sweep";
import { cartsRoutes } from "./routes/carts.routes";

export interface CartDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** Where carts live: PostgreSQL (default) or Redis (REDIS_URL). */
  store: CartStore;
  /** Catalog's variant lookup (public). */
  catalog: CatalogClient;
  /** Inventory's availability, called with cart's own service token. */
  inventory: InventoryClient;
  /** Lifetimes after the last change; default 7 days (guest) and 90 days (customer). */
  ttl?: Partial<CartTtl>;
  /**
   * How often expired carts are deleted (PostgreSQL) or events left queued in Redis by a crash are
   * relayed (Redis), in ms; 0 turns the sweep off (tests sweep by hand).
   */
  sweepMs?: number;
  /**
   * Cart's SERVICE_CREDENTIAL: guest carts created with an Idempotency-Key derive their id and token
   * from it (every instance must have the same); default the development credential, as in config.
   */
  serviceCredential?: string;
  now?: () => Date;
}

/**
 * What cart needs from outside, wired the same way by main.ts and by the tests of services that start
 * a real cart (orders'): where carts live (Redis when given, else PostgreSQL; either way cart's events
 * go through the outbox of its PostgreSQL database) and its two clients, on the service clients the
 * caller configured (catalog's lookup is public; inventory's call carries cart's own service token).
 */
export function cartDependencies(options: {
  db: Db;
  /** The bus's outbox (`bus.outbox`): where cart.cart.created and cart.cart.filled go. */
  outbox: Outbox;
  catalog: ServiceClient;
  inventory: ServiceClient;
  redis?: { url: string; keyPrefix: string };
}): Pick<CartDeps, "store" | "catalog" | "inventory"> {
  const { db, outbox } = options;
  return {
    store: options.redis
      ? createRedisCartStore({ ...options.redis, db, outbox })
      : createPostgresCartStore(db, { outbox }),
    catalog: createCatalogClient(options.catalog),
    inventory: createInventoryClient(options.inventory),
  };
}

export const DEFAULT_TTL: CartTtl = { guestSeconds: 7 * 24 * 3600, customerSeconds: 90 * 24 * 3600 };

/** The cart service: guest and customer carts (SPEC §3.6). */
export async function buildApp(deps: CartDeps): Promise<App> {
  const readiness: Record<string, ReadinessCheck> = {
    database: () => pingDatabase(deps.db),
    events: degradesOnly(() => deps.bus.ping()),
  };
  if (deps.store.kind === "redis") readiness.redis = () => deps.store.ping();
  const app = await createApp({
    service: "cart",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description: "Guest and customer carts, re-priced from catalog and checked against inventory when read.",
    readiness,
  });
  cartsRoutes(app, {
    store: deps.store,
    catalog: deps.catalog,
    inventory: deps.inventory,
    ttl: { ...DEFAULT_TTL, ...deps.ttl },
    logger: deps.logger,
    keySecret: cartKeySecret(deps.serviceCredential ?? developmentServiceCredential("cart")),
    now: deps.now,
  });
  eventsAdminRoutes(app, "cart", deps.bus);

  const sweepMs = deps.sweepMs ?? 60_000;
  if (sweepMs > 0) {
    let stop: (() => Promise<void>) | undefined;
    app.addHook("onReady", async () => {
      stop = startSweep(deps.store, sweepMs, deps.logger);
    });
    app.addHook("onClose", async () => {
      await stop?.();
    });
  }
  return app;
}

import { resolve } from "node:path";
import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";

/** `<COMPTOIR_DATA or .data>/images`: images live next to the platform's other data. */
export const DEFAULT_IMAGES_DIR = resolve(process.env.COMPTOIR_DATA || ".data", "images");

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.catalog),
  IMAGES_DIR: Type.String({
    minLength: 1,
    default: DEFAULT_IMAGES_DIR,
    description: "a folder for product images (default: <COMPTOIR_DATA or .data>/images)",
  }),
  COMPTOIR_DEMO: Type.Boolean({
    default: false,
    description: "true or false: seed the demo catalog on start (once per database)",
  }),
  /** How long a product list's `total` is reused by this instance (its own writes clear it). */
  PRODUCTS_TOTAL_CACHE_MS: Env.milliseconds(5_000),
  /** How long a public (anonymous or customer) product list page is reused (its own writes clear it). */
  PRODUCTS_PAGE_CACHE_MS: Env.milliseconds(1_000),
  /** How long shared caches (the gateway) may keep an anonymous product read: `Cache-Control: s-maxage`. */
  PRODUCTS_SHARED_CACHE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 3600,
    default: 2,
    description: "seconds a shared cache may keep an anonymous product read (0-3600; 0: not at all)",
  }),
});

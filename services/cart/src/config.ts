import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, serviceAuthEnv, Type } from "@comptoir/platform";

const urls = (service: keyof typeof DEFAULT_PORTS) =>
  Type.String({
    pattern: "^https?://[^,\\s]+(,https?://[^,\\s]+)*$",
    default: `http://127.0.0.1:${DEFAULT_PORTS[service]}`,
    description: `comma-separated http(s) base URLs of ${service}'s instances (the launcher sets them)`,
  });

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...serviceAuthEnv("cart"),
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.cart),
  CATALOG_URLS: urls("catalog"),
  INVENTORY_URLS: urls("inventory"),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: "^rediss?://",
      description: "a Redis URL (redis://host:6379): carts are kept in Redis instead of PostgreSQL",
    }),
  ),
  CART_REDIS_KEY_PREFIX: Type.String({
    minLength: 1,
    maxLength: 100,
    default: "comptoir:carts:",
    description: "the prefix of the carts' Redis keys (1-100 characters)",
  }),
  CART_GUEST_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 366 * 24 * 3600,
    default: 7 * 24 * 3600,
    description: "seconds a guest cart lives after its last change (60-31622400; default 7 days)",
  }),
  CART_CUSTOMER_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 366 * 24 * 3600,
    default: 90 * 24 * 3600,
    description: "seconds a customer's cart lives after its last change (60-31622400; default 90 days)",
  }),
  CART_SWEEP_MS: Type.Integer({
    minimum: 0,
    default: 60_000,
    description:
      "how often (ms) expired carts are deleted from PostgreSQL (Redis expires them itself) and events left queued in Redis by a crash are relayed (0: never)",
  }),
});

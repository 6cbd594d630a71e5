import { DEFAULT_PORTS, MAX_SHIPPING_FEE } from "@comptoir/contracts";
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
  ...serviceAuthEnv("orders"),
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.orders),
  CART_URLS: urls("cart"),
  CATALOG_URLS: urls("catalog"),
  INVENTORY_URLS: urls("inventory"),
  PAYMENTS_URLS: urls("payments"),
  ORDERS_CURRENCY: Type.String({
    pattern: "^[A-Z]{3}$",
    default: "EUR",
    description: "the shop's currency (ISO 4217)",
  }),
  ORDERS_SHIPPING_FEE: Type.Integer({
    minimum: 0,
    // Part of the largest order total, which payments takes (contracts' money.ts).
    maximum: MAX_SHIPPING_FEE,
    default: 490,
    description: `flat shipping fee in minor units for a delivered order (490 = 4.90; at most ${MAX_SHIPPING_FEE})`,
  }),
  ORDERS_FREE_SHIPPING_FROM: Type.Integer({
    minimum: 0,
    default: 5000,
    description: "subtotal (minor units) from which delivery is free; 0: always free",
  }),
  ORDERS_RESERVATION_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 24 * 3600,
    default: 900,
    description:
      "seconds inventory holds a checkout's stock: the last safety net if a checkout is abandoned (60-86400)",
  }),
  ORDERS_CHECKOUT_WAIT_MS: Type.Integer({
    minimum: 100,
    // Under the gateway's 10 s timeout for orders: the caller gets the 409, not a 504.
    default: 8_000,
    description:
      "how long a checkout call waits for its saga (or a replay for the first call) before answering 409 checkout_in_progress",
  }),
  SAGA_LEASE_MS: Type.Integer({
    minimum: 1000,
    default: 30_000,
    description: "ms an instance holds a checkout saga before another may take it over (>= 1000)",
  }),
  SAGA_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 3,
    description:
      "attempts of a checkout step without an answer before the checkout compensates (1-100); after the capture, steps are retried until they answer",
  }),
  SAGA_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    default: 250,
    description: "first retry delay (ms) of a step without an answer, doubled each time",
  }),
  SAGA_WORKER_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description: "how often (ms) each instance resumes due sagas (0: never)",
  }),
});

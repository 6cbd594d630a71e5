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
  ...serviceAuthEnv("retail"),
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.retail),
  CATALOG_URLS: urls("catalog"),
  INVENTORY_URLS: urls("inventory"),
  PAYMENTS_URLS: urls("payments"),
  COMPTOIR_DEMO: Type.Boolean({
    default: false,
    description: "true or false: seed the demo stores and their registers on start (once per database)",
  }),
  RETAIL_CURRENCY: Type.String({
    pattern: "^[A-Z]{3}$",
    default: "EUR",
    description: "the stores' currency (ISO 4217)",
  }),
  RETAIL_MAX_DISCOUNT_PERCENT: Type.Number({
    minimum: 0,
    maximum: 100,
    default: 10,
    description:
      "the largest discount (percent of a line or of the basket) a cashier may give; above it needs sales:discount (managers)",
  }),
  RETAIL_SALE_WAIT_MS: Type.Integer({
    minimum: 100,
    default: 8_000,
    description: "how long a sale call waits for its saga before answering 409 sale_in_progress",
  }),
  SAGA_LEASE_MS: Type.Integer({
    minimum: 1000,
    default: 30_000,
    description: "ms an instance holds a sale saga before another may take it over (>= 1000)",
  }),
  SAGA_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 3,
    description: "attempts of a sale step without an answer before the sale compensates (1-100)",
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

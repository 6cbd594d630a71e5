import { DEFAULT_PORTS } from "@comptoir/contracts";
import {
  AuthEnv,
  BaseServiceEnv,
  DatabaseEnv,
  Env,
  EventsEnv,
  IdempotencyEnv,
  serviceAuthEnv,
  Type,
} from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...serviceAuthEnv("supply"),
  ...DatabaseEnv,
  ...EventsEnv,
  ...IdempotencyEnv,
  PORT: Env.port(DEFAULT_PORTS.supply),
  INVENTORY_URLS: Type.String({
    pattern: "^https?://[^,\\s]+(,https?://[^,\\s]+)*$",
    default: `http://127.0.0.1:${DEFAULT_PORTS.inventory}`,
    description: "comma-separated http(s) base URLs of inventory's instances (the launcher sets them)",
  }),
  SUPPLY_RESERVATION_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 7 * 24 * 3600,
    default: 3600,
    description: "seconds the central warehouse holds approved goods for their transfer (60-604800)",
  }),
  SAGA_LEASE_MS: Type.Integer({
    minimum: 1000,
    default: 30_000,
    description: "ms an instance holds a saga before another may take it over (>= 1000)",
  }),
  SAGA_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 8,
    description: "attempts of a step without an answer before the saga compensates (1-100)",
  }),
  SAGA_WORKER_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description: "how often (ms) each instance resumes due sagas (0: never)",
  }),
});

import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, IdempotencyEnv, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  ...IdempotencyEnv,
  PORT: Env.port(DEFAULT_PORTS.inventory),
  COMPTOIR_DEMO: Type.Boolean({
    default: false,
    description: "true or false (1 or 0): create the demo stores' locations and give every new variant demo stock",
  }),
  RESERVATION_SWEEP_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description: "how often (ms) each instance releases expired reservations (0: never)",
  }),
  RESERVATION_LOCATION_PRIORITY: Type.String({
    pattern: "^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$",
    default: "online,central,store",
    description:
      "comma-separated location kinds or codes: the order locations serve a reservation made without a location",
  }),
});

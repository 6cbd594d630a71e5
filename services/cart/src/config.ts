import { DEFAULT_PORTS } from "@comptoir/contracts";
import { BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.cart),
});

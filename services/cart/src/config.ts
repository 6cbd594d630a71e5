import { DEFAULT_PORTS } from "@comptoir/contracts";
import { BaseServiceEnv, DatabaseEnv, Env, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...DatabaseEnv,
  PORT: Env.port(DEFAULT_PORTS.cart),
});

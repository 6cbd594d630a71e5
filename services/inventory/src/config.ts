import { BaseServiceEnv, DatabaseEnv, Env, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...DatabaseEnv,
  PORT: Env.port(3003),
});

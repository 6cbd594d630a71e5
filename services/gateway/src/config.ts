import { DEFAULT_PORTS } from "@comptoir/contracts";
import { BaseServiceEnv, Env, Type } from "@comptoir/platform";

/** The gateway's environment. Routes and upstreams come from the declarative file (gateway.config.ts). */
export const configSchema = Type.Object({
  ...BaseServiceEnv,
  PORT: Env.port(DEFAULT_PORTS.gateway),
  // The public entry: listens on every interface unless told otherwise.
  HOST: Type.String({ default: "0.0.0.0", minLength: 1, description: "a host name or IP address to listen on" }),
  GATEWAY_CONFIG: Type.Optional(
    Type.String({ minLength: 1, description: "the path of a gateway config file (JSON, like gateway.config.json)" }),
  ),
  HEALTH_CHECK_INTERVAL_MS: Type.Optional(
    Type.Integer({ minimum: 10, description: "an interval in milliseconds (integer >= 10)" }),
  ),
});

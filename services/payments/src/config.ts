import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.payments),
  PAYMENTS_PROVIDER: Type.Union([Type.Literal("test")], {
    default: "test",
    description: "the payment provider: test (the built-in one, behaving like the well-known test cards)",
  }),
  PAYMENTS_PROVIDER_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 5000,
    description: "ms the provider has to answer a call before the service gives up (100-120000)",
  }),
  PAYMENTS_TEST_SLOW_MS: Type.Integer({
    minimum: 0,
    default: 30_000,
    description: "ms the test provider takes to answer for the slow card 4000000000000051 (>= 0)",
  }),
});

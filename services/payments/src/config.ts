import { DEFAULT_PORTS } from "@comptoir/contracts";
import {
  AuthEnv,
  BaseServiceEnv,
  ConfigError,
  DatabaseEnv,
  Env,
  EventsEnv,
  IdempotencyEnv,
  type Static,
  Type,
} from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  ...IdempotencyEnv,
  PORT: Env.port(DEFAULT_PORTS.payments),
  // No default here: whether it was set is what production needs to know (paymentsProviderOf).
  PAYMENTS_PROVIDER: Type.Optional(
    Type.Union([Type.Literal("test")], {
      description:
        "the payment provider: test (the built-in one, behaving like the well-known test cards; the default outside production)",
    }),
  ),
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

export type PaymentsConfig = Static<typeof configSchema>;
export type PaymentsProviderName = NonNullable<PaymentsConfig["PAYMENTS_PROVIDER"]>;

/**
 * The provider to run: PAYMENTS_PROVIDER, or the test one when it is not set — except in production
 * (NODE_ENV=production), where the test provider, which charges no card and accepts any valid card
 * number, runs only when PAYMENTS_PROVIDER=test is set on purpose. ConfigError (one line) otherwise.
 */
export function paymentsProviderOf(
  config: Pick<PaymentsConfig, "NODE_ENV" | "PAYMENTS_PROVIDER">,
): PaymentsProviderName {
  if (config.PAYMENTS_PROVIDER) return config.PAYMENTS_PROVIDER;
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      "PAYMENTS_PROVIDER must be set in production: the only provider is the built-in test one, which charges " +
        "no card and accepts any valid card number; set PAYMENTS_PROVIDER=test to run it on purpose",
    );
  }
  return "test";
}

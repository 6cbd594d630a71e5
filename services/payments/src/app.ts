import { type EventBus, eventsAdminRoutes } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
  type TokenVerifier,
} from "@comptoir/platform";
import type { PaymentsDeps } from "./domain/payments.use-cases";
import { createKeyedLock } from "./lock/keyed-lock";
import { registerPaymentsMetrics } from "./metrics/payments.metrics";
import type { PaymentProvider } from "./providers/provider";
import { paymentsRoutes } from "./routes/payments.routes";

// The provider payments runs with when no real one is configured: also what other services' tests
// (orders') start a real payments service with.
export { createTestProvider, TEST_CARDS } from "./providers/test-provider";

export interface PaymentsAppDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  provider: PaymentProvider;
  /** How long the provider has to answer a call, in ms (default 5000). */
  providerTimeoutMs?: number;
  /** Tests: the time card expiry is checked against. */
  now?: () => Date;
}

/** Which provider answers, for the OpenAPI description: the test one says what it is wherever it runs. */
const providerLine = (name: string) =>
  name === "test"
    ? "Provider: test, the built-in test provider: no card is charged and any valid card number is authorized."
    : `Provider: ${name}.`;

/** The payments service: card payments and refunds against a provider (SPEC §3.8). */
export async function buildApp(deps: PaymentsAppDeps): Promise<App> {
  const app = await createApp({
    service: "payments",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description:
      "Card payments and refunds against a provider, idempotent by key. Never stores a card's number: its brand " +
      `and last four digits only. ${providerLine(deps.provider.name)}`,
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  const payments: PaymentsDeps = {
    db: deps.db,
    outbox: deps.bus.outbox,
    provider: deps.provider,
    providerTimeoutMs: deps.providerTimeoutMs ?? 5000,
    metrics: registerPaymentsMetrics(app.comptoir.metrics.registry),
    logger: deps.logger,
    lock: createKeyedLock(),
    now: deps.now ?? (() => new Date()),
    background: new Set(),
  };
  paymentsRoutes(app, payments);
  eventsAdminRoutes(app, "payments", deps.bus);

  // Idempotency-Keys are pruned by the platform's idempotencyPart (main.ts).
  app.addHook("onClose", async () => {
    // Voids still on their way to the provider finish (each within the provider timeout).
    await Promise.allSettled([...payments.background]);
  });
  return app;
}

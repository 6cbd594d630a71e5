import { randomUUID } from "node:crypto";
import { createPool, migrationsDirOf } from "@comptoir/platform";
import {
  type ServiceInstance,
  startService,
  type StartedService,
  type TestApi,
  type TestTokenOptions,
} from "@comptoir/testing";
import { buildApp } from "../../src/app";
import type { PaymentProvider } from "../../src/providers/provider";
import {
  createTestProvider,
  TEST_CARDS,
  type TestProvider,
  type TestProviderCall,
} from "../../src/providers/test-provider";

export { expectProblem } from "@comptoir/testing";
export { TEST_CARDS };
export type Api = TestApi;

/** An instance and its callers: orders' account (the one real caller) and staff and customer roles. */
export interface PaymentsInstance extends ServiceInstance {
  as(options: TestTokenOptions): Promise<Api>;
  /** The orders service's account (payments:read and payments:write). */
  orders: Api;
  admin: Api;
  manager: Api;
  customer: Api;
}

export interface Payments extends Omit<StartedService, "instance">, PaymentsInstance {
  /**
   * The first instance's test provider. Each instance has its own provider object, as each process
   * would, over the same books (payments' database): the provider is one, as a real one would be.
   * `calls` lists the calls of every instance.
   */
  provider: TestProvider;
  /** Another instance (another process) on the same database and provider. */
  instance(name: string): Promise<PaymentsInstance>;
}

export interface PaymentsOptions {
  providerTimeoutMs?: number;
  slowMs?: number;
  /** What the service talks to, made from the test provider (to make it fail). */
  wrapProvider?: (provider: TestProvider) => PaymentProvider;
}

/**
 * Payments (startService) with the built-in test provider, its bus never started, every log line kept
 * (to check that no card number is ever logged).
 */
export async function startPayments(name: string, options: PaymentsOptions = {}): Promise<Payments> {
  // The provider's own connections, as in main.ts: never waiting for one a payment's transaction holds.
  let providerDb: ReturnType<typeof createPool> | undefined;
  const calls: TestProviderCall[] = [];
  const providers: TestProvider[] = [];
  const payments = await startService({
    service: "payments",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    idempotency: true,
    keepLogs: true,
    build: async ({ databaseUrl, ...parts }) => {
      providerDb ??= createPool(databaseUrl, { max: 10 });
      const own = createTestProvider({ db: providerDb, slowMs: options.slowMs ?? 2000, calls });
      providers.push(own);
      return buildApp({
        ...parts,
        provider: options.wrapProvider ? options.wrapProvider(own) : own,
        providerTimeoutMs: options.providerTimeoutMs ?? 1000,
      });
    },
  });
  payments.onClose("the provider's pool", async () => providerDb?.end());
  const callers = async (i: ServiceInstance) => ({
    orders: await i.as({ service: "orders" }),
    admin: await i.as({ role: "admin" }),
    manager: await i.as({ role: "manager" }),
    customer: await i.as({ role: "customer" }),
  });
  const instance = payments.instance;
  return Object.assign(payments, await callers(payments), {
    provider: providers[0]!,
    instance: async (instanceName: string): Promise<PaymentsInstance> => {
      const started = await instance(instanceName);
      return { ...started, ...(await callers(started)) };
    },
  });
}

/** A card that expires in two years. */
export const card = (number: string = TEST_CARDS.succeeds) => ({
  number,
  expMonth: 12,
  expYear: new Date().getUTCFullYear() + 2,
  cvc: "123",
});

export const paymentBody = (overrides: Record<string, unknown> = {}) => ({
  orderId: randomUUID(),
  amount: 1999,
  currency: "EUR",
  method: "card",
  card: card(),
  ...overrides,
});

/** POST /api/payments/payments with an Idempotency-Key (a new one unless given). */
export const pay = (api: Api, body: unknown, key: string = randomUUID()) =>
  api.post("/api/payments/payments", body, { "idempotency-key": key });

/** POST …/refunds with an Idempotency-Key (a new one unless given). */
export const refund = (api: Api, paymentId: string, body: unknown = {}, key: string = randomUUID()) =>
  api.post(`/api/payments/payments/${paymentId}/refunds`, body, { "idempotency-key": key });

/** A payment authorized (and captured with `capture`) for `amount`; its id. */
export async function paid(api: Api, amount = 1999, capture = false): Promise<string> {
  const res = await pay(api, paymentBody({ amount, capture }));
  if (res.status !== 201) throw new Error(`payment refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Outbox events of a type (their data), oldest first. */
export const published = (payments: Payments, type: string) => payments.published(type);

/** Provider calls of one operation. */
export const providerCalls = (payments: Payments, operation: string) =>
  payments.provider.calls.filter((c) => c.operation === operation);

import { randomUUID } from "node:crypto";
import { type App, createLogger, createPool, type EventBus, migrationsDirOf } from "@comptoir/platform";
import {
  createServiceTestbed,
  createTestIssuer,
  http,
  listen,
  type TestDatabase,
  type TestIssuer,
  type TestTokenOptions,
} from "@comptoir/platform/testing";
import { expect } from "vitest";
import { buildApp } from "../../src/app";
import type { PaymentProvider } from "../../src/providers/provider";
import {
  createTestProvider,
  TEST_CARDS,
  type TestProvider,
  type TestProviderCall,
} from "../../src/providers/test-provider";

export { TEST_CARDS };
export type Api = ReturnType<typeof http>;

export interface PaymentsInstance {
  app: App;
  base: string;
  as(options: TestTokenOptions): Promise<Api>;
  /** The orders service's account (payments:read and payments:write): the one real caller. */
  orders: Api;
  admin: Api;
  manager: Api;
  customer: Api;
  anonymous: Api;
}

export interface Payments extends PaymentsInstance {
  database: TestDatabase;
  bus: EventBus;
  issuer: TestIssuer;
  /**
   * The first instance's test provider. Each instance has its own provider object, as each process
   * would, over the same books (payments' database): the provider is one, as a real one would be.
   * `calls` lists the calls of every instance.
   */
  provider: TestProvider;
  /** Every log line written by every instance, as written (JSON), at level debug. */
  logs: string[];
  /** Another instance (another process) on the same database and provider. */
  instance(name: string): Promise<PaymentsInstance>;
  close(): Promise<void>;
}

export interface PaymentsOptions {
  providerTimeoutMs?: number;
  slowMs?: number;
  /** What the service talks to, made from the test provider (to make it fail). */
  wrapProvider?: (provider: TestProvider) => PaymentProvider;
}

/**
 * The payments service on its own test database with the built-in test provider, its bus never
 * started (the outbox keeps exactly what the use cases wrote), a test token issuer, and a logger
 * that keeps every line (to check that no card number is ever logged).
 */
export async function startPayments(name: string, options: PaymentsOptions = {}): Promise<Payments> {
  const testbed = await createServiceTestbed({
    service: "payments",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
  });
  const { database, bus } = testbed;
  const issuer = await createTestIssuer();
  // The provider's own connections, as in main.ts: never waiting for one a payment's transaction holds.
  const providerDb = createPool(database.url, { max: 10 });
  const calls: TestProviderCall[] = [];
  const newProvider = () => createTestProvider({ db: providerDb, slowMs: options.slowMs ?? 2000, calls });
  const provider = newProvider();
  const logs: string[] = [];
  const apps: App[] = [];

  async function instance(instanceName: string): Promise<PaymentsInstance> {
    const own = apps.length === 0 ? provider : newProvider();
    const logger = createLogger({
      service: "payments",
      instance: instanceName,
      level: "debug",
      destination: { write: (line: string) => void logs.push(line) },
    });
    const app = await buildApp({
      db: database.db,
      bus,
      logger,
      instance: instanceName,
      auth: issuer.verifier,
      provider: options.wrapProvider ? options.wrapProvider(own) : own,
      providerTimeoutMs: options.providerTimeoutMs ?? 1000,
      keyPruneMs: 0,
    });
    apps.push(app);
    const base = await listen(app);
    const as = async (o: TestTokenOptions) => http(base, { authorization: `Bearer ${await issuer.token(o)}` });
    return {
      app,
      base,
      as,
      orders: await as({ service: "orders" }),
      admin: await as({ role: "admin" }),
      manager: await as({ role: "manager" }),
      customer: await as({ role: "customer" }),
      anonymous: http(base),
    };
  }

  const first = await instance("payments-1");
  return {
    ...first,
    database,
    bus,
    issuer,
    provider,
    logs,
    instance,
    async close() {
      for (const app of apps) await app.close().catch(() => {});
      await providerDb.end();
      await testbed.close();
      await issuer.close();
    },
  };
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
export async function published(payments: Payments, type: string): Promise<any[]> {
  const { rows } = await payments.database.db.query("SELECT envelope FROM outbox WHERE type = $1 ORDER BY position", [
    type,
  ]);
  return rows.map((r) => r.envelope.data);
}

/** Provider calls of one operation. */
export const providerCalls = (payments: Payments, operation: string) =>
  payments.provider.calls.filter((c) => c.operation === operation);

export function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  if (code) expect(res.body.code).toBe(code);
}

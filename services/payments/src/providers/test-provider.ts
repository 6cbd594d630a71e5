import { randomUUID } from "node:crypto";
import { type Db, type Queryable, withTx } from "@comptoir/platform";
import { brandOf } from "../model/card";
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type DeclineCode,
  type PaymentProvider,
  ProviderError,
} from "./provider";

/** The well-known test cards (any other Luhn-valid number is authorized). */
export const TEST_CARDS = {
  succeeds: "4242424242424242",
  declined: "4000000000000002",
  insufficientFunds: "4000000000009995",
  /** Answers only after `slowMs`: longer than the service waits (PAYMENTS_PROVIDER_TIMEOUT_MS). */
  slow: "4000000000000051",
} as const;

const DECLINES: Record<string, { code: DeclineCode; reason: string }> = {
  [TEST_CARDS.declined]: { code: "card_declined", reason: "The card was declined." },
  [TEST_CARDS.insufficientFunds]: { code: "insufficient_funds", reason: "The card has insufficient funds." },
};

/** An authorization as the test provider holds it (no card number: its last four digits only). */
export interface TestAuthorization {
  reference: string;
  merchantReference: string;
  amount: number;
  currency: string;
  brand: string;
  last4: string;
  status: "authorized" | "captured" | "voided";
  captured: number;
  refunded: number;
}

export interface TestProviderCall {
  operation: "authorize" | "capture" | "void" | "refund";
  idempotencyKey: string;
  /** The key was seen before: the first call's result was returned, nothing was done. */
  replayed: boolean;
}

export interface TestProvider extends PaymentProvider {
  /** Every call this provider object received, in order (tests count them). */
  readonly calls: TestProviderCall[];
  /** The authorization made for a payment (by its merchant reference), if any. */
  authorizationOf(merchantReference: string): Promise<TestAuthorization | undefined>;
  /** Whether a technical cancel for this merchant reference was received. */
  cancelled(merchantReference: string): Promise<boolean>;
}

export interface TestProviderOptions {
  /**
   * Where the provider keeps its books (tables `test_provider_*`, payments' migration 002): a pool
   * of its own on payments' database, so that its calls never wait for a connection held by the
   * payments transaction that is waiting for them.
   */
  db: Db;
  slowMs?: number;
  /** Where to record calls (tests share one list between the instances of a service). */
  calls?: TestProviderCall[];
}

const AUTHORIZATION_COLUMNS = `reference, merchant_reference AS "merchantReference", amount::float8 AS amount,
  currency, brand, last4, status, captured::float8 AS captured, refunded::float8 AS refunded`;

/**
 * The built-in provider (`PAYMENTS_PROVIDER=test`), behaving like the well-known test cards and like
 * a real provider in what matters to us: idempotent by key (the same key returns the first call's
 * result, even while that call is still running, so a retried authorization never authorizes twice),
 * and its authorizations, captures and refunds outlive any payments instance and are the same for
 * all of them (kept in payments' database, in tables of its own): a refund of a capture made by an
 * instance that has since crashed works.
 */
export function createTestProvider(options: TestProviderOptions): TestProvider {
  const { db } = options;
  const slowMs = options.slowMs ?? 30_000;
  const calls = options.calls ?? [];

  /**
   * Runs `run` once per (operation, key), in one transaction with the key's row: a concurrent call
   * with the same key waits for it, then gets its answer; a ProviderError is an answer too.
   */
  async function once<T>(
    operation: TestProviderCall["operation"],
    idempotencyKey: string,
    run: (tx: Queryable) => Promise<T>,
    delayMs = 0,
  ): Promise<T> {
    const call: TestProviderCall = { operation, idempotencyKey, replayed: false };
    calls.push(call);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    const answer = await withTx(db, async (tx) => {
      const claimed = await tx.query(
        "INSERT INTO test_provider_calls (operation, idempotency_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [operation, idempotencyKey],
      );
      if (claimed.rowCount === 0) {
        call.replayed = true;
        const { rows } = await tx.query<{ result: unknown; error: string | null }>(
          "SELECT result, error FROM test_provider_calls WHERE operation = $1 AND idempotency_key = $2",
          [operation, idempotencyKey],
        );
        return rows[0]!;
      }
      let stored: { result: unknown; error: string | null };
      try {
        stored = { result: (await run(tx)) ?? null, error: null };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        stored = { result: null, error: error.message };
      }
      await tx.query(
        "UPDATE test_provider_calls SET result = $3, error = $4 WHERE operation = $1 AND idempotency_key = $2",
        [operation, idempotencyKey, JSON.stringify(stored.result), stored.error],
      );
      return stored;
    });
    if (answer.error !== null) throw new ProviderError(operation, answer.error);
    return answer.result as T;
  }

  /** Authorizing and cancelling one merchant reference take turns (a cancel never misses a late authorization). */
  const lockMerchantReference = (tx: Queryable, merchantReference: string) =>
    tx.query("SELECT pg_advisory_xact_lock(hashtextextended('test-provider:' || $1, 0))", [merchantReference]);

  async function find(tx: Queryable, operation: string, reference: string): Promise<TestAuthorization> {
    const { rows } = await tx.query<TestAuthorization>(
      `SELECT ${AUTHORIZATION_COLUMNS} FROM test_provider_authorizations WHERE reference = $1 FOR UPDATE`,
      [reference],
    );
    if (!rows[0]) throw new ProviderError(operation, `No authorization ${reference} at the test provider.`);
    return rows[0];
  }

  async function authorize(tx: Queryable, request: AuthorizeRequest): Promise<AuthorizeResult> {
    const number = request.card.number;
    const decline = DECLINES[number];
    if (decline) return { outcome: "declined", ...decline, reference: `test_decl_${randomUUID()}` };
    await lockMerchantReference(tx, request.merchantReference);
    const cancelled = await tx.query("SELECT 1 FROM test_provider_cancels WHERE merchant_reference = $1", [
      request.merchantReference,
    ]);
    const reference = `test_auth_${randomUUID()}`;
    await tx.query(
      `INSERT INTO test_provider_authorizations (reference, merchant_reference, amount, currency, brand, last4, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        reference,
        request.merchantReference,
        request.amount,
        request.currency,
        brandOf(number),
        number.slice(-4),
        // Cancelled while it was being made (the caller gave up waiting): released at once.
        cancelled.rowCount ? "voided" : "authorized",
      ],
    );
    return { outcome: "authorized", reference };
  }

  return {
    name: "test",
    calls,

    async authorizationOf(merchantReference) {
      const { rows } = await db.query<TestAuthorization>(
        `SELECT ${AUTHORIZATION_COLUMNS} FROM test_provider_authorizations WHERE merchant_reference = $1
         ORDER BY created_at DESC LIMIT 1`,
        [merchantReference],
      );
      return rows[0];
    },

    async cancelled(merchantReference) {
      const { rowCount } = await db.query("SELECT 1 FROM test_provider_cancels WHERE merchant_reference = $1", [
        merchantReference,
      ]);
      return rowCount === 1;
    },

    authorize: (request) =>
      once(
        "authorize",
        request.idempotencyKey,
        (tx) => authorize(tx, request),
        request.card.number === TEST_CARDS.slow ? slowMs : 0,
      ),

    capture: (request) =>
      once("capture", request.idempotencyKey, async (tx) => {
        const a = await find(tx, "capture", request.reference);
        if (a.status !== "authorized")
          throw new ProviderError("capture", `Authorization ${a.reference} is ${a.status}.`);
        if (request.amount > a.amount) {
          throw new ProviderError("capture", `Cannot capture ${request.amount} of ${a.amount} authorized.`);
        }
        await tx.query(
          "UPDATE test_provider_authorizations SET status = 'captured', captured = $2 WHERE reference = $1",
          [a.reference, request.amount],
        );
      }),

    void: (request) =>
      once("void", request.idempotencyKey, async (tx) => {
        let a: TestAuthorization | undefined;
        if (request.reference) {
          a = await find(tx, "void", request.reference);
        } else {
          await lockMerchantReference(tx, request.merchantReference);
          const { rows } = await tx.query<TestAuthorization>(
            `SELECT ${AUTHORIZATION_COLUMNS} FROM test_provider_authorizations WHERE merchant_reference = $1
             ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
            [request.merchantReference],
          );
          a = rows[0];
          if (!a) {
            await tx.query(
              "INSERT INTO test_provider_cancels (merchant_reference) VALUES ($1) ON CONFLICT DO NOTHING",
              [request.merchantReference],
            );
            return;
          }
        }
        if (a.status === "captured") throw new ProviderError("void", `Authorization ${a.reference} was captured.`);
        await tx.query("UPDATE test_provider_authorizations SET status = 'voided' WHERE reference = $1", [a.reference]);
      }),

    refund: (request) =>
      once("refund", request.idempotencyKey, async (tx) => {
        const a = await find(tx, "refund", request.reference);
        if (a.status !== "captured") throw new ProviderError("refund", `Authorization ${a.reference} is ${a.status}.`);
        if (request.amount > a.captured - a.refunded) {
          throw new ProviderError("refund", `Cannot refund ${request.amount}: ${a.captured - a.refunded} is left.`);
        }
        await tx.query("UPDATE test_provider_authorizations SET refunded = refunded + $2 WHERE reference = $1", [
          a.reference,
          request.amount,
        ]);
        return { reference: `test_refund_${randomUUID()}` };
      }),
  };
}

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newCustomer, token } from "../support/platform";
import { type Card, CARDS, checkout, customerCart, levelOf, locations, newVariant } from "../support/shop";

/**
 * OWASP API10:2023 Unsafe Consumption of APIs — what Comptoir takes from APIs it does not control
 * or that answer for others: the payment provider (payments' built-in test provider, whose test
 * cards decline, lack funds or do not answer in time), catalog's prices as orders reads them, and
 * identity's answers about API keys as the gateway caches them. A provider's refusal or silence
 * must end in a clean problem, one failed payment, no charge, no stock held and no second charge.
 */
const FROM = "127.0.10.1";

/** A price no other file uses (≥ 50.00: no shipping fee), so that its payments can be told apart. */
const PRICE = 50_000 + Math.floor(Math.random() * 900_000);

describe("API10 unsafe consumption of APIs", () => {
  let variantId: string;
  let online: string;

  beforeAll(async () => {
    online = (await locations(FROM)).online;
    ({ variantId } = await newVariant(FROM, { price: PRICE, online: 10 }));
  }, 60_000);

  /** The payments (admin's view) of amount `PRICE` with these last four digits. */
  async function paymentsFor(last4: string) {
    const res = await call("GET", "/api/payments/payments?limit=200", {
      token: await token("admin", FROM),
      from: FROM,
    });
    expect(res.status, res.text).toBe(200);
    return (
      res.body.data as {
        status: string;
        amount: number;
        last4: string;
        capturedAmount: number;
        failureCode: string | null;
      }[]
    ).filter((p) => p.amount === PRICE && p.last4 === last4);
  }

  async function expectNothingTaken(customer: string, cartId: string) {
    expect(await levelOf(FROM, variantId, online)).toMatchObject({ reserved: 0 });
    const orders = await call("GET", "/api/orders", { token: customer, from: FROM });
    expect(orders.body.data).toEqual([]);
    const cart = await call("GET", `/api/cart/carts/${cartId}`, { token: customer, from: FROM });
    expect(cart.body.items).toEqual([expect.objectContaining({ variantId, quantity: 1 })]);
  }

  it.each([
    ["declines the card", CARDS.declined, 402, "card_declined"],
    ["answers insufficient funds", CARDS.insufficientFunds, 402, "insufficient_funds"],
  ] as [string, Card, number, string][])(
    "consumes the payment provider: when it %s, the checkout is a clean %i problem, one failed payment, no order, no stock held, and the same answer on a retry",
    async (_what, card, status, code) => {
      const customer = await newCustomer(FROM);
      const cartId = await customerCart(FROM, customer.token, variantId, 1);
      const before = await levelOf(FROM, variantId, online);
      const key = randomUUID();
      const first = await checkout(FROM, { cartId, token: customer.token, card, key });
      expectProblem(first, status, code);
      expect(first.body.detail).toMatch(/nothing was charged/i);
      expect(first.text).not.toContain(card.number);
      const again = await checkout(FROM, { cartId, token: customer.token, card, key });
      expectProblem(again, status, code);

      expect(await levelOf(FROM, variantId, online)).toEqual(before);
      await expectNothingTaken(customer.token, cartId);
      const payments = await paymentsFor(card.number.slice(-4));
      expect(payments).toEqual([expect.objectContaining({ status: "failed", capturedAmount: 0 })]);
    },
  );

  it("consumes the payment provider: when it does not answer in time, the checkout is a clean 503 within the gateway's timeout, the payment failed and never captured, no stock held, and a retry charges nothing", async () => {
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, variantId, 1);
    const key = randomUUID();
    const startedAt = Date.now();
    const first = await checkout(FROM, { cartId, token: customer.token, card: CARDS.slow, key });
    const seconds = (Date.now() - startedAt) / 1000;
    expectProblem(first, 503, "payment_provider_timeout");
    expect(seconds).toBeLessThan(10);
    expect(first.body.detail).toMatch(/nothing was charged/i);

    const again = await checkout(FROM, { cartId, token: customer.token, card: CARDS.slow, key });
    expectProblem(again, 503, "payment_provider_timeout");
    await expectNothingTaken(customer.token, cartId);
    expect(await paymentsFor(CARDS.slow.number.slice(-4))).toEqual([
      expect.objectContaining({ status: "failed", capturedAmount: 0, failureCode: "provider_timeout" }),
    ]);

    // The provider's silence did not spoil the cart: a good card pays it, once.
    const paid = await checkout(FROM, { cartId, token: customer.token, card: CARDS.good });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ status: "paid", total: PRICE });
    expect((await paymentsFor(CARDS.good.number.slice(-4))).filter((p) => p.status === "captured")).toHaveLength(1);
  }, 30_000);

  it("consumes catalog's prices: an order is priced by catalog at checkout, not by what the cart was shown", async () => {
    const { variantId: lamp } = await newVariant(FROM, { price: 1_000, online: 5 });
    const customer = await newCustomer(FROM);
    const cartId = await customerCart(FROM, customer.token, lamp, 1);
    const admin = await token("admin", FROM);
    const repriced = await call("PUT", `/api/catalog/variants/${lamp}/price`, {
      token: admin,
      body: { price: 1_300 },
      from: FROM,
    });
    expect(repriced.status, repriced.text).toBe(200);
    const paid = await checkout(FROM, { cartId, token: customer.token });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body.lines).toEqual([expect.objectContaining({ variantId: lamp, unitPrice: 1_300 })]);
    expect(paid.body.subtotal).toBe(1_300);
    const payment = await call("GET", `/api/payments/payments/${paid.body.paymentId}`, { token: admin, from: FROM });
    expect(payment.body).toMatchObject({ amount: paid.body.total, capturedAmount: paid.body.total });
  });

  it("consumes identity's answers about API keys: a revoked key stops working at the gateway within seconds", async () => {
    const admin = await token("admin", FROM);
    const created = await call("POST", "/api/identity/api-keys", {
      token: admin,
      body: { name: `sec-api10-${randomUUID().slice(0, 8)}`, tier: "partner" },
      from: FROM,
    });
    expect(created.status, created.text).toBe(201);
    const key = created.body.key as string;
    const used = await call("GET", "/api/catalog/categories", { apiKey: key, from: FROM });
    expect(used.status, used.text).toBe(200);
    expect(used.headers.get("ratelimit-limit")).toBe("500");

    const revoked = await call("DELETE", `/api/identity/api-keys/${created.body.id}`, { token: admin, from: FROM });
    expect(revoked.status, revoked.text).toBe(204);
    const deadline = Date.now() + 10_000;
    let res = used;
    while (res.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      res = await call("GET", "/api/catalog/categories", { apiKey: key, from: FROM });
    }
    expectProblem(res, 401, "invalid_api_key");
  }, 20_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paid, type Payments, refund, startPayments } from "./support/harness";

/**
 * The test provider stands for a real one at the system's edge: what it authorized, captured and
 * refunded does not live in a payments process. Each instance here is a process of its own (its own
 * provider object, nothing shared in memory); one that is closed is one that crashed.
 */
let payments: Payments;
beforeAll(async () => {
  payments = await startPayments("restart");
});
afterAll(() => payments?.close());

describe("the test provider across payments instances", () => {
  it("a capture made by an instance that crashed is refunded by another one (and by its restart)", async () => {
    const doomed = await payments.instance("payments-doomed");
    const id = await paid(doomed.orders, 1500, true);
    await doomed.app.close();

    const other = await payments.instance("payments-other");
    const part = await refund(other.orders, id, { amount: 500, reason: "checkout undone" });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    const restarted = await payments.instance("payments-doomed");
    const rest = await refund(restarted.orders, id);
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect((await payments.manager.get(`/api/payments/payments/${id}`)).body).toMatchObject({
      status: "refunded",
      refundedAmount: 1500,
    });
    expect(await payments.provider.authorizationOf(id)).toMatchObject({ status: "captured", refunded: 1500 });
  });

  it("an authorization made by an instance that crashed is captured, or voided, by another one", async () => {
    const doomed = await payments.instance("payments-doomed-2");
    const toCapture = await paid(doomed.orders, 800);
    const toVoid = await paid(doomed.orders, 900);
    await doomed.app.close();

    const other = await payments.instance("payments-other-2");
    const captured = await other.orders.post(`/api/payments/payments/${toCapture}/capture`);
    expect(captured.status, JSON.stringify(captured.body)).toBe(200);
    const voided = await other.orders.post(`/api/payments/payments/${toVoid}/void`);
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(await payments.provider.authorizationOf(toCapture)).toMatchObject({ status: "captured", captured: 800 });
    expect(await payments.provider.authorizationOf(toVoid)).toMatchObject({ status: "voided" });
  });
});

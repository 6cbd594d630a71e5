import { MAX_SUBTOTAL } from "@comptoir/contracts";
import { ordersHttp } from "@comptoir/contracts/http";
import { contractMismatches } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout, expectProblem, guestWith, type Shop, startShop } from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("shipping_options");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

const options = (query: string, api = shop.orders.anonymous) => api.get(`/api/orders/shipping-options${query}`);

describe("the shipping fee before paying", () => {
  it("anyone reads what delivery and pickup cost for a subtotal: the flat fee below the threshold, free from it", async () => {
    const below = await options("?subtotal=4999");
    expect(below.status, JSON.stringify(below.body)).toBe(200);
    expect(below.body).toEqual({ currency: "EUR", delivery: { fee: 490, freeFrom: 5000 }, pickup: { fee: 0 } });
    expect((await options("?subtotal=5000")).body.delivery).toEqual({ fee: 0, freeFrom: 5000 });
    expect((await options("")).body.delivery).toEqual({ fee: 490, freeFrom: 5000 });
  });

  it("tells the delivery fee the checkout then charges, by the instance's own rules", async () => {
    const orders = await shop.instance("orders-shipping-rules", { shipping: { fee: 700, freeFrom: 3000 } });
    const product = await shop.world.product({ price: 1200, stock: 10 });

    const delivered = await guestWith(shop, product.variantId, 2, orders);
    const told = await options("?subtotal=2400", orders.anonymous);
    expect(told.body).toEqual({ currency: "EUR", delivery: { fee: 700, freeFrom: 3000 }, pickup: { fee: 0 } });
    const order = await checkout(delivered);
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ subtotal: 2400, shipping: told.body.delivery.fee, total: 2400 + 700 });

    const free = await guestWith(shop, product.variantId, 3, orders);
    expect((await options("?subtotal=3600", orders.anonymous)).body.delivery.fee).toBe(0);
    expect((await checkout(free)).body).toMatchObject({ subtotal: 3600, shipping: 0, total: 3600 });
  });

  it("refuses a subtotal that is not an amount (400 problem+json)", async () => {
    for (const query of ["?subtotal=-1", "?subtotal=abc", "?subtotal=12.5", `?subtotal=${MAX_SUBTOTAL + 1}`, "?x=1"]) {
      expectProblem(await options(query), 400, "validation_failed");
    }
  });

  it("is registered with the contract's schemas", async () => {
    const mismatches = await contractMismatches(shop.orders.app, { shippingOptions: ordersHttp.shippingOptions });
    expect(mismatches).toEqual([]);
  });
});

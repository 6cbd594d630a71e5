import { ordersHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotencyKeyOf,
  problemResponses,
  Type,
} from "@comptoir/platform";
import * as checkout from "../domain/checkout.use-cases";
import { CheckoutRequest } from "../model/checkout";
import { OrderView, shippingFeeOf } from "../model/order";

export function checkoutRoutes(app: App, deps: checkout.CheckoutDeps): void {
  app.get(
    "/api/orders/shipping-options",
    {
      schema: {
        tags: ["checkout"],
        summary: "What delivery and store pickup cost for a subtotal (anyone, before paying)",
        description:
          "By the checkout's own rule (ORDERS_SHIPPING_FEE, free from ORDERS_FREE_SHIPPING_FROM; click-and-collect " +
          "at a store always free). `subtotal`: the cart's, in minor units; without it, the fee of a delivery for a " +
          "subtotal of 0. The checkout re-prices the cart: its subtotal, hence its fee, is the one that counts.",
        querystring: ordersHttp.shippingOptions.query,
        response: { ...ordersHttp.shippingOptions.responses, ...problemResponses(400) },
      },
    },
    async (request) => ({
      currency: deps.currency,
      delivery: {
        fee: shippingFeeOf(request.query.subtotal ?? 0, deps.shipping, false),
        freeFrom: deps.shipping.freeFrom,
      },
      pickup: { fee: shippingFeeOf(request.query.subtotal ?? 0, deps.shipping, true) },
    }),
  );

  app.post(
    "/api/orders/checkout",
    {
      schema: {
        ...bearerAuth,
        tags: ["checkout"],
        summary: "Turn a cart into a paid order (Idempotency-Key required)",
        description:
          "As a customer (bearer token) or a guest (X-Cart-Token of the cart, and an email). Either a shippingAddress " +
          "(delivery, with the shipping fee) or a pickupLocationId (click-and-collect at a store's location, free), " +
          "not both: 400 pickup_with_shipping_address, shipping_address_required, pickup_location_not_found or " +
          "pickup_location_not_a_store (the warehouse and the online channel are no pickup points). Re-prices the cart, " +
          "reserves the stock, authorizes and captures the card, and answers 201 with the paid order. 402 " +
          "card_declined / insufficient_funds, 409 insufficient_stock (with `short` lines) or items_unavailable, " +
          "400 for an invalid request, 503 when a service it needs does not answer — in every failure nothing is " +
          "charged and no stock stays held. The same key again answers the same order (or the same problem), " +
          "even while the first call is still running; the same key with another body (another card included, told " +
          "by its last four digits and expiry: no card number is kept) is a 422.",
        headers: Type.Object({
          ...IdempotencyKeyHeader,
          "x-cart-token": Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        body: CheckoutRequest,
        response: { 201: OrderView, ...problemResponses(400, 401, 402, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { order } = await checkout.checkout(
        deps,
        {
          principal: request.principal ?? null,
          authorization: request.headers.authorization,
          cartToken: request.headers["x-cart-token"],
        },
        idempotencyKeyOf(request, { required: true })!,
        {
          ...request.body,
          payment: {
            ...request.body.payment,
            card: { ...request.body.payment.card, number: request.body.payment.card.number.replaceAll(" ", "") },
          },
        },
      );
      return reply.code(201).send(order);
    },
  );
}

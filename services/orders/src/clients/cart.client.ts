import { cartHttp } from "@comptoir/contracts/http";
import {
  asUnavailable,
  defineClient,
  ignoring,
  NotFoundError,
  type ServiceClient,
  ServiceProblem,
} from "@comptoir/platform";
import { asStep } from "@comptoir/sagas";

/** The caller's own proof of access to a cart, passed along as is: cart checks it, not orders. */
export interface CartCredentials {
  authorization?: string;
  cartToken?: string;
}

export type CartClient = ReturnType<typeof createCartClient>;

/**
 * `client` carries orders' own service token (carts:manage, for `ordered`); `anonymous` carries
 * none, for reads on the shopper's behalf: only the shopper's own credentials may open their cart
 * (orders' rights must never stand in for a guest's missing or wrong token).
 */
export function createCartClient(client: ServiceClient, anonymous: ServiceClient) {
  const api = defineClient(client, cartHttp.endpoints);
  const asShopper = defineClient(anonymous, cartHttp.endpoints);
  return {
    /** The cart as its owner sees it; 404 `cart_not_found` when it is not theirs (or gone). */
    async read(cartId: string, credentials: CartCredentials): Promise<cartHttp.Cart> {
      const headers: Record<string, string> = {};
      if (credentials.authorization) headers.authorization = credentials.authorization;
      if (credentials.cartToken) headers["x-cart-token"] = credentials.cartToken;
      try {
        // As stored: orders prices the lines with catalog itself, and the reservation checks the stock.
        return await asShopper.getCart({ params: { id: cartId }, query: { refresh: false }, headers });
      } catch (error) {
        if (error instanceof ServiceProblem && [401, 403, 404].includes(error.status)) {
          throw new NotFoundError("cart_not_found", `Cart ${cartId} does not exist, has expired, or is not yours.`);
        }
        throw asUnavailable(error, `read cart ${cartId}`);
      }
    },

    /** Removes what an order bought from the cart, once per order (orders' service token: carts:manage). */
    async ordered(cartId: string, orderId: string, items: { variantId: string; quantity: number }[]): Promise<void> {
      await asStep(
        "emptying the cart",
        api
          .markOrdered({ params: { id: cartId }, body: { orderId, items }, idempotencyKey: `ordered-${orderId}` })
          // A cart that expired or was emptied in the meantime has nothing left to remove.
          .catch(ignoring(cartHttp.markOrdered, "cart_not_found")),
      );
    },
  };
}

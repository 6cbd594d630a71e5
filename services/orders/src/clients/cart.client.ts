import { expectStepOk, NotFoundError, type ServiceClient, UnavailableError } from "@comptoir/platform";

export interface Cart {
  id: string;
  customerId: string | null;
  items: { variantId: string; quantity: number }[];
}

/** The caller's own proof of access to a cart, passed along as is: cart checks it, not orders. */
export interface CartCredentials {
  authorization?: string;
  cartToken?: string;
}

export interface CartClient {
  /** The cart as its owner sees it; 404 `cart_not_found` when it is not theirs (or gone). */
  read(cartId: string, credentials: CartCredentials): Promise<Cart>;
  /** Removes what an order bought from the cart, once per order (orders' service token: carts:manage). */
  ordered(cartId: string, orderId: string, items: { variantId: string; quantity: number }[]): Promise<void>;
}

/**
 * `client` carries orders' own service token (carts:manage, for `ordered`); `anonymous` carries
 * none, for reads on the shopper's behalf: only the shopper's own credentials may open their cart
 * (orders' rights must never stand in for a guest's missing or wrong token).
 */
export function createCartClient(client: ServiceClient, anonymous: ServiceClient): CartClient {
  return {
    async read(cartId, credentials) {
      const headers: Record<string, string> = {};
      if (credentials.authorization) headers.authorization = credentials.authorization;
      if (credentials.cartToken) headers["x-cart-token"] = credentials.cartToken;
      const res = await anonymous.request<Cart & { detail?: string }>({
        method: "GET",
        path: `/api/cart/carts/${cartId}`,
        // As stored: orders prices the lines with catalog itself, and the reservation checks the stock.
        query: { refresh: false },
        headers,
      });
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        throw new NotFoundError("cart_not_found", `Cart ${cartId} does not exist, has expired, or is not yours.`);
      }
      if (res.status !== 200) {
        throw new UnavailableError(`The cart service could not read cart ${cartId} (status ${res.status}).`, {
          retryAfterSeconds: 1,
        });
      }
      return res.body;
    },

    async ordered(cartId, orderId, items) {
      const res = await client.request({
        method: "POST",
        path: `/api/cart/carts/${cartId}/ordered`,
        idempotencyKey: `ordered-${orderId}`,
        body: { orderId, items },
      });
      // A cart that expired or was emptied in the meantime has nothing left to remove.
      if (res.status === 404) return;
      expectStepOk("cart", "emptying the cart", res);
    },
  };
}

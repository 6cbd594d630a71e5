import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api, codeOf, newKey, type ServicePaths, unwrap } from "../../app/api/client";
import { useSession } from "../../app/auth/session";

/** A cart as the cart service answers it: re-priced and checked against stock on every read. */
export type Cart = ServicePaths["cart"]["/api/cart/carts/{id}"]["get"]["responses"][200]["content"]["application/json"];
export type CartItem = Cart["items"][number];

/** A guest cart: its id and its secret token (sent as X-Cart-Token), kept in this browser. */
export interface GuestCart {
  id: string;
  token: string;
}

const GUEST_KEY = "comptoir.cart";

/** The query key of the customer's cart, or of this browser's guest cart. */
const cartKey = (userId: string | undefined, guestId: string | undefined) =>
  userId ? ["cart", userId] : ["cart", "guest", guestId ?? null];

function loadGuest(): GuestCart | null {
  try {
    const raw = localStorage.getItem(GUEST_KEY);
    return raw ? (JSON.parse(raw) as GuestCart) : null;
  } catch {
    return null;
  }
}

function saveGuest(guest: GuestCart | null) {
  if (guest) localStorage.setItem(GUEST_KEY, JSON.stringify(guest));
  else localStorage.removeItem(GUEST_KEY);
}

export interface CartApi {
  cart: Cart | null | undefined;
  isLoading: boolean;
  error: unknown;
  /** The guest cart's token (undefined when signed in): the checkout sends it. */
  guest: GuestCart | null;
  /** True once a guest cart was merged into the signed-in customer's, until dismissed. */
  merged: boolean;
  dismissMerged(): void;
  add(variantId: string, quantity: number): Promise<Cart>;
  setQuantity(variantId: string, quantity: number): Promise<Cart>;
  remove(variantId: string): Promise<Cart>;
  /** Forget the cart read (after a checkout emptied it on the server). */
  refresh(): Promise<void>;
}

const CartContext = createContext<CartApi | null>(null);

/**
 * The shopper's cart. A guest's lives on the server with a secret token kept in localStorage; once
 * the guest signs in, it is merged into the customer's own cart (POST …/associate) and forgotten here.
 */
export function CartProvider({ children }: { children: ReactNode }) {
  const { user, call } = useSession();
  const queryClient = useQueryClient();
  const [guest, setGuest] = useState<GuestCart | null>(loadGuest);
  const [merged, setMerged] = useState(false);
  const merging = useRef<Promise<void> | null>(null);
  const key = useMemo(() => cartKey(user?.id, guest?.id), [user, guest]);

  const forgetGuest = useCallback(() => {
    saveGuest(null);
    setGuest(null);
  }, []);

  // Signed in with a guest cart in this browser: merge it into the customer's cart, once. The cart
  // read waits for it; a failure other than "no such cart" keeps the guest cart for the next visit.
  useEffect(() => {
    if (!user || !guest || merging.current) return;
    const merge = (async () => {
      // One key for the merge, whatever is sent again (a refreshed token, the gateway's own retry).
      const idempotencyKey = newKey();
      try {
        await call((c) =>
          c.cart.POST("/api/cart/carts/{id}/associate", {
            params: { path: { id: guest.id } },
            headers: { "x-cart-token": guest.token, "idempotency-key": idempotencyKey },
          }),
        );
        setMerged(true);
        forgetGuest();
      } catch (error) {
        if (codeOf(error) === "cart_not_found") forgetGuest();
      }
    })();
    merging.current = merge;
    void merge.then(() => {
      merging.current = null;
      return queryClient.invalidateQueries({ queryKey: ["cart"] });
    });
  }, [user, guest, call, forgetGuest, queryClient]);

  const query = useQuery({
    queryKey: key,
    queryFn: async (): Promise<Cart | null> => {
      if (merging.current) await merging.current;
      try {
        // The customer's own cart, created if they have none (GET /api/cart/me would answer 404).
        if (user) return (await call((c) => c.cart.POST("/api/cart/carts"))) as Cart;
        if (!guest) return null;
        return unwrap(
          await api.cart.GET("/api/cart/carts/{id}", {
            params: { path: { id: guest.id } },
            headers: { "x-cart-token": guest.token },
          }),
        ) as Cart;
      } catch (error) {
        if (codeOf(error) !== "cart_not_found") throw error;
        if (!user) forgetGuest();
        return null;
      }
    },
  });

  const value = useMemo<CartApi>(() => {
    /** The cart a change answered, as the cart read (a read still on its way is dropped: it is older). */
    const store = async (cart: Cart) => {
      const written = cartKey(user?.id, user ? undefined : cart.id);
      await queryClient.cancelQueries({ queryKey: written });
      queryClient.setQueryData(written, cart);
      return cart;
    };
    /** The cart to write to: the customer's own, or this browser's guest cart (created if none). */
    async function target(): Promise<{ id: string; headers: Record<string, string> }> {
      if (user) {
        const own = query.data ?? ((await call((c) => c.cart.POST("/api/cart/carts"))) as Cart);
        return { id: own.id, headers: {} };
      }
      let current = guest;
      if (!current) {
        const created = unwrap(await api.cart.POST("/api/cart/carts", { headers: { "idempotency-key": newKey() } }));
        current = { id: created.id, token: created.token! };
        saveGuest(current);
        setGuest(current);
      }
      return { id: current.id, headers: { "x-cart-token": current.token } };
    }
    return {
      cart: query.data,
      isLoading: query.isLoading,
      error: query.error,
      guest: user ? null : guest,
      merged,
      dismissMerged: () => setMerged(false),
      async add(variantId, quantity) {
        const { id, headers } = await target();
        const keyed = { ...headers, "idempotency-key": newKey() };
        const cart = await call((c) =>
          c.cart.POST("/api/cart/carts/{id}/items", {
            params: { path: { id } },
            headers: keyed,
            body: { variantId, quantity },
          }),
        );
        return store(cart as Cart);
      },
      async setQuantity(variantId, quantity) {
        const { id, headers } = await target();
        const keyed = { ...headers, "idempotency-key": newKey() };
        const cart = await call((c) =>
          c.cart.PATCH("/api/cart/carts/{id}/items/{variantId}", {
            params: { path: { id, variantId } },
            headers: keyed,
            body: { quantity },
          }),
        );
        return store(cart as Cart);
      },
      async remove(variantId) {
        const { id, headers } = await target();
        const keyed = { ...headers, "idempotency-key": newKey() };
        const cart = await call((c) =>
          c.cart.DELETE("/api/cart/carts/{id}/items/{variantId}", {
            params: { path: { id, variantId } },
            headers: keyed,
          }),
        );
        return store(cart as Cart);
      },
      async refresh() {
        await queryClient.invalidateQueries({ queryKey: ["cart"] });
      },
    };
  }, [query.data, query.isLoading, query.error, user, guest, merged, call, queryClient]);

  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartApi {
  const value = useContext(CartContext);
  if (!value) throw new Error("useCart outside CartProvider");
  return value;
}

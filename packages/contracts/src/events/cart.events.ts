import { Type } from "typebox";
import { DateTime, Nullable, Uuid } from "./common";
import { defineEvent } from "./define";

/**
 * Cart's stream: the first two steps of the online conversion funnel (a cart exists, a cart holds
 * something). Every cart change is not an event: only these milestones, each at most once per cart.
 */
export const cartEvents = {
  "cart.cart.created": defineEvent({
    version: 1,
    subject: "cart id",
    description:
      "A cart came into existence: a guest's (customerId null) or a customer's. Once per cart; a customer who " +
      "asks again for their live cart gets it back and nothing is published.",
    data: Type.Object({
      cartId: Uuid,
      /** The owner of a customer cart; null for a guest cart (one adopted at login stays counted as a guest's). */
      customerId: Nullable(Uuid),
      createdAt: DateTime,
    }),
  }),
  "cart.cart.filled": defineEvent({
    version: 1,
    subject: "cart id",
    description:
      "A cart holds an item for the first time: by an add, or by a guest cart's lines merged into it at login. " +
      "Once per cart: emptied and filled again, it publishes nothing more.",
    data: Type.Object({
      cartId: Uuid,
      /** The owner at that moment; null for a guest cart. */
      customerId: Nullable(Uuid),
      filledAt: DateTime,
      /** Units in the cart right after (the sum of its lines' quantities). */
      itemCount: Type.Integer({ minimum: 1 }),
      lineCount: Type.Integer({ minimum: 1 }),
    }),
  }),
};

-- Which milestones (cart.cart.created, cart.cart.filled) each cart has published: each is published
-- once per cart, in the transaction that writes it to the outbox. A cart emptied and filled again is
-- not "filled" twice; an event relayed twice from Redis (after a crash) is written once.
CREATE TABLE cart_events (
  cart_id      uuid NOT NULL,
  type         text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cart_id, type)
);

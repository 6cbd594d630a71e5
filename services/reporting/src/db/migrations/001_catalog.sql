-- Catalog as the sales reports need it (names and categories of products), fed by catalog.category.*
-- and catalog.product.created|updated; rebuilt from scratch by a replay. Every row carries the instant
-- and id of the event that last set it: an older event never overwrites a newer state. No foreign keys:
-- events of different subjects arrive in any order.
CREATE TABLE reporting_categories (
  id         uuid PRIMARY KEY,
  name       text NOT NULL,
  -- A deleted category stays as a tombstone, so that an older `updated` does not bring it back.
  deleted    boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL,
  event_id   uuid NOT NULL
);

-- A product seen only on sale lines so far is kept with the line's name (changed_at -infinity), until
-- catalog's event describes it.
CREATE TABLE reporting_products (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  category_id uuid,
  changed_at  timestamptz NOT NULL,
  event_id    uuid
);

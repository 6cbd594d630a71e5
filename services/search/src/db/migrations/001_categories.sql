-- The catalog's categories as search knows them: a read model fed by catalog.category.* events,
-- rebuilt from scratch by a replay. No foreign key on parent_id and no unique slug: events about
-- different categories may arrive in any order (only one category's own events are ordered).
CREATE TABLE search_categories (
  id          uuid PRIMARY KEY,
  parent_id   uuid,
  name        text NOT NULL,
  slug        text NOT NULL,
  description text,
  position    integer NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE INDEX search_categories_order_idx ON search_categories (parent_id, position, name);

-- The products' change feed, which every search instance follows to keep its in-memory index
-- (engine/indexed-engine.ts) equal to these tables. refreshProducts stamps each row it derives with
-- the transaction that wrote it (change_xid) and a number of its own (change_seq, one per change). An
-- instance reads the rows written by transactions not known finished at its previous read (xid at or
-- above that read's snapshot xmin), so a row committed late by a long transaction is never skipped,
-- and nobody waits for anybody; change_seq tells it which rows it has already applied.
CREATE SEQUENCE search_products_changes;
ALTER TABLE search_products
  ADD COLUMN change_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT '0';
CREATE INDEX search_products_change_xid_idx ON search_products (change_xid, id);

-- Replaced by the feed: the facet counts it keyed are now computed by each instance's index.
DROP SEQUENCE search_products_generation;

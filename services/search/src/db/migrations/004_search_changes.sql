-- The products' change feed, which every search instance follows to keep its in-memory index
-- (engine/indexed-engine.ts) equal to these tables: refreshProducts stamps each row it derives with the
-- next number of this sequence, under a transaction-scoped lock taken just before (products.repo.ts:
-- lockChangeFeed), so numbers become visible in the order they were given. An instance that has read
-- every row up to N then never misses a change by reading the rows numbered above N.
CREATE SEQUENCE search_products_changes;
ALTER TABLE search_products ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX search_products_change_seq_idx ON search_products (change_seq);

-- Replaced by the feed: the facet counts it keyed are now computed by each instance's index.
DROP SEQUENCE search_products_generation;

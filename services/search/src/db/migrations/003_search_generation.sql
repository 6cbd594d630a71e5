-- Bumped (nextval) by every change to the products read model (products.repo.ts: refreshProducts,
-- clearProducts): the engine keys its cached facet counts on it, so a change is never hidden by them.
-- A sequence, not a row: concurrent handlers never wait on each other for it.
CREATE SEQUENCE search_products_generation;

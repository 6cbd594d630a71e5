-- Products, variants and stock as search knows them: a read model fed by catalog.product.*,
-- catalog.variant.*, catalog.category.* and inventory.stock.changed, rebuilt from scratch by a replay.
-- No foreign keys: events about different subjects arrive in any order (a stock level may come before
-- its variant, a product before its category); every row carries the instant and id of the event that
-- last set it, and an older event never overwrites a newer state.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (it reads its dictionary by name); this wrapper names the dictionary, so it
-- may sit in index expressions and stored columns.
CREATE FUNCTION search_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.unaccent('public.unaccent'::regdictionary, $1);

-- A lower-case, accent-free text with every run of non-letters/digits made one space, between spaces:
-- `LIKE '% ' || word || '%'` is then "a word of it starts with word" (suggestions, trigram index).
CREATE FUNCTION search_key(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN ' ' || btrim(regexp_replace(lower(search_unaccent($1)), '[^[:alnum:]]+', ' ', 'g')) || ' ';

-- French and English stemming over accent-free words: "Écrans" and "ecran" are the same lexeme.
CREATE TEXT SEARCH CONFIGURATION search_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION search_french
  ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION search_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION search_english
  ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem;
-- Codes and option values, unstemmed.
CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION search_simple
  ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, simple;

-- The tsquery of one word typed: its French, English and unstemmed lexemes, any of them; NULL for a
-- stop word of either language ("de", "the"), which a search then ignores. plainto_tsquery reads a
-- word as text only (no operators), and the words come from model/query.ts (letters and digits).
CREATE FUNCTION search_word_query(word text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN CASE
    WHEN numnode(plainto_tsquery('search_french', word)) = 0 OR numnode(plainto_tsquery('search_english', word)) = 0
      THEN NULL
    ELSE plainto_tsquery('search_french', word) || plainto_tsquery('search_english', word)
      || plainto_tsquery('search_simple', word)
  END;

-- A search's tsquery from groups of words, `[["chausure", "chaussure"], ["running"]]`: every group must
-- match (AND), by any of its words (OR: the word typed, its typo corrections). Stop words are left out;
-- NULL when nothing is left.
CREATE FUNCTION search_query(groups jsonb) RETURNS tsquery
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
  result tsquery;
  grp jsonb;
  alternative text;
  one tsquery;
  part tsquery;
BEGIN
  FOR grp IN SELECT jsonb_array_elements(groups) LOOP
    one := NULL;
    FOR alternative IN SELECT jsonb_array_elements_text(grp) LOOP
      part := search_word_query(alternative);
      CONTINUE WHEN part IS NULL;
      one := CASE WHEN one IS NULL THEN part ELSE one || part END;
    END LOOP;
    CONTINUE WHEN one IS NULL;
    result := CASE WHEN result IS NULL THEN one ELSE result && one END;
  END LOOP;
  RETURN result;
END
$$;

ALTER TABLE search_categories ADD COLUMN name_key text GENERATED ALWAYS AS (search_key(name)) STORED;

CREATE TABLE search_products (
  id             uuid PRIMARY KEY,
  name           text NOT NULL,
  slug           text NOT NULL,
  description    text,
  brand          text,
  status         text NOT NULL,
  category_id    uuid,                            -- null: known only from its archiving
  attributes     jsonb NOT NULL DEFAULT '{}',
  thumbnail_url  text,
  -- When catalog created it (catalog.product.created's instant; the earliest event seen until then).
  created_at     timestamptz NOT NULL,
  -- The last product-level event applied (created, updated, archived): an older one is ignored.
  changed_at     timestamptz NOT NULL,
  changed_by_event uuid NOT NULL,
  -- Derived by refresh (products.repo.ts) from the product, its variants, its category and the stock:
  searchable     boolean NOT NULL DEFAULT false,  -- active, in a known category, with a variant
  category_path  uuid[] NOT NULL DEFAULT '{}',    -- root … its category
  category_names text NOT NULL DEFAULT '',        -- the path's names, root first
  name_key       text NOT NULL DEFAULT '',        -- search_key(name)
  document       tsvector NOT NULL DEFAULT ''::tsvector,
  min_price      bigint,
  max_price      bigint,
  currency       text,
  in_stock_online boolean NOT NULL DEFAULT false,
  stock_locations uuid[] NOT NULL DEFAULT '{}'   -- where some variant has stock available
);

-- Every filter of a search, on searchable rows only (partial indexes stay small as archives pile up).
CREATE INDEX search_products_document_idx ON search_products USING gin (document) WHERE searchable;
CREATE INDEX search_products_category_idx ON search_products USING gin (category_path) WHERE searchable;
CREATE INDEX search_products_locations_idx ON search_products USING gin (stock_locations) WHERE searchable;
CREATE INDEX search_products_name_trgm_idx ON search_products USING gin (name_key gin_trgm_ops) WHERE searchable;
CREATE INDEX search_products_brand_idx ON search_products (lower(brand)) WHERE searchable;
CREATE INDEX search_products_newest_idx ON search_products (created_at DESC, id DESC) WHERE searchable;
CREATE INDEX search_products_price_idx ON search_products (min_price, id) WHERE searchable;
CREATE INDEX search_products_category_id_idx ON search_products (category_id);

CREATE TABLE search_variants (
  id               uuid PRIMARY KEY,
  product_id       uuid NOT NULL,
  sku              text NOT NULL,
  barcode          text,
  options          jsonb NOT NULL DEFAULT '{}',
  price            bigint NOT NULL,
  compare_at_price bigint,
  currency         text NOT NULL,
  position         integer NOT NULL DEFAULT 0,
  changed_at       timestamptz NOT NULL,
  changed_by_event uuid NOT NULL
);

CREATE INDEX search_variants_product_idx ON search_variants (product_id, price);
CREATE INDEX search_variants_sku_idx ON search_variants (lower(sku));
CREATE INDEX search_variants_barcode_idx ON search_variants (barcode);

-- The stock of a (variant, location) as of the last inventory.stock.changed about it; kept even when
-- the variant is not known yet (its product picks it up when it arrives).
CREATE TABLE search_stock (
  variant_id       uuid NOT NULL,
  location_id      uuid NOT NULL,
  location_kind    text NOT NULL,
  store_id         uuid,
  on_hand          integer NOT NULL,
  available        integer NOT NULL,
  changed_at       timestamptz NOT NULL,
  changed_by_event uuid NOT NULL,
  PRIMARY KEY (variant_id, location_id)
);

-- The words of product names, brands and category names: what a typo'd query word is corrected to
-- (nearest by trigram distance, GiST: `ORDER BY word <-> $1 LIMIT n`).
CREATE TABLE search_words (
  word text PRIMARY KEY
);

CREATE INDEX search_words_trgm_idx ON search_words USING gist (word gist_trgm_ops);

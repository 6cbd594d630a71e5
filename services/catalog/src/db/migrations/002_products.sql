-- Products with their variants, prices (and their history) and images. Products sit in leaf
-- categories only (checked by the use cases, under a lock on the category row).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE products (
  id          uuid PRIMARY KEY,
  category_id uuid NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  slug        text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 120),
  description text CHECK (char_length(description) <= 10000),
  brand       text CHECK (char_length(brand) BETWEEN 1 AND 120),
  attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- The product as the API shows it (JSON text, variants and images included), rewritten by every
  -- change in the change's transaction: reads send it as is. NULL (a bulk import) is computed on read.
  document    text,
  CONSTRAINT products_slug_key UNIQUE (slug)
);

-- Lists: newest first, by status (everyone) and by category + status (a category page).
CREATE INDEX products_status_list_idx ON products (status, created_at DESC, id DESC);
CREATE INDEX products_category_list_idx ON products (category_id, status, created_at DESC, id DESC);
-- `q` (substring of the name, back office): trigram index serves ILIKE '%…%'.
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);

CREATE TABLE variants (
  id               uuid PRIMARY KEY,
  product_id       uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku              text NOT NULL CHECK (char_length(sku) BETWEEN 1 AND 64),
  options          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  price            bigint NOT NULL CHECK (price >= 0),
  compare_at_price bigint CHECK (compare_at_price > price),
  currency         char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
  barcode          text CHECK (char_length(barcode) BETWEEN 1 AND 64),
  position         integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT variants_sku_key UNIQUE (sku),
  CONSTRAINT variants_barcode_key UNIQUE (barcode)
);

CREATE INDEX variants_product_idx ON variants (product_id, position, id);

CREATE TABLE price_history (
  id         uuid PRIMARY KEY,
  variant_id uuid NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
  old_price  bigint NOT NULL,
  new_price  bigint NOT NULL,
  currency   char(3) NOT NULL,
  -- The staff member (token subject); null for an import or a system change.
  changed_by uuid,
  changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX price_history_variant_idx ON price_history (variant_id, changed_at DESC, id DESC);

CREATE TABLE product_images (
  id         uuid PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  alt        text CHECK (char_length(alt) <= 300),
  position   integer NOT NULL DEFAULT 0,
  width      integer NOT NULL,
  height     integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);

-- The product as the API shows it. Timestamps as JavaScript writes them (UTC, milliseconds, Z); image
-- URLs as imageUrls() in domain/product.ts makes them.
CREATE FUNCTION product_document(product_id uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', p.id, 'categoryId', p.category_id, 'name', p.name, 'slug', p.slug,
    'description', p.description, 'brand', p.brand, 'attributes', p.attributes, 'status', p.status,
    'createdAt', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'variants', COALESCE((
      SELECT json_agg(json_build_object(
               'id', v.id, 'productId', v.product_id, 'sku', v.sku, 'options', v.options,
               'price', v.price, 'compareAtPrice', v.compare_at_price, 'currency', v.currency,
               'barcode', v.barcode, 'position', v.position) ORDER BY v.position, v.id)
        FROM variants v WHERE v.product_id = p.id), '[]'),
    'images', COALESCE((
      SELECT json_agg(json_build_object(
               'id', i.id,
               'thumbnailUrl', '/images/catalog/' || p.id || '/' || i.id || '-thumb.webp',
               'largeUrl', '/images/catalog/' || p.id || '/' || i.id || '-large.webp',
               'alt', i.alt, 'position', i.position) ORDER BY i.position, i.id)
        FROM product_images i WHERE i.product_id = p.id), '[]'))::text
  FROM products p WHERE p.id = product_id
$$;

-- One-off jobs already done in this database (the demo catalog), so that restarts and concurrent
-- instances do them once.
CREATE TABLE seed_markers (
  name       text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- VAT rates and barcodes for the tills (issue 18).
--
-- A product has one VAT rate, in basis points (contracts' vat.ts: 2000 = 20 %, 1000, 550, 210); prices
-- include it. Existing products take the default, 20 %.
ALTER TABLE products
  ADD COLUMN vat_rate integer NOT NULL DEFAULT 2000 CHECK (vat_rate IN (2000, 1000, 550, 210));

-- Every variant has a barcode a till can scan. One given by the caller is checked by the use cases
-- (8 to 14 digits, a valid GS1 check digit); one not given is an in-store EAN-13: "2" (restricted
-- circulation, GS1's prefix for codes only valid in the shop), 11 digits from this sequence, and
-- the check digit.
CREATE SEQUENCE variant_store_barcode_seq;

-- The GS1 check digit of a code's digits without it (EAN-8, UPC-A, EAN-13, GTIN-14 alike): from the
-- right, weights 3, 1, 3, 1...
CREATE FUNCTION gs1_check_digit(body text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT ((10 - (sum(substr(reverse(body), i, 1)::int * CASE WHEN i % 2 = 1 THEN 3 ELSE 1 END) % 10)) % 10)::text
    FROM generate_series(1, char_length(body)) AS i
$$;

-- The next in-store EAN-13 no variant uses (a caller may have given one of these codes by hand).
CREATE FUNCTION next_store_barcode() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  body text;
BEGIN
  LOOP
    body := '2' || lpad(nextval('variant_store_barcode_seq')::text, 11, '0');
    IF NOT EXISTS (SELECT 1 FROM variants WHERE barcode = body || gs1_check_digit(body)) THEN
      RETURN body || gs1_check_digit(body);
    END IF;
  END LOOP;
END
$$;

-- Variants created before: an in-store barcode each (in creation order), so that every one can be scanned.
UPDATE variants v SET barcode = next_store_barcode(), updated_at = now()
  FROM (SELECT id FROM variants WHERE barcode IS NULL ORDER BY created_at, id) AS unbarcoded
 WHERE v.id = unbarcoded.id;
ALTER TABLE variants ALTER COLUMN barcode SET NOT NULL;

-- The product as the API shows it, now with its VAT rate (on the product and on each variant).
CREATE OR REPLACE FUNCTION product_document(product_id uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', p.id, 'categoryId', p.category_id, 'name', p.name, 'slug', p.slug,
    'description', p.description, 'brand', p.brand, 'attributes', p.attributes, 'status', p.status,
    'vatRate', p.vat_rate,
    'createdAt', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'variants', COALESCE((
      SELECT json_agg(json_build_object(
               'id', v.id, 'productId', v.product_id, 'sku', v.sku, 'options', v.options,
               'price', v.price, 'compareAtPrice', v.compare_at_price, 'currency', v.currency,
               'barcode', v.barcode, 'position', v.position, 'vatRate', p.vat_rate) ORDER BY v.position, v.id)
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

-- Every stored document shows the rate and the new barcodes.
UPDATE products SET document = product_document(id) WHERE document IS NOT NULL;

-- The demo catalog's variants (catalog.variant.created with "demo": true): in demo mode only these
-- receive demo stock, never a product someone created.
ALTER TABLE known_variants ADD COLUMN demo boolean NOT NULL DEFAULT false;

-- Variants that received demo stock before this column existed.
UPDATE known_variants v SET demo = true
 WHERE EXISTS (SELECT 1 FROM stock_movements m WHERE m.variant_id = v.id AND m.reference = 'demo');

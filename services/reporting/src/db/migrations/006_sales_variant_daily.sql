-- Units per variant, channel and local day. The stock report reads it (days of cover): keep its shape.
-- units_sold is net of voided sales; units_returned are till returns; revenue = the lines' totals, VAT
-- included, net of voids.
CREATE TABLE sales_variant_daily (
  day            date NOT NULL,
  channel        text NOT NULL,
  variant_id     uuid NOT NULL,
  product_id     uuid NOT NULL,
  units_sold     integer NOT NULL DEFAULT 0,
  units_returned integer NOT NULL DEFAULT 0,
  revenue        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, variant_id)
);
CREATE INDEX sales_variant_daily_variant ON sales_variant_daily (variant_id, day);

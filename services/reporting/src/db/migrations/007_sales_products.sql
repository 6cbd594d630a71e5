-- Lines per product, VAT rate, channel and local day: top products and sales by category (the product's
-- category is read at query time, so a product moved to another category moves its history with it).
CREATE TABLE sales_product_daily (
  day            date NOT NULL,
  channel        text NOT NULL,
  product_id     uuid NOT NULL,
  vat_rate       integer NOT NULL,
  units_sold     integer NOT NULL DEFAULT 0,
  units_returned integer NOT NULL DEFAULT 0,
  revenue        bigint NOT NULL DEFAULT 0,
  discounts      bigint NOT NULL DEFAULT 0,
  returns        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, product_id, vat_rate)
);

-- The same per calendar month (month = its first day): a period's whole months are read here, its
-- partial months from the daily rows, so that a year's top products read thousands of rows, not a million.
CREATE TABLE sales_product_monthly (
  month          date NOT NULL,
  channel        text NOT NULL,
  product_id     uuid NOT NULL,
  vat_rate       integer NOT NULL,
  units_sold     integer NOT NULL DEFAULT 0,
  units_returned integer NOT NULL DEFAULT 0,
  revenue        bigint NOT NULL DEFAULT 0,
  discounts      bigint NOT NULL DEFAULT 0,
  returns        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (month, channel, product_id, vat_rate)
);

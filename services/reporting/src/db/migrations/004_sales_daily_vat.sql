-- The VAT of each channel's day, per rate (basis points): the sums of the documents' own breakdowns.
CREATE TABLE sales_daily_vat (
  day     date NOT NULL,
  channel text NOT NULL,
  rate    integer NOT NULL,
  base    bigint NOT NULL DEFAULT 0,
  vat     bigint NOT NULL DEFAULT 0,
  total   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, rate)
);

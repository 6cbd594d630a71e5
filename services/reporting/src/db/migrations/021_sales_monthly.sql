-- Sales per channel and calendar month (the month's first day), their VAT per rate and their hours: sales_daily,
-- sales_daily_vat and sales_hourly summed by month, added to in the same statement as the days (each event's delta). A
-- report by month or over whole months (a year's consolidated sales) reads 12 rows per channel instead
-- of 365; the days outside whole months still come from the daily rollups.
CREATE TABLE sales_monthly (
  month            date NOT NULL CHECK (extract(day FROM month) = 1),
  channel          text NOT NULL,
  revenue          bigint NOT NULL DEFAULT 0,
  revenue_excl_vat bigint NOT NULL DEFAULT 0,
  vat              bigint NOT NULL DEFAULT 0,
  discounts        bigint NOT NULL DEFAULT 0,
  transactions     integer NOT NULL DEFAULT 0,
  units            integer NOT NULL DEFAULT 0,
  returns          bigint NOT NULL DEFAULT 0,
  returns_count    integer NOT NULL DEFAULT 0,
  units_returned   integer NOT NULL DEFAULT 0,
  refunds          bigint NOT NULL DEFAULT 0,
  refunds_count    integer NOT NULL DEFAULT 0,
  voids            bigint NOT NULL DEFAULT 0,
  voids_count      integer NOT NULL DEFAULT 0,
  cash_variance    bigint NOT NULL DEFAULT 0,
  closings         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (month, channel)
);

CREATE TABLE sales_monthly_vat (
  month   date NOT NULL CHECK (extract(day FROM month) = 1),
  channel text NOT NULL,
  rate    integer NOT NULL,
  base    bigint NOT NULL DEFAULT 0,
  vat     bigint NOT NULL DEFAULT 0,
  total   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (month, channel, rate)
);

-- What the days hold already.
INSERT INTO sales_monthly
SELECT date_trunc('month', day)::date, channel, sum(revenue), sum(revenue_excl_vat), sum(vat), sum(discounts),
       sum(transactions), sum(units), sum(returns), sum(returns_count), sum(units_returned), sum(refunds),
       sum(refunds_count), sum(voids), sum(voids_count), sum(cash_variance), sum(closings)
  FROM sales_daily GROUP BY 1, 2;

INSERT INTO sales_monthly_vat
SELECT date_trunc('month', day)::date, channel, rate, sum(base), sum(vat), sum(total)
  FROM sales_daily_vat GROUP BY 1, 2, 3;

-- A channel's sales per local hour of day, by month (a store's year of sales per opening hour: 12 × 24
-- rows at most, not 365 × 24).
CREATE TABLE sales_hourly_monthly (
  month        date NOT NULL CHECK (extract(day FROM month) = 1),
  channel      text NOT NULL,
  hour         smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  revenue      bigint NOT NULL DEFAULT 0,
  transactions integer NOT NULL DEFAULT 0,
  PRIMARY KEY (month, channel, hour)
);

INSERT INTO sales_hourly_monthly
SELECT date_trunc('month', day)::date, channel, hour, sum(revenue), sum(transactions)
  FROM sales_hourly GROUP BY 1, 2, 3;

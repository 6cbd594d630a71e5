-- Sales per channel and local day: the rollup every sales report and indicator reads (never the lines).
-- channel: 'online', or a store's id. Amounts in cents, VAT included unless named otherwise. Each event
-- adds its delta atomically (INSERT … ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x): concurrent handlers
-- never read-modify-write. A voided sale subtracts what it had added, on the sale's day.
CREATE TABLE sales_daily (
  day              date NOT NULL,
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
  PRIMARY KEY (day, channel)
);
-- A store's days (indicators): the primary key serves periods across channels.
CREATE INDEX sales_daily_channel_day ON sales_daily (channel, day);

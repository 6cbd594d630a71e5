-- The online conversion funnel's read model (issue 20), fed by cart.cart.created, cart.cart.filled and
-- orders.checkout.started; orders paid are read from sales_daily (channel 'online', `transactions`).
-- One row per day of the online channel's time zone (REPORTING_ONLINE_TIMEZONE). Each event adds 1 to its
-- step atomically (INSERT … ON CONFLICT DO UPDATE SET n = n + 1): the bus applies each event once in effect
-- (its inbox), and events of a cart may arrive in any order (each counts on its own day). Rebuilt from
-- scratch by a replay.
CREATE TABLE conversion_daily (
  day               date PRIMARY KEY,
  carts_created     integer NOT NULL DEFAULT 0,
  carts_filled      integer NOT NULL DEFAULT 0,
  checkouts_started integer NOT NULL DEFAULT 0
);

-- The newest event instant applied per stream and partition by the funnel's handlers (one worker per
-- partition: no two handlers write the same row): how old the report's data is (Reporting-Data-Age).
CREATE TABLE conversion_progress (
  stream        text NOT NULL,
  partition     integer NOT NULL,
  last_event_at timestamptz NOT NULL,
  PRIMARY KEY (stream, partition)
);

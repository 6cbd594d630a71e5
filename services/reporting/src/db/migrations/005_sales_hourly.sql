-- Sales per channel, local day and local hour (0-23): a store's sales by hour of day.
CREATE TABLE sales_hourly (
  day          date NOT NULL,
  channel      text NOT NULL,
  hour         smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  revenue      bigint NOT NULL DEFAULT 0,
  transactions integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, hour)
);
CREATE INDEX sales_hourly_channel_day ON sales_hourly (channel, day);

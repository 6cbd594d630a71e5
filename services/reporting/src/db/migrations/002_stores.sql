-- The stores as every retail event describes them (id, code, name, time zone), the newest event's
-- description winning. Labels of the reports; the time zone a store's days and hours are in.
CREATE TABLE reporting_stores (
  id         uuid PRIMARY KEY,
  code       text NOT NULL,
  name       text NOT NULL,
  timezone   text NOT NULL,
  changed_at timestamptz NOT NULL,
  event_id   uuid NOT NULL
);

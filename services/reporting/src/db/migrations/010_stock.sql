-- The stock report's read model (issue 20), fed by inventory.stock.changed, inventory.alert.* and
-- supply.request.*; rebuilt from scratch by a replay. No foreign keys: events of different subjects
-- arrive in any order.

-- One (variant, location)'s level as inventory last told it: a movement (stock.changed) or an alert
-- (whose `available` is newer than the last movement when a reservation moved it). Each write carries the
-- instant and id of its event, and an older event never overwrites a newer one.
CREATE TABLE stock_levels (
  variant_id          uuid NOT NULL,
  location_id         uuid NOT NULL,
  location_kind       text NOT NULL CHECK (location_kind IN ('warehouse', 'store', 'online')),
  store_id            uuid,
  on_hand             integer NOT NULL,
  available           integer NOT NULL,
  low_stock_threshold integer,
  -- From alerts (stock.changed carries neither); kept once known.
  sku                 text,
  product_name        text,
  changed_at          timestamptz NOT NULL,
  changed_by_event    uuid NOT NULL,
  PRIMARY KEY (variant_id, location_id)
);
CREATE INDEX stock_levels_store ON stock_levels (store_id, variant_id);

-- Replenishment requests as supply last told them (every supply.request.* event carries the whole
-- request). `stage` orders the statuses (requested 0, approved 1, rejected/completed/failed 2): a request
-- never goes back to an earlier stage, whatever order its events arrive in, so a `completed` handled before
-- its `approved` leaves nothing on its way. What is on its way is derived at query time: the lines of the
-- requests whose status is `approved`.
CREATE TABLE stock_supply_requests (
  request_id       uuid PRIMARY KEY,
  store_id         uuid NOT NULL,
  location_id      uuid NOT NULL,
  status           text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'completed', 'failed')),
  stage            smallint NOT NULL,
  lines            jsonb NOT NULL,
  changed_at       timestamptz NOT NULL,
  changed_by_event uuid NOT NULL
);
CREATE INDEX stock_supply_requests_approved ON stock_supply_requests (store_id) WHERE status = 'approved';

-- The status rule of model/stock-status.ts (the report filters and pages by it): out when nothing is
-- available, low at or under the threshold, overstock above `overstock_days` of cover at the pace of the
-- units sold over 28 days, ok otherwise.
CREATE FUNCTION stock_status(available integer, threshold integer, units_sold bigint, overstock_days integer)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN available <= 0 THEN 'out'
    WHEN threshold IS NOT NULL AND available <= threshold THEN 'low'
    WHEN units_sold > 0 AND available::numeric * 28 / units_sold > overstock_days THEN 'overstock'
    ELSE 'ok'
  END;

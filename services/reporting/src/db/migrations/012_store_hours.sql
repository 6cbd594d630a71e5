-- Each store's weekly opening hours (sales per opening hour), as retail's store events
-- (retail.store.created|updated) describe them. They have their own stamp (occurredAt, event id):
-- every retail event names the store (code, name, time zone) but only store events carry its hours,
-- so a sale newer than the store's last change must not make that change's hours lose, and an older
-- store event arriving late never overwrites newer hours. Null until a store event arrives.
ALTER TABLE reporting_stores
  ADD COLUMN opening_hours    jsonb,
  ADD COLUMN hours_changed_at timestamptz,
  ADD COLUMN hours_event_id   uuid;

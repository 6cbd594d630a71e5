-- Every event the read model holds, once (issue 20, `comptoir reporting rebuild`): each handler first
-- inserts its event's id here, in its own transaction, and applies nothing when it was there already.
-- Part of the read model (copied and swapped with it by a rebuild): after the swap, the events the live
-- handlers applied to the old tables during the rebuild are applied again to the new ones, and the
-- rollups' additions must count each event exactly once. Cleared with the model by a replay from the start.
-- (Numbered 020, away from the 01x of the helpers working on the service at the same time.)
CREATE TABLE reporting_applied (
  event_id uuid PRIMARY KEY
);

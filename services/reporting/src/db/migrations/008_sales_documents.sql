-- The sales documents reporting has booked: a paid order or a till sale, with what it added to the
-- rollups (its contribution), so that a void takes exactly that back out on the sale's day. A void
-- that arrives before its sale leaves a tombstone (voided, no contribution yet): the sale then adds
-- nothing but its voids. A paid order announced twice is booked once.
CREATE TABLE sales_documents (
  id           uuid PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('order', 'sale')),
  voided       boolean NOT NULL DEFAULT false,
  contribution jsonb,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

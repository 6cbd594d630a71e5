-- The read model's version: a new random token in every transaction that applies events to it (the
-- handlers' batches, a rebuild's copy, a replay's reset). Reports' answers are cached per instance
-- under the token they were computed after (routes/answer-cache.ts): a new token retires them all.
CREATE TABLE reporting_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  token     uuid NOT NULL
);
INSERT INTO reporting_version (token) VALUES (gen_random_uuid());

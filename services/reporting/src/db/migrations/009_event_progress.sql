-- The newest event instant applied per stream and partition (one worker per partition: no two
-- handlers write the same row): how old the reports' data is (the Reporting-Data-Age header).
CREATE TABLE reporting_progress (
  stream        text NOT NULL,
  partition     integer NOT NULL,
  last_event_at timestamptz NOT NULL,
  PRIMARY KEY (stream, partition)
);

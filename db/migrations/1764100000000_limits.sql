-- Up Migration
-- Fixed-window request counters shared by every API replica: one row per key and minute.
CREATE TABLE rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- Down Migration
DROP TABLE rate_limits;

-- Up Migration
-- The satisfaction survey's score (1–5), beside the state, for the dashboard's average.
ALTER TABLE conversations ADD COLUMN csat_score smallint CHECK (csat_score BETWEEN 1 AND 5);

-- Down Migration
ALTER TABLE conversations DROP COLUMN csat_score;

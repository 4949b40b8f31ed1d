-- Up Migration
-- The inbox item mirrors the conversation's latest escalation: written in the same transaction
-- as the conversation projection, so the queue never disagrees with the workflow.
ALTER TABLE inbox_items
  ADD COLUMN detail       text,
  ADD COLUMN failure      text,
  ADD COLUMN claimed_at   timestamptz,
  ADD COLUMN ended_at     timestamptz,
  ADD COLUMN revision     bigint NOT NULL DEFAULT 0;
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_status_check;
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_status_check CHECK (status IN ('waiting', 'claimed', 'handed_back', 'resolved'));

-- Down Migration
ALTER TABLE inbox_items DROP CONSTRAINT inbox_items_status_check;
UPDATE inbox_items SET status = 'resolved' WHERE status = 'handed_back';
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_status_check CHECK (status IN ('waiting', 'claimed', 'resolved'));
ALTER TABLE inbox_items DROP COLUMN revision, DROP COLUMN ended_at, DROP COLUMN claimed_at, DROP COLUMN failure, DROP COLUMN detail;

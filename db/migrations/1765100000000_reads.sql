-- Up Migration
-- How far each staff member has read each conversation: the inbox's unread counts (issue 20).
CREATE TABLE conversation_reads (
  conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  reader           text NOT NULL,
  seq              integer NOT NULL,
  read_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, reader)
);

-- Down Migration
DROP TABLE conversation_reads;

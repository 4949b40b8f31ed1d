-- Up Migration
-- The agent workspace (issue 20): private notes on a conversation (never shown to the customer)
-- and canned responses an agent inserts with "/" in the composer.
CREATE TABLE conversation_notes (
  id               uuid PRIMARY KEY,
  tenant_id        text NOT NULL,
  conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author           text NOT NULL,
  text             text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (conversation_id, created_at);

CREATE TABLE canned_responses (
  id          uuid PRIMARY KEY,
  tenant_id   text NOT NULL,
  shortcut    text NOT NULL,
  title       text NOT NULL,
  text        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, shortcut)
);

-- Down Migration
DROP TABLE canned_responses;
DROP TABLE conversation_notes;

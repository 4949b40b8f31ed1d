-- Up Migration
-- The transactional outbox: what happened in each conversation, written in the same statement as
-- the turn that caused it (db/conversations.ts), so an event exists exactly when its turn committed.
-- `seq` orders a tenant's stream (GET /api/v2/events/dashboard resumes from it); `conversation_seq`
-- numbers a conversation's own events. The catalogue of types: domain/events.ts.
CREATE TABLE events (
  seq               bigserial PRIMARY KEY,
  -- deterministic (conversation, revision, position), so a retried turn writes no event twice
  id                text NOT NULL UNIQUE,
  tenant_id         text NOT NULL,
  conversation_id   uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  conversation_seq  integer NOT NULL,
  type              text NOT NULL,
  data              jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  UNIQUE (conversation_id, conversation_seq)
);
CREATE INDEX events_tenant_stream ON events (tenant_id, seq);

-- Down Migration
DROP TABLE events;

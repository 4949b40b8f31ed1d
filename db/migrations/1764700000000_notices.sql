-- Up Migration
-- Tenant-wide events (no conversation): a webhook endpoint disabled, for instance. They share the
-- outbox and its sequence, so the tenant stream and the webhooks hear them like any other.
ALTER TABLE events ALTER COLUMN conversation_id DROP NOT NULL;
ALTER TABLE events ALTER COLUMN conversation_seq DROP NOT NULL;

-- What the desk's admins must be told (shown in the console until someone reads it).
CREATE TABLE notices (
  id          uuid PRIMARY KEY,
  tenant_id   text NOT NULL,
  -- who should see it: admins for now
  audience    text NOT NULL DEFAULT 'admin',
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz,
  read_by     text
);
CREATE INDEX notices_unread ON notices (tenant_id, created_at DESC) WHERE read_at IS NULL;

-- Down Migration
DROP TABLE notices;
DELETE FROM events WHERE conversation_id IS NULL;
ALTER TABLE events ALTER COLUMN conversation_seq SET NOT NULL;
ALTER TABLE events ALTER COLUMN conversation_id SET NOT NULL;

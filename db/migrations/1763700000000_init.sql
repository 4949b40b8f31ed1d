-- Up Migration
CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every edit of a script is a new row; a live conversation keeps the version it matched.
CREATE TABLE scripts (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  id          text NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  definition  jsonb NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  deleted     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id, version)
);

-- Projection of the conversation workflow's state; the workflow is the source of truth.
CREATE TABLE conversations (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL REFERENCES tenants(id),
  workflow_id     text NOT NULL UNIQUE,
  channel         text NOT NULL,
  customer        jsonb NOT NULL DEFAULT '{}'::jsonb,
  status          text NOT NULL,
  stage           text NOT NULL,
  script_id       text,
  script_version  integer,
  answers         jsonb NOT NULL DEFAULT '{}'::jsonb,
  analysis        jsonb,
  protocol        text,
  state           jsonb NOT NULL,
  -- the workflow's event counter at the time of the write; an older write never overwrites a newer one
  revision        bigint NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  closed_at       timestamptz
);
CREATE INDEX conversations_tenant_status ON conversations (tenant_id, status, updated_at DESC);

CREATE TABLE messages (
  -- deterministic id from the workflow (conversation + sequence), so a retried write is a no-op
  id                 text PRIMARY KEY,
  conversation_id    uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  seq                integer NOT NULL,
  role               text NOT NULL CHECK (role IN ('customer', 'bot', 'agent', 'system')),
  text               text NOT NULL,
  client_message_id  text,
  created_at         timestamptz NOT NULL,
  UNIQUE (conversation_id, seq)
);

-- Built-in agent inbox: conversations waiting for a human.
CREATE TABLE inbox_items (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  conversation_id  uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  reason           text NOT NULL,
  urgency          text NOT NULL,
  summary          text NOT NULL,
  status           text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'claimed', 'resolved')),
  claimed_by       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_items_queue ON inbox_items (tenant_id, status, created_at);

-- Down Migration
DROP TABLE inbox_items;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE scripts;
DROP TABLE tenants;

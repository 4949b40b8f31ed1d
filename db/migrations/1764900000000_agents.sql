-- Up Migration
-- The v2 platform (issue 19): model endpoints per tenant (API keys sealed with AES-256-GCM, never
-- stored in the clear), agents (a bot profile each), their tools, the tools' calls and the leads
-- the lead_capture tool stores.
CREATE TABLE model_endpoints (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  name          text NOT NULL,
  provider      text NOT NULL,
  base_url      text,
  model         text NOT NULL,
  purpose       text NOT NULL CHECK (purpose IN ('chat', 'embedding')),
  -- v1.<key id>.<iv>.<ciphertext and tag> (lib/secrets.ts); null for a server that needs no key
  api_key       text,
  -- the key's last characters, so an admin can tell which key is set without it ever being shown
  api_key_hint  text,
  is_default    boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_endpoints_tenant ON model_endpoints (tenant_id, created_at);
-- one default per tenant and purpose
CREATE UNIQUE INDEX model_endpoints_default ON model_endpoints (tenant_id, purpose) WHERE is_default;

CREATE TABLE agents (
  tenant_id     text NOT NULL,
  id            text NOT NULL,
  name          text NOT NULL,
  config        jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE agent_tools (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  agent_id      text NOT NULL,
  name          text NOT NULL,
  type          text NOT NULL CHECK (type IN ('http', 'search', 'calculator', 'lead_capture', 'form', 'webhook')),
  description   text,
  config        jsonb NOT NULL,
  -- named secrets an http tool's headers may use, each sealed like a model's key
  secrets       jsonb NOT NULL DEFAULT '{}',
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_tools_agent ON agent_tools (tenant_id, agent_id, created_at);

CREATE TABLE tool_calls (
  -- the workflow's id for the call (conversation + tool + the turn), so a retried activity records once
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL,
  tool_id         uuid NOT NULL,
  conversation_id uuid,
  type            text NOT NULL,
  status          text NOT NULL CHECK (status IN ('succeeded', 'failed')),
  input           jsonb NOT NULL,
  output          jsonb,
  error           text,
  duration_ms     integer NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tool_calls_tool ON tool_calls (tool_id, created_at DESC);

CREATE TABLE leads (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL,
  conversation_id uuid,
  tool_id         uuid,
  name            text,
  email           text,
  phone           text,
  fields          jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- one lead per conversation and tool (a retried call stores it once)
  UNIQUE (conversation_id, tool_id)
);
CREATE INDEX leads_tenant ON leads (tenant_id, created_at DESC);

-- Down Migration
DROP TABLE leads;
DROP TABLE tool_calls;
DROP TABLE agent_tools;
DROP TABLE agents;
DROP TABLE model_endpoints;

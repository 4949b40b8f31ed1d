-- Up Migration
-- Admin-defined instructions the bot applies when their conditions hold (the /api/ai/prompts contract).
CREATE TABLE action_prompts (
  id           uuid PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  name         text NOT NULL,
  action_type  text NOT NULL CHECK (action_type IN ('WELCOME', 'LEAD_QUALIFICATION', 'COMPLAINT_HANDLING', 'FAQ_RESPONSE', 'FOLLOW_UP', 'CUSTOM')),
  prompt       text NOT NULL,
  is_active    boolean NOT NULL DEFAULT true,
  priority     integer NOT NULL,
  conditions   jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_prompts_tenant ON action_prompts (tenant_id, is_active, priority);

-- The business's answers to the AI onboarding, per channel instance (a WhatsApp number, a web widget).
CREATE TABLE onboardings (
  tenant_id         text NOT NULL REFERENCES tenants(id),
  instance_id       text NOT NULL,
  fields            jsonb NOT NULL DEFAULT '{}'::jsonb,
  current_step      integer NOT NULL DEFAULT 0,
  generated_prompt  text,
  completed_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, instance_id)
);

-- The agents' internal assistant keeps its own history, per agent.
CREATE TABLE assistant_conversations (
  id               uuid PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  owner            text NOT NULL,
  title            text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_message_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistant_conversations_owner ON assistant_conversations (tenant_id, owner, last_message_at DESC);

CREATE TABLE assistant_messages (
  id               uuid PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES assistant_conversations(id) ON DELETE CASCADE,
  role             text NOT NULL CHECK (role IN ('user', 'assistant')),
  content          text NOT NULL,
  created_at       timestamptz NOT NULL
);
CREATE INDEX assistant_messages_conversation ON assistant_messages (conversation_id, created_at);

-- Down Migration
DROP TABLE assistant_messages;
DROP TABLE assistant_conversations;
DROP TABLE onboardings;
DROP TABLE action_prompts;

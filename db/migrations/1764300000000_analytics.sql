-- Up Migration
-- One row of facts per conversation, written with each turn in the same statement as the turn
-- (db/conversations.ts): what the service dashboard counts, without reading transcripts.
-- Timestamps are when something first happened; counts grow only with messages actually inserted,
-- so a retried turn counts nothing twice. Definitions of the metrics: domain/analytics.ts.
CREATE TABLE conversation_facts (
  conversation_id       uuid PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  tenant_id             text NOT NULL,
  channel               text NOT NULL,
  script_id             text,
  status                text NOT NULL,
  created_at            timestamptz NOT NULL,
  first_customer_at     timestamptz,
  last_customer_at      timestamptz,
  first_bot_reply_at    timestamptz,
  escalated_at          timestamptz,
  first_human_reply_at  timestamptz,
  resolved_at           timestamptz,
  abandoned_at          timestamptz,
  closed_at             timestamptz,
  resolver              text CHECK (resolver IN ('bot', 'agent')),
  agent_id              text,
  urgency               text,
  priority              text CHECK (priority IN ('HIGH', 'MEDIUM', 'LOW')),
  sentiment             text,
  frustration           smallint CHECK (frustration BETWEEN 1 AND 5),
  csat_asked            boolean NOT NULL DEFAULT false,
  csat                  smallint CHECK (csat BETWEEN 1 AND 5),
  customer_messages     integer NOT NULL DEFAULT 0,
  bot_messages          integer NOT NULL DEFAULT 0,
  agent_messages        integer NOT NULL DEFAULT 0,
  contact_name          text,
  contact_email         text,
  visitor_id            text,
  -- filled by `atende demo seed`: a newcomer's dashboard is not empty, and demo rows can be told apart
  demo                  boolean NOT NULL DEFAULT false,
  revision              bigint NOT NULL,
  updated_at            timestamptz NOT NULL
);
-- every query is one tenant over a period; the included columns let the summary read the index alone
CREATE INDEX conversation_facts_tenant_time ON conversation_facts (tenant_id, created_at)
  INCLUDE (status, channel, priority, resolver, first_bot_reply_at, first_customer_at, escalated_at, first_human_reply_at, resolved_at, abandoned_at, closed_at, csat, frustration, csat_asked, customer_messages, bot_messages, agent_messages);

-- The transcript's text, searchable in Portuguese (GET /api/v1/conversations?q=).
CREATE INDEX messages_text_search ON messages USING gin (to_tsvector('portuguese', text));

-- Facts of the conversations written before this migration, from their rows and transcripts.
INSERT INTO conversation_facts (conversation_id, tenant_id, channel, script_id, status, created_at, first_customer_at, last_customer_at,
                                first_bot_reply_at, escalated_at, first_human_reply_at, resolved_at, abandoned_at, closed_at, resolver,
                                agent_id, urgency, priority, sentiment, frustration, csat_asked, csat, customer_messages, bot_messages,
                                agent_messages, contact_name, contact_email, visitor_id, revision, updated_at)
SELECT c.id, c.tenant_id, c.channel, c.script_id, c.status, c.created_at,
       m.first_customer_at, m.last_customer_at, m.first_bot_reply_at,
       (c.state -> 'escalation' ->> 'at')::timestamptz,
       CASE WHEN c.state -> 'escalation' ->> 'at' IS NOT NULL THEN m.first_agent_at END,
       CASE WHEN c.status = 'resolved' THEN c.updated_at END,
       CASE WHEN c.status = 'abandoned' THEN c.updated_at END,
       c.closed_at,
       CASE WHEN c.status = 'resolved' THEN CASE WHEN c.state -> 'escalation' ->> 'outcome' = 'resolved' THEN 'agent' ELSE 'bot' END END,
       c.state -> 'agent' ->> 'agentId',
       c.analysis ->> 'urgency',
       CASE c.analysis ->> 'urgency' WHEN 'critical' THEN 'HIGH' WHEN 'high' THEN 'HIGH' WHEN 'medium' THEN 'MEDIUM' WHEN 'low' THEN 'LOW' END,
       c.analysis ->> 'sentiment',
       (c.analysis ->> 'frustration')::smallint,
       c.state -> 'csat' ->> 'askedAt' IS NOT NULL,
       c.csat_score,
       m.customer_messages, m.bot_messages, m.agent_messages,
       c.customer ->> 'name', c.customer ->> 'email', c.customer ->> 'externalId',
       c.revision, c.updated_at
  FROM conversations c
  LEFT JOIN LATERAL (
    SELECT min(created_at) FILTER (WHERE role = 'customer') AS first_customer_at,
           max(created_at) FILTER (WHERE role = 'customer') AS last_customer_at,
           min(created_at) FILTER (WHERE role = 'bot') AS first_bot_reply_at,
           min(created_at) FILTER (WHERE role = 'agent') AS first_agent_at,
           count(*) FILTER (WHERE role = 'customer')::int AS customer_messages,
           count(*) FILTER (WHERE role = 'bot')::int AS bot_messages,
           count(*) FILTER (WHERE role = 'agent')::int AS agent_messages
      FROM messages WHERE conversation_id = c.id
  ) m ON true;

-- Down Migration
DROP INDEX messages_text_search;
DROP TABLE conversation_facts;

import type pg from 'pg';
import type { Analysis } from '../domain/analysis';
import { stateFacts } from '../domain/analytics';
import type { ConversationState, StoredMessage } from '../domain/conversation';
import { mirrorInboxItem } from './inbox';
import { inTransaction } from './pool';

export type { StoredMessage };

/** Conversations (the workflow's state projection) and their transcripts. */

export interface ConversationRow {
  id: string;
  tenantId: string;
  status: string;
  stage: string;
  state: ConversationState;
}

/**
 * Writes one conversation turn atomically: the state projection (only if newer than what is
 * stored) and its messages (ids are deterministic, so a retried write inserts nothing twice).
 * Most turns are one statement, atomic by itself and one round trip (a turn's latency was
 * mostly this write's seven); a conversation in the inbox also mirrors its item, in one transaction.
 */
export async function recordTurn(pool: pg.Pool, state: ConversationState, messages: StoredMessage[], workflowId: string, { demo = false } = {}): Promise<void> {
  if (state.escalation?.via !== 'inbox') {
    await writeTurn(pool, state, messages, workflowId, demo);
    return;
  }
  await inTransaction(pool, async (client) => {
    if (await writeTurn(client, state, messages, workflowId, demo)) await mirrorInboxItem(client, state);
  });
}

/** The projection and the messages in one statement; whether the projection was newer. Open event streams hear of it at commit. */
async function writeTurn(db: pg.Pool | pg.PoolClient, state: ConversationState, messages: StoredMessage[], workflowId: string, demo: boolean): Promise<boolean> {
  const facts = stateFacts(state);
  // a named statement: Postgres parses and plans this long statement once per connection, not every turn
  const result = await db.query<{ written: number }>({
    name: 'record-turn',
    text: `WITH conversation AS (
       INSERT INTO conversations (id, tenant_id, workflow_id, channel, customer, status, stage, script_id, script_version,
                                  answers, analysis, protocol, state, revision, created_at, updated_at, closed_at, csat_score)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (id) DO UPDATE SET
         customer = EXCLUDED.customer, status = EXCLUDED.status, stage = EXCLUDED.stage,
         script_id = EXCLUDED.script_id, script_version = EXCLUDED.script_version, answers = EXCLUDED.answers,
         analysis = EXCLUDED.analysis, protocol = EXCLUDED.protocol, state = EXCLUDED.state,
         revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at,
         csat_score = EXCLUDED.csat_score
       WHERE conversations.revision < EXCLUDED.revision
       RETURNING state
     ), before AS (
       -- the row as it was: every part of one statement reads the same snapshot, taken before it writes
       SELECT state FROM conversations WHERE id = $1
     ), transcript AS (
       INSERT INTO messages (id, conversation_id, seq, role, text, client_message_id, created_at, sources)
       SELECT m.id, $1, m.seq, m.role, m.text, m.client_message_id, m.created_at, m.sources
         FROM unnest($19::text[], $20::int[], $21::text[], $22::text[], $23::text[], $24::timestamptz[], $40::jsonb[])
           AS m (id, seq, role, text, client_message_id, created_at, sources)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, seq, role, text, created_at, sources
     ), said AS (
       SELECT min(created_at) FILTER (WHERE role = 'customer') AS first_customer_at,
              max(created_at) FILTER (WHERE role = 'customer') AS last_customer_at,
              min(created_at) FILTER (WHERE role = 'bot') AS first_bot_at,
              min(created_at) FILTER (WHERE role = 'agent') AS first_agent_at,
              count(*) FILTER (WHERE role = 'customer')::int AS customer_messages,
              count(*) FILTER (WHERE role = 'bot')::int AS bot_messages,
              count(*) FILTER (WHERE role = 'agent')::int AS agent_messages
         FROM transcript
     ), facts AS (
       -- what the dashboard counts (domain/analytics.ts): first times kept, counts from the messages inserted now
       INSERT INTO conversation_facts AS f (conversation_id, tenant_id, channel, script_id, status, created_at, first_customer_at, last_customer_at,
                                            first_bot_reply_at, escalated_at, first_human_reply_at, resolved_at, abandoned_at, closed_at, resolver,
                                            agent_id, urgency, priority, sentiment, frustration, csat_asked, csat, customer_messages, bot_messages,
                                            agent_messages, contact_name, contact_email, visitor_id, demo, revision, updated_at)
       SELECT $1, $2, $4, $8, $6, $15::timestamptz, said.first_customer_at, said.last_customer_at,
              -- the bot's first reply to the customer, not a greeting before they wrote
              CASE WHEN said.first_customer_at IS NOT NULL THEN said.first_bot_at END,
              $26::timestamptz, CASE WHEN $26::timestamptz IS NOT NULL THEN said.first_agent_at END,
              $27::timestamptz, $28::timestamptz, $17::timestamptz, $29::text,
              $30::text, $31::text, $32::text, $33::text, $34::smallint, $35::boolean, $18::smallint,
              said.customer_messages, said.bot_messages, said.agent_messages, $36::text, $37::text, $38::text, $39::boolean, $14, $16::timestamptz
         FROM said
       ON CONFLICT (conversation_id) DO UPDATE SET
         channel = EXCLUDED.channel, script_id = EXCLUDED.script_id, status = EXCLUDED.status,
         first_customer_at = coalesce(f.first_customer_at, EXCLUDED.first_customer_at),
         last_customer_at = coalesce(EXCLUDED.last_customer_at, f.last_customer_at),
         first_bot_reply_at = coalesce(f.first_bot_reply_at, CASE WHEN coalesce(f.first_customer_at, EXCLUDED.first_customer_at) IS NOT NULL THEN EXCLUDED.first_bot_reply_at END),
         escalated_at = coalesce(f.escalated_at, EXCLUDED.escalated_at),
         first_human_reply_at = coalesce(f.first_human_reply_at, CASE WHEN coalesce(f.escalated_at, EXCLUDED.escalated_at) IS NOT NULL THEN EXCLUDED.first_human_reply_at END),
         resolved_at = coalesce(f.resolved_at, EXCLUDED.resolved_at),
         -- a customer who came back is no longer abandoned
         abandoned_at = CASE WHEN EXCLUDED.status = 'abandoned' THEN coalesce(f.abandoned_at, EXCLUDED.abandoned_at) END,
         closed_at = EXCLUDED.closed_at,
         resolver = coalesce(f.resolver, EXCLUDED.resolver),
         agent_id = coalesce(EXCLUDED.agent_id, f.agent_id),
         urgency = coalesce(EXCLUDED.urgency, f.urgency), priority = coalesce(EXCLUDED.priority, f.priority),
         sentiment = coalesce(EXCLUDED.sentiment, f.sentiment), frustration = coalesce(EXCLUDED.frustration, f.frustration),
         csat_asked = f.csat_asked OR EXCLUDED.csat_asked, csat = coalesce(EXCLUDED.csat, f.csat),
         customer_messages = f.customer_messages + EXCLUDED.customer_messages,
         bot_messages = f.bot_messages + EXCLUDED.bot_messages,
         agent_messages = f.agent_messages + EXCLUDED.agent_messages,
         contact_name = EXCLUDED.contact_name, contact_email = EXCLUDED.contact_email, visitor_id = EXCLUDED.visitor_id,
         revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
       WHERE f.revision < EXCLUDED.revision
     ), happened AS (
       -- the outbox (domain/events.ts): the messages written, then what changed between the state before and after
       SELECT 0 AS phase, 0 AS place, 'conversation.started' AS type,
              jsonb_build_object('channel', n.state -> 'channel', 'customer', n.state -> 'customer') AS data, $16::timestamptz AS at
         FROM conversation n WHERE NOT EXISTS (SELECT 1 FROM before)
       UNION ALL
       SELECT 1, t.seq, 'message.created', jsonb_build_object('messageId', t.id, 'seq', t.seq, 'role', t.role, 'text', t.text)
              || CASE WHEN t.sources IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('sources', t.sources) END, t.created_at
         FROM transcript t
       UNION ALL
       SELECT 2, e.place, e.type, e.data, $16::timestamptz
         FROM conversation n LEFT JOIN before b ON true
        CROSS JOIN LATERAL (VALUES
          (1, 'conversation.stage_changed', CASE WHEN b.state ->> 'stage' IS DISTINCT FROM n.state ->> 'stage'
            THEN jsonb_build_object('from', b.state -> 'stage', 'to', n.state -> 'stage', 'status', n.state -> 'status') END),
          (2, 'conversation.escalated', CASE WHEN n.state -> 'escalation' ->> 'at' IS NOT NULL AND b.state -> 'escalation' ->> 'at' IS DISTINCT FROM n.state -> 'escalation' ->> 'at'
            THEN jsonb_build_object('reason', n.state -> 'escalation' -> 'reason', 'detail', coalesce(n.state -> 'escalation' -> 'detail', 'null'::jsonb),
                                    'via', coalesce(n.state -> 'escalation' -> 'via', 'null'::jsonb), 'number', coalesce(n.state -> 'escalation' -> 'number', 'null'::jsonb)) END),
          (3, 'ticket.created', CASE WHEN n.state -> 'escalation' ->> 'ticketId' IS NOT NULL AND b.state -> 'escalation' ->> 'ticketId' IS DISTINCT FROM n.state -> 'escalation' ->> 'ticketId'
            THEN jsonb_build_object('ticketId', n.state -> 'escalation' -> 'ticketId') END),
          (4, 'conversation.claimed', CASE WHEN n.state -> 'agent' ->> 'agentId' IS NOT NULL AND b.state -> 'agent' ->> 'agentId' IS DISTINCT FROM n.state -> 'agent' ->> 'agentId'
            THEN jsonb_build_object('agentId', n.state -> 'agent' -> 'agentId') END),
          (5, 'conversation.handed_back', CASE WHEN n.state -> 'escalation' ->> 'outcome' = 'handed_back' AND b.state -> 'escalation' ->> 'outcome' IS DISTINCT FROM 'handed_back'
            THEN jsonb_build_object('agentId', coalesce(b.state -> 'agent' -> 'agentId', 'null'::jsonb)) END),
          (6, 'conversation.resolved', CASE WHEN n.state ->> 'status' = 'resolved' AND b.state ->> 'status' IS DISTINCT FROM 'resolved'
            THEN jsonb_build_object('protocol', coalesce(n.state -> 'protocol', 'null'::jsonb), 'by', CASE WHEN n.state -> 'escalation' ->> 'outcome' = 'resolved' THEN 'agent' ELSE 'bot' END) END),
          (7, 'conversation.abandoned', CASE WHEN n.state ->> 'status' = 'abandoned' AND b.state ->> 'status' IS DISTINCT FROM 'abandoned'
            THEN jsonb_build_object('stage', b.state -> 'stage') END),
          (8, 'csat.received', CASE WHEN n.state -> 'csat' ->> 'score' IS NOT NULL AND b.state -> 'csat' ->> 'score' IS DISTINCT FROM n.state -> 'csat' ->> 'score'
            THEN jsonb_build_object('score', n.state -> 'csat' -> 'score', 'comment', coalesce(n.state -> 'csat' -> 'comment', 'null'::jsonb)) END),
          (9, 'analysis.updated', CASE WHEN n.state -> 'analysis' ->> 'analyzedAt' IS NOT NULL AND b.state -> 'analysis' ->> 'analyzedAt' IS DISTINCT FROM n.state -> 'analysis' ->> 'analyzedAt'
            THEN jsonb_build_object('sentiment', n.state -> 'analysis' -> 'sentiment', 'urgency', n.state -> 'analysis' -> 'urgency',
                                    'frustration', coalesce(n.state -> 'analysis' -> 'frustration', 'null'::jsonb), 'summary', n.state -> 'analysis' -> 'summary') END),
          -- the customer confirmed the collected answers: the script is done, whatever follows (a resolution or a person)
          (10, 'script.completed', CASE WHEN b.state ->> 'stage' = 'confirming' AND n.state ->> 'stage' IN ('analyzing', 'resolved', 'escalated', 'with_agent', 'rating')
                                         AND jsonb_typeof(n.state -> 'script') = 'object'
            THEN jsonb_build_object('scriptId', n.state -> 'script' -> 'id', 'version', n.state -> 'script' -> 'version', 'title', n.state -> 'script' -> 'title',
                                    'answers', n.state -> 'answers', 'protocol', coalesce(n.state -> 'protocol', 'null'::jsonb),
                                    'webhook', coalesce(n.state -> 'script' -> 'onComplete' -> 'webhook', 'null'::jsonb)) END)
        ) AS e (place, type, data)
        WHERE e.data IS NOT NULL
     ), outbox AS (
       INSERT INTO events (id, tenant_id, conversation_id, conversation_seq, type, data, created_at)
       SELECT $1 || ':' || $14 || ':' || row_number() OVER (ORDER BY phase, place),
              $2, $1, (SELECT coalesce(max(conversation_seq), 0) FROM events WHERE conversation_id = $1) + row_number() OVER (ORDER BY phase, place),
              type, data, at
         FROM happened
       ON CONFLICT (id) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::int AS written,
            CASE WHEN EXISTS (SELECT 1 FROM outbox) THEN pg_notify('${EVENTS_CHANNEL}', $2) END AS announced,
            CASE WHEN count(*) > 0 OR cardinality($19::text[]) > 0 THEN pg_notify('${MESSAGES_CHANNEL}', $25) END AS notified
       FROM conversation`,
    values: [
      state.conversationId,
      state.tenantId,
      workflowId,
      state.channel,
      state.customer,
      state.status,
      state.stage,
      state.script?.id ?? null,
      state.script?.version ?? null,
      state.answers,
      state.analysis,
      state.protocol,
      state,
      state.revision,
      state.startedAt,
      state.updatedAt,
      state.closedAt,
      state.csat?.score ?? null,
      messages.map((message) => message.id),
      messages.map((message) => message.seq),
      messages.map((message) => message.role),
      messages.map((message) => message.text),
      messages.map((message) => message.clientMessageId),
      messages.map((message) => message.createdAt),
      state.conversationId,
      facts.escalatedAt,
      facts.resolvedAt,
      facts.abandonedAt,
      facts.resolver,
      facts.agentId,
      facts.urgency,
      facts.priority,
      facts.sentiment,
      facts.frustration,
      facts.csatAsked,
      facts.contactName,
      facts.contactEmail,
      facts.visitorId,
      demo,
      messages.map((message) => (message.sources?.length ? JSON.stringify(message.sources) : null)),
    ],
  });
  return result.rows[0]!.written === 1;
}

/** The Postgres NOTIFY channel that carries the id of a tenant with new events (the tenant event stream). */
export const EVENTS_CHANNEL = 'atende_events';

/** The Postgres NOTIFY channel that carries a model's text as it arrives: `<conversation id> <json>` (activities/tokens.ts). */
export const TOKENS_CHANNEL = 'atende_tokens';

/** The Postgres NOTIFY channel that carries the id of a conversation with new messages or a new state. */
export const MESSAGES_CHANNEL = 'atende_conversation_changed';

export async function findConversation(pool: pg.Pool, id: string): Promise<ConversationRow | undefined> {
  const result = await pool.query<{ id: string; tenant_id: string; status: string; stage: string; state: ConversationState }>(
    'SELECT id, tenant_id, status, stage, state FROM conversations WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row && { id: row.id, tenantId: row.tenant_id, status: row.status, stage: row.stage, state: row.state };
}

export async function listMessages(pool: pg.Pool, conversationId: string, afterSeq = 0, limit = 500): Promise<StoredMessage[]> {
  const result = await pool.query<{
    id: string;
    seq: number;
    role: StoredMessage['role'];
    text: string;
    client_message_id: string | null;
    created_at: Date;
    sources: StoredMessage['sources'] | null;
  }>(
    `SELECT id, seq, role, text, client_message_id, created_at, sources FROM messages
     WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [conversationId, afterSeq, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    seq: row.seq,
    role: row.role,
    text: row.text,
    clientMessageId: row.client_message_id,
    createdAt: row.created_at.toISOString(),
    ...(row.sources ? { sources: row.sources } : {}),
  }));
}

/**
 * Stores an analysis made after the conversation ended (no workflow writes it any more); the
 * revision still moves so a reader can tell the row changed.
 */
export async function storeAnalysis(pool: pg.Pool, conversationId: string, analysis: Analysis): Promise<void> {
  await pool.query(
    `UPDATE conversations SET analysis = $2, state = jsonb_set(state, '{analysis}', $2), revision = revision + 1 WHERE id = $1`,
    [conversationId, analysis],
  );
}

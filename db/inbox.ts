import type pg from 'pg';
import type { ConversationState } from '../domain/conversation';

/** The built-in inbox: escalated conversations waiting for, or held by, an agent. */

export type InboxStatus = 'waiting' | 'claimed' | 'handed_back' | 'resolved';

/** The inbox row of the conversation's latest escalation, when it waits in the built-in inbox. */
export async function mirrorInboxItem(client: pg.PoolClient, state: ConversationState): Promise<void> {
  const escalation = state.escalation;
  if (!escalation || escalation.via !== 'inbox') return;
  const status: InboxStatus = escalation.outcome ?? (state.agent ? 'claimed' : 'waiting');
  await client.query(
    `INSERT INTO inbox_items (id, tenant_id, conversation_id, reason, detail, urgency, summary, failure, status, claimed_by,
                              claimed_at, ended_at, revision, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (id) DO UPDATE SET
       detail = EXCLUDED.detail, urgency = EXCLUDED.urgency, summary = EXCLUDED.summary, failure = EXCLUDED.failure,
       status = EXCLUDED.status, claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at,
       ended_at = EXCLUDED.ended_at, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
     WHERE inbox_items.revision < EXCLUDED.revision`,
    [
      escalation.inboxItemId,
      state.tenantId,
      state.conversationId,
      escalation.reason,
      escalation.detail ?? null,
      state.analysis?.urgency ?? 'medium',
      state.analysis?.summary ?? escalation.detail ?? `Escalado: ${escalation.reason}`,
      escalation.failure ?? null,
      status,
      state.agent?.agentId ?? null,
      state.agent?.since ?? null,
      escalation.endedAt ?? null,
      state.revision,
      escalation.at,
      state.updatedAt,
    ],
  );
}

export interface InboxEntry {
  id: string;
  conversationId: string;
  status: InboxStatus;
  reason: string;
  detail: string | null;
  urgency: string;
  summary: string;
  /** Why Mindchat could not take it, when it fell back here. */
  failure: string | null;
  claimedBy: string | null;
  claimedAt: string | null;
  waitingSince: string;
  customer: ConversationState['customer'];
  channel: string;
  stage: string;
  scriptTitle: string | null;
  protocol: string | null;
  /** The customer's messages after the last one the reading staff member marked read. */
  unread: number;
}

const URGENCY_RANK = `CASE i.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END`;

/** The tenant's queue: most urgent first, then the longest waiting. */
export async function listInbox(pool: pg.Pool, tenantId: string, statuses: readonly InboxStatus[], limit = 200, reader = ''): Promise<InboxEntry[]> {
  const result = await pool.query<{
    id: string;
    conversation_id: string;
    status: InboxStatus;
    reason: string;
    detail: string | null;
    urgency: string;
    summary: string;
    failure: string | null;
    claimed_by: string | null;
    claimed_at: Date | null;
    created_at: Date;
    state: ConversationState;
    channel: string;
    stage: string;
    protocol: string | null;
    unread: number;
  }>(
    `SELECT i.id, i.conversation_id, i.status, i.reason, i.detail, i.urgency, i.summary, i.failure, i.claimed_by, i.claimed_at,
            i.created_at, c.state, c.channel, c.stage, c.protocol,
            (SELECT count(*) FROM messages m
              WHERE m.conversation_id = i.conversation_id AND m.role = 'customer'
                AND m.seq > coalesce((SELECT r.seq FROM conversation_reads r WHERE r.conversation_id = i.conversation_id AND r.reader = $4), 0))::int AS unread
     FROM inbox_items i JOIN conversations c ON c.id = i.conversation_id
     WHERE i.tenant_id = $1 AND i.status = ANY($2)
     ORDER BY ${URGENCY_RANK}, i.created_at
     LIMIT $3`,
    [tenantId, statuses, limit, reader],
  );
  return result.rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    urgency: row.urgency,
    summary: row.summary,
    failure: row.failure,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at?.toISOString() ?? null,
    waitingSince: row.created_at.toISOString(),
    customer: row.state.customer,
    channel: row.channel,
    stage: row.stage,
    scriptTitle: row.state.script?.title ?? null,
    protocol: row.protocol,
    unread: row.unread,
  }));
}

export interface InboxItemInput {
  id: string;
  tenantId: string;
  conversationId: string;
  reason: string;
  urgency: string;
  summary: string;
}

/** Idempotent: the id comes from the conversation and its escalation number. */
export async function enqueueInboxItem(pool: pg.Pool, item: InboxItemInput): Promise<void> {
  await pool.query(
    `INSERT INTO inbox_items (id, tenant_id, conversation_id, reason, urgency, summary)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [item.id, item.tenantId, item.conversationId, item.reason, item.urgency, item.summary],
  );
}

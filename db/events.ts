import type pg from 'pg';
import type { ConversationEvent, EventType } from '../domain/events';

/** The outbox of conversation events (written by recordTurn, db/conversations.ts), read by the tenant stream. */

/** The tenant's events after `afterSeq`, oldest first. */
export async function listEvents(db: pg.Pool, tenantId: string, afterSeq: number, limit = 500): Promise<ConversationEvent[]> {
  const { rows } = await db.query<{ id: string; seq: string; type: EventType; conversation_id: string | null; conversation_seq: number | null; data: Record<string, unknown>; created_at: Date }>(
    `SELECT id, seq, type, conversation_id, conversation_seq, data, created_at FROM events
      WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [tenantId, afterSeq, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    seq: Number(row.seq),
    type: row.type,
    tenantId,
    conversationId: row.conversation_id,
    conversationSeq: row.conversation_seq,
    data: row.data,
    createdAt: row.created_at.toISOString(),
  }));
}

/** The tenant's latest event sequence (a new stream without Last-Event-ID starts after it). */
export async function latestEventSeq(db: pg.Pool, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM events WHERE tenant_id = $1', [tenantId]);
  return Number(rows[0]?.seq ?? 0);
}

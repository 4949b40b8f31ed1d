import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** The agent workspace's own data: private notes and canned responses (migration 1765000000000_console.sql). */
export interface Note {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  text: string;
}

const noteOf = (row: { id: string; author: string; text: string; created_at: Date }): Note => ({ id: row.id, author: row.author, text: row.text, createdAt: row.created_at.toISOString() });

export async function listNotes(db: pg.Pool, tenantId: string, conversationId: string): Promise<Note[]> {
  const { rows } = await db.query('SELECT id, author, text, created_at FROM conversation_notes WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, id', [tenantId, conversationId]);
  return rows.map(noteOf);
}

export async function addNote(db: pg.Pool, tenantId: string, conversationId: string, author: string, text: string): Promise<Note> {
  const { rows } = await db.query('INSERT INTO conversation_notes (id, tenant_id, conversation_id, author, text) VALUES ($1, $2, $3, $4, $5) RETURNING id, author, text, created_at', [randomUUID(), tenantId, conversationId, author, text]);
  return noteOf(rows[0]);
}

export async function listCanned(db: pg.Pool, tenantId: string): Promise<CannedResponse[]> {
  const { rows } = await db.query('SELECT id, shortcut, title, text FROM canned_responses WHERE tenant_id = $1 ORDER BY shortcut', [tenantId]);
  return rows;
}

/** Undefined when the shortcut is taken. */
export async function addCanned(db: pg.Pool, tenantId: string, input: Omit<CannedResponse, 'id'>): Promise<CannedResponse | undefined> {
  const { rows } = await db.query(
    'INSERT INTO canned_responses (id, tenant_id, shortcut, title, text) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, shortcut) DO NOTHING RETURNING id, shortcut, title, text',
    [randomUUID(), tenantId, input.shortcut, input.title, input.text],
  );
  return rows[0];
}

export async function deleteCanned(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM canned_responses WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return (rowCount ?? 0) > 0;
}

export interface PastConversation {
  id: string;
  channel: string;
  status: string;
  stage: string;
  scriptTitle: string | null;
  protocol: string | null;
  csat: number | null;
  startedAt: string;
}

/**
 * The same customer's other conversations in the tenant, newest first: matched by e-mail,
 * phone or external id (never by name, which people share).
 */
export async function pastConversations(db: pg.Pool, tenantId: string, conversationId: string, limit = 20): Promise<PastConversation[]> {
  const { rows } = await db.query(
    `WITH me AS (SELECT customer FROM conversations WHERE id = $2 AND tenant_id = $1)
     SELECT c.id, c.channel, c.status, c.stage, c.state -> 'script' ->> 'title' AS script_title, c.protocol, c.csat_score, c.created_at
       FROM conversations c, me
      WHERE c.tenant_id = $1 AND c.id <> $2
        AND ((me.customer ->> 'email' IS NOT NULL AND lower(c.customer ->> 'email') = lower(me.customer ->> 'email'))
          OR (me.customer ->> 'phone' IS NOT NULL AND regexp_replace(c.customer ->> 'phone', '\\D', '', 'g') = regexp_replace(me.customer ->> 'phone', '\\D', '', 'g'))
          OR (me.customer ->> 'externalId' IS NOT NULL AND c.customer ->> 'externalId' = me.customer ->> 'externalId'))
      ORDER BY c.created_at DESC
      LIMIT $3`,
    [tenantId, conversationId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    status: row.status,
    stage: row.stage,
    scriptTitle: row.script_title,
    protocol: row.protocol,
    csat: row.csat_score,
    startedAt: row.created_at.toISOString(),
  }));
}

/** The reader has seen the conversation up to message `seq` (never moves back). */
export async function markRead(db: pg.Pool, conversationId: string, reader: string, seq: number): Promise<number> {
  const { rows } = await db.query<{ seq: number }>(
    `INSERT INTO conversation_reads (conversation_id, reader, seq) VALUES ($1, $2, $3)
     ON CONFLICT (conversation_id, reader) DO UPDATE SET seq = GREATEST(conversation_reads.seq, EXCLUDED.seq), read_at = now()
     RETURNING seq`,
    [conversationId, reader, seq],
  );
  return rows[0]!.seq;
}

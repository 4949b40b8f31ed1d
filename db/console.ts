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

export async function listNotes(db: pg.Pool, tenantId: string, conversationId: string): Promise<Note[]> {
  const { rows } = await db.query('SELECT id, author, text, created_at FROM conversation_notes WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, id', [tenantId, conversationId]);
  return rows.map((row) => ({ id: row.id, author: row.author, text: row.text, createdAt: row.created_at.toISOString() }));
}

export async function addNote(db: pg.Pool, tenantId: string, conversationId: string, author: string, text: string): Promise<Note> {
  const { rows } = await db.query('INSERT INTO conversation_notes (id, tenant_id, conversation_id, author, text) VALUES ($1, $2, $3, $4, $5) RETURNING id, author, text, created_at', [randomUUID(), tenantId, conversationId, author, text]);
  return { id: rows[0].id, author: rows[0].author, text: rows[0].text, createdAt: rows[0].created_at.toISOString() };
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

import type pg from 'pg';

/** What the desk's admins must be told: an endpoint disabled, for now (db/webhooks.ts writes them). */
export interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
  readBy: string | null;
}

function noticeOf(row: Record<string, any>): Notice {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
    readBy: row.read_by,
  };
}

/** The tenant's notices for an audience, newest first; unread only unless `all`. */
export async function listNotices(db: pg.Pool, tenantId: string, audience: string, all: boolean, limit = 100): Promise<Notice[]> {
  const { rows } = await db.query(
    `SELECT * FROM notices WHERE tenant_id = $1 AND audience = $2 AND ($3 OR read_at IS NULL) ORDER BY created_at DESC, id LIMIT $4`,
    [tenantId, audience, all, limit],
  );
  return rows.map(noticeOf);
}

/** Marks a notice read (once: the first reader is kept). Undefined when the tenant has no such notice. */
export async function markNoticeRead(db: pg.Pool, tenantId: string, id: string, readBy: string): Promise<Notice | undefined> {
  const { rows } = await db.query(
    `UPDATE notices SET read_at = coalesce(read_at, now()), read_by = coalesce(read_by, $3) WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, id, readBy],
  );
  return rows[0] && noticeOf(rows[0]);
}

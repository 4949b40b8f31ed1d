import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { listInbox, type InboxStatus } from '../db/inbox';
import { ApiError } from './errors';
import { authenticate, STAFF, type AuthEnv } from './middleware';

export interface InboxRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

const STATUSES = ['waiting', 'claimed', 'handed_back', 'resolved'] as const satisfies readonly InboxStatus[];

const querySchema = z.object({
  status: z
    .string()
    .default('waiting,claimed')
    .transform((text) => text.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(z.enum(STATUSES)).min(1, 'name at least one status')),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** The built-in agent inbox: escalated conversations of the caller's tenant, most urgent and longest waiting first. */
export function inboxRoutes(deps: InboxRoutesDeps) {
  return new Hono<AuthEnv>().get('/', authenticate(deps.jwtSecret)(STAFF), async (c) => {
    const { tenant } = c.var.claims;
    const query = querySchema.safeParse({ status: c.req.query('status') ?? undefined, limit: c.req.query('limit') ?? undefined });
    if (!query.success) {
      const issues = query.error.issues.map((issue) => ({ path: String(issue.path[0] ?? 'status'), message: issue.message }));
      throw new ApiError(422, 'validation_failed', `invalid ${issues.map((issue) => issue.path).join(', ')}`, { issues });
    }
    const items = await listInbox(deps.db, tenant, query.data.status, query.data.limit, c.var.claims.sub);
    const counts = Object.fromEntries(STATUSES.map((status) => [status, items.filter((item) => item.status === status).length]));
    return c.json({ items, counts }, 200);
  });
}

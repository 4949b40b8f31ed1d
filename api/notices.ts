import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { listNotices, markNoticeRead } from '../db/notices';
import { ApiError } from './errors';
import { ADMINS, authenticate, type AuthEnv } from './middleware';

export interface NoticeRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

const idSchema = z.string().uuid();

/** GET /api/v1/notices (unread; ?all=true for every one) and POST /api/v1/notices/{id}/read: what the admins must be told. */
export function noticeRoutes(deps: NoticeRoutesDeps) {
  const admins = authenticate(deps.jwtSecret)(ADMINS);
  return new Hono<AuthEnv>()
    .get('/', admins, async (c) => {
      const all = c.req.query('all');
      if (all !== undefined && all !== 'true' && all !== 'false') throw new ApiError(422, 'validation_failed', 'invalid all', { issues: [{ path: 'all', message: 'must be true or false' }] });
      return c.json({ notices: await listNotices(deps.db, c.var.claims.tenant, 'admin', all === 'true') }, 200);
    })
    .post('/:id/read', admins, async (c) => {
      const id = idSchema.safeParse(c.req.param('id'));
      if (!id.success) throw new ApiError(404, 'not_found', 'notice not found');
      const notice = await markNoticeRead(deps.db, c.var.claims.tenant, id.data, c.var.claims.sub);
      if (!notice) throw new ApiError(404, 'not_found', 'notice not found');
      return c.json({ notice }, 200);
    });
}

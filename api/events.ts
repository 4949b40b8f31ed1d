import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type pg from 'pg';
import { latestEventSeq, listEvents } from '../db/events';
import { seedEventType } from '../domain/events';
import { ApiError } from './errors';
import type { ConversationFeed } from './feed';
import { authenticate, STAFF, type AuthEnv } from './middleware';

export interface EventRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  /** Notified with a tenant id whenever that tenant has new events. */
  feed: ConversationFeed;
  /** How long an idle stream waits before a keep-alive (and a re-read, in case a notification was missed). */
  heartbeatMs?: number;
}

const cursorSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * GET /api/v2/events/dashboard: the tenant's conversation events as server-sent events, in the
 * seed's shape (`data: {"type": "conversation_started" | "message_received" | "system_update", …}`)
 * with our own type in `event` and the whole event in `data`. `id:` is the event's sequence, so
 * a reconnect with Last-Event-ID (or ?after=) resumes with nothing lost and nothing repeated;
 * without one the stream starts with what happens next. Fed by Postgres NOTIFY as turns commit.
 */
export function eventRoutes(deps: EventRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);
  return new Hono<AuthEnv>().get('/dashboard', auth(STAFF), async (c) => {
    const { tenant } = c.var.claims;
    const raw = c.req.header('last-event-id') ?? c.req.query('after');
    const parsed = raw === undefined || raw === '' ? undefined : cursorSchema.safeParse(raw);
    if (parsed && !parsed.success) throw new ApiError(422, 'validation_failed', 'invalid after', { issues: [{ path: 'after', message: 'must be an event sequence number ≥ 0' }] });
    let after = parsed ? parsed.data : await latestEventSeq(deps.db, tenant);
    const heartbeatMs = deps.heartbeatMs ?? 15_000;
    return streamSSE(c, (stream) =>
      deps.feed.follow(stream, tenant, heartbeatMs, async () => {
        for (let page = await listEvents(deps.db, tenant, after); page.length; page = await listEvents(deps.db, tenant, after)) {
          for (const event of page) {
            await stream.writeSSE({ id: String(event.seq), data: JSON.stringify({ type: seedEventType(event), event: event.type, data: event }) });
            after = event.seq;
          }
        }
      }),
    );
  });
}

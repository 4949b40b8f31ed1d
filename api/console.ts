import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { addCanned, addNote, deleteCanned, listCanned, listNotes, markRead, pastConversations } from '../db/console';
import { findConversation } from '../db/conversations';
import { MAX_MESSAGE_LENGTH } from '../domain/conversation';
import { ApiError, lookupOr404, parseBody } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';

export interface ConsoleRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

export const noteSchema = z.object({ text: z.string().trim().min(1, 'must not be empty').max(MAX_MESSAGE_LENGTH) }).strict();
export const cannedSchema = z
  .object({
    /** Typed after "/" in the composer: letters, digits, - and _. */
    shortcut: z.string().trim().regex(/^[a-z0-9_-]{1,30}$/, 'lower-case letters, digits, - and _, up to 30'),
    title: z.string().trim().min(1).max(120),
    text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
  })
  .strict();

export const readSchema = z.object({ seq: z.number().int().min(0).max(1_000_000_000) }).strict();

const idSchema = z.string().uuid();

/**
 * The agent workspace's own resources: private notes on a conversation (`/api/v1/conversations/{id}/notes`,
 * staff only, never shown to the customer), how far each staff member has read it (`…/{id}/read`), and the tenant's canned responses (`/api/v1/canned-responses`).
 */
export function noteRoutes(deps: ConsoleRoutesDeps) {
  const staff = authenticate(deps.jwtSecret)(STAFF);
  const conversationOf = lookupOr404('conversation', async (tenantId, id) => {
    const conversation = await findConversation(deps.db, id);
    return conversation?.tenantId === tenantId ? conversation : undefined;
  });
  return new Hono<AuthEnv>()
    .get('/:id/notes', staff, async (c) => {
      const conversation = await conversationOf(c.var.claims.tenant, c.req.param('id'));
      return c.json({ notes: await listNotes(deps.db, conversation.tenantId, conversation.id) }, 200);
    })
    /** The same customer's other conversations (by e-mail, phone or external id), with their CSAT. */
    .get('/:id/past', staff, async (c) => {
      const conversation = await conversationOf(c.var.claims.tenant, c.req.param('id'));
      return c.json({ conversations: await pastConversations(deps.db, conversation.tenantId, conversation.id) }, 200);
    })
    .post('/:id/notes', staff, async (c) => {
      const conversation = await conversationOf(c.var.claims.tenant, c.req.param('id'));
      const { text } = await parseBody(c, noteSchema);
      return c.json({ note: await addNote(deps.db, conversation.tenantId, conversation.id, c.var.claims.sub, text) }, 201);
    })
    /** The caller has read the conversation up to message `seq`: the inbox's unread count for them starts after it. */
    .post('/:id/read', staff, async (c) => {
      const conversation = await conversationOf(c.var.claims.tenant, c.req.param('id'));
      const { seq } = await parseBody(c, readSchema);
      return c.json({ seq: await markRead(deps.db, conversation.id, c.var.claims.sub, seq) }, 200);
    });
}

export function cannedRoutes(deps: ConsoleRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);
  return new Hono<AuthEnv>()
    .get('/', auth(STAFF), async (c) => c.json({ responses: await listCanned(deps.db, c.var.claims.tenant) }, 200))
    .post('/', auth(ADMINS), async (c) => {
      const body = await parseBody(c, cannedSchema);
      const saved = await addCanned(deps.db, c.var.claims.tenant, body);
      if (!saved) throw new ApiError(409, 'conflict', `the shortcut "/${body.shortcut}" is taken`);
      return c.json({ response: saved }, 201);
    })
    .delete('/:id', auth(ADMINS), async (c) => {
      const id = idSchema.safeParse(c.req.param('id'));
      if (!id.success || !(await deleteCanned(deps.db, c.var.claims.tenant, id.data))) throw new ApiError(404, 'not_found', 'canned response not found');
      return c.json({ deleted: true }, 200);
    });
}

import { createHash, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type pg from 'pg';
import { findConversation } from '../db/conversations';
import { listScripts, saveScript } from '../db/scripts';
import { scriptInputSchema } from '../domain/schemas';
import type { ConversationSettings, Stage } from '../domain/conversation';
import type { CustomerView } from '../domain/views';
import { MAX_MESSAGE_LENGTH } from '../domain/conversation';
import { AuthError, mintToken, verifyBearer } from './auth';
import { BodyError, readBody } from './body';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';
import { AcceptedLater, type ConversationGateway } from './conversations';
import { ApiError, toErrorResponse } from './errors';
import { RateLimited, type RateLimiter } from './limits';

/**
 * The contracts of the original Segurozinho service (seed document), kept for the clients
 * written against it: a cookie session for the chat, and the `/api/v1/script` CRUD. They run
 * on the same conversation workflow as the native API; errors come back in the seed's shape,
 * `400 { status: "Error", message }`.
 */
export interface ClassicRoutesDeps {
  db: pg.Pool;
  gateway: ConversationGateway;
  jwtSecret: string;
  defaultTenant: string;
  customerTokenTtlSeconds: number;
  production: boolean;
  settingsFor(tenantId: string): Promise<ConversationSettings | undefined>;
  limiter: RateLimiter;
}

const SESSION_COOKIE = 'atende_session';
const FINAL_STAGES: readonly Stage[] = ['confirming', 'analyzing', 'escalated', 'with_agent', 'resolved', 'closed'];

class ClassicError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Reads `{ <field>: string }` from a JSON body, naming the field when it is missing. */
async function readField(c: Context, field: string, schema: z.ZodType = z.string().trim().min(1).max(MAX_MESSAGE_LENGTH)): Promise<unknown> {
  const body = await readBody(c, z.unknown()).catch((error: unknown) => {
    if (!(error instanceof BodyError)) throw error;
    if (error.kind === 'not_json_type') throw new ClassicError(415, 'envie o corpo com Content-Type: application/json');
    if (error.kind === 'invalid') throw new ClassicError(400, `campo "${error.issues[0]!.path}" inválido: ${error.issues[0]!.message}`);
    throw new ClassicError(400, 'o corpo da requisição não é um JSON válido');
  });
  const value = (body as Record<string, unknown> | null)?.[field];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = [field, ...issue.path].join('.');
    throw new ClassicError(400, value === undefined ? `campo "${field}" é obrigatório` : `campo "${path}" inválido: ${issue.message}`);
  }
  return parsed.data;
}

function steps(state: CustomerView): string {
  if (!state.script) return '';
  return `${Math.min(Object.keys(state.answers).length, state.script.steps)}/${state.script.steps}`;
}

export function classicRoutes(deps: ClassicRoutesDeps) {
  /** Seed-shaped errors for everything this router throws; the native shape stays for 5xx. */
  function fail(error: unknown, c: Context): Response {
    if (error instanceof ClassicError) return c.json({ status: 'Error', message: error.message }, error.status);
    if (error instanceof AuthError) return c.json({ status: 'Error', message: error.message }, error.status);
    if (error instanceof ApiError && error.status < 500) return c.json({ status: 'Error', message: error.message }, 400);
    if (error instanceof RateLimited) return c.json({ status: 'Error', message: error.message }, 429);
    if (error instanceof AcceptedLater) return c.json({ status: 'Accepted', message: error.message, messageId: error.messageId }, 202);
    return toErrorResponse(error, c);
  }

  async function sessionConversation(c: Context) {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) throw new ClassicError(401, 'sessão ausente: comece por POST /initial-message');
    const claims = await verifyBearer(deps.jwtSecret, `Bearer ${token}`);
    const conversation = claims.conversation ? await findConversation(deps.db, claims.conversation) : undefined;
    if (!conversation || conversation.tenantId !== claims.tenant) throw new ClassicError(401, 'sessão inválida: comece por POST /initial-message');
    if (conversation.stage === 'closed') throw new ClassicError(400, 'esta conversa foi encerrada; comece outra por POST /initial-message');
    return conversation;
  }

  /**
   * The seed's chat clients send no message id, so one is derived from the attempt: the
   * session, how many turns the customer had when the message came, and the text. A resend
   * of a message Temporal holds but has not answered yet is then the same update, applied
   * once. A client may send its own `messageId` instead.
   */
  async function chat(c: Context) {
    const message = (await readField(c, 'message')) as string;
    const ownId = (await readField(c, 'messageId', z.string().trim().min(1).max(200).optional())) as string | undefined;
    const conversation = await sessionConversation(c);
    await deps.limiter.check(c, 'message', { tenantId: conversation.tenantId });
    const { state } = conversation;
    const attempt = createHash('sha256').update(`${state.customerTurns}\u0000${message}`).digest('hex').slice(0, 24);
    const result = await deps.gateway.sendLater(
      state.conversationId,
      async () => ({ conversationId: state.conversationId, tenantId: state.tenantId, channel: state.channel, customer: state.customer, settings: (await deps.settingsFor(state.tenantId))! }),
      message,
      ownId ?? `seed-${state.conversationId}-${attempt}`,
    );
    return { answer: result.replies.map((reply) => reply.text).join('\n'), state: result.state };
  }

  const auth = authenticate(deps.jwtSecret);
  const app = new Hono<AuthEnv>()
    .post('/initial-message', async (c) => {
      const name = (await readField(c, 'message', z.string().trim().min(1).max(200))) as string;
      const tenantId = deps.defaultTenant;
      const settings = await deps.settingsFor(tenantId);
      if (!settings) throw new ClassicError(400, `tenant "${tenantId}" não existe`);
      await deps.limiter.check(c, 'start', { tenantId });
      const conversationId = randomUUID();
      const token = await mintToken(deps.jwtSecret, {
        role: 'customer',
        tenant: tenantId,
        conversation: conversationId,
        ttlSeconds: deps.customerTokenTtlSeconds,
      });
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure: deps.production,
        maxAge: deps.customerTokenTtlSeconds,
      });
      try {
        const result = await deps.gateway.send({ conversationId, tenantId, channel: 'web-classic', customer: { name }, settings }, '');
        return c.json({ answer: result.replies.map((reply) => reply.text).join('\n'), Name: name, Session: conversationId }, 200);
      } catch (error) {
        // the session exists and its greeting will come: the client keeps the cookie
        if (error instanceof RateLimited) return c.json({ status: 'Error', message: error.message }, 429);
    if (error instanceof AcceptedLater) return c.json({ status: 'Accepted', answer: '', Name: name, Session: conversationId, message: error.message }, 202);
        throw error;
      }
    })
    .post('/chat', async (c) => {
      const { answer, state } = await chat(c);
      return c.json({ answer, steps: steps(state), is_final_step: FINAL_STAGES.includes(state.stage) ? 'True' : 'False' }, 200);
    })
    .post('/chat_ai', async (c) => {
      const { answer } = await chat(c);
      return c.json({ answer }, 200);
    })
    .get('/api/v1/script', auth(STAFF), async (c) => {
      const { tenant } = c.var.claims;
      return c.json({ scripts: JSON.stringify(await listScripts(deps.db, tenant)) }, 200);
    })
    .post('/api/v1/script', auth(ADMINS), async (c) => {
      const { tenant } = c.var.claims;
      const script = await readField(c, 'args', scriptInputSchema);
      const { changed, ...saved } = await saveScript(deps.db, tenant, script as z.infer<typeof scriptInputSchema>);
      return c.json({ status: 'Success', message: changed ? `script "${saved.id}" salvo (versão ${saved.version})` : `script "${saved.id}" sem mudanças`, script: saved }, 201);
    });
  // every failure of these routes in the seed's shape
  app.onError(fail);
  return app;
}

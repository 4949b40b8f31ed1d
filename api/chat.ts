import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type pg from 'pg';
import { findConversation } from '../db/conversations';
import { failureTypes, MAX_MESSAGE_LENGTH, type ConversationInput, type ConversationSettings } from '../domain/conversation';
import type { CustomerView } from '../domain/views';
import { assertCanReach, mintToken, verifyBearer, type Claims } from './auth';
import { AcceptedLater, type ConversationGateway } from './conversations';
import { agentOrDefault, withAgent } from './agents';
import { ApiError, failureTypeOf, parseBody } from './errors';
import type { ConversationFeed } from './feed';
import { logOf } from './problem';
import type { Logger } from '../lib/log';
import type { RateLimiter } from './limits';
import type { TokenNotice } from '../domain/events';

export interface ChatRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  gateway: ConversationGateway;
  /** A model's text as the worker receives it (the tokens channel), keyed by conversation. */
  tokens: ConversationFeed;
  settingsFor(tenantId: string): Promise<ConversationSettings | undefined>;
  limiter: RateLimiter;
  customerTokenTtlSeconds: number;
}

/** The seed's streaming-chat body: the conversation so far (its last user message is this turn), who is writing, and which conversation to continue. */
export const chatStreamSchema = z.object({
  messages: z
    .array(z.object({ role: z.enum(['user', 'assistant', 'system']), content: z.string().max(MAX_MESSAGE_LENGTH) }))
    .min(1)
    .max(200)
    .refine((messages) => messages.some((message) => message.role === 'user' && message.content.trim()), 'must hold a user message with content'),
  context_data: z
    .object({
      user_info: z
        .object({
          name: z.string().trim().min(1).max(200).optional(),
          email: z.string().trim().email().max(320).optional(),
          phone: z.string().trim().min(8).max(30).optional(),
          id: z.string().trim().min(1).max(200).optional(),
        })
        .optional(),
    })
    .passthrough()
    .optional(),
  conversation_id: z.string().uuid().optional(),
  /** The client's id for this message: a resend with the same id is the same turn, answered once. */
  message_id: z.string().trim().min(1).max(200).optional(),
  channel: z.string().trim().min(1).max(40).optional(),
});

const agentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

function parseNotice(detail: string): TokenNotice | null {
  try {
    const notice = JSON.parse(detail) as TokenNotice;
    if ('progress' in notice) return notice.progress === 'searching_knowledge' || notice.progress === 'calling_tool' ? notice : null;
    return typeof notice.segment === 'string' && typeof notice.text === 'string' ? notice : null;
  } catch {
    return null;
  }
}

/**
 * What of a reply the stream has not carried yet: a reply holding a model's streamed text
 * (around it, say, the step asked again) sends only the rest; each streamed text is used once.
 */
function unstreamed(reply: string, streamed: Map<string, string>): string {
  for (const [segment, text] of streamed) {
    const said = text.trim();
    if (!said || !reply.includes(said)) continue;
    streamed.delete(segment);
    return reply.replace(said, '');
  }
  return reply;
}

/** Sentences (and the line breaks between them), so an offline answer arrives in pieces as a model's would. */
function chunks(text: string): string[] {
  return text.match(/[^.!?\n]+[.!?]*[^\S\n]*|\n+/g) ?? (text ? [text] : []);
}

/**
 * POST /api/v2/agents/{agent_id}/chat/stream: one customer turn of a durable conversation,
 * streamed in the seed's grammar — `data: {"event": "progress" | "answer" | "source" | "metadata" | "done" | "error", "data": …}`.
 * Without `conversation_id` it starts a conversation (a staff or service token names the tenant;
 * `metadata` carries the new conversation's id and a customer token to continue it); with one it
 * continues it (that conversation's customer token, or staff of its tenant). The conversation
 * itself keeps the history: only the last user message is this turn. `agent_id` `default` is the
 * tenant's bot; another id names an onboarding instance. With a model, `answer` carries its text
 * as the worker receives it; offline (and for lines no model wrote) answers arrive in sentences.
 * `done.answer` is always the whole reply, in order.
 */
export function chatRoutes(deps: ChatRoutesDeps) {
  return new Hono().post('/:agentId/chat/stream', async (c) => {
    const agentId = c.req.param('agentId');
    if (!agentIdSchema.safeParse(agentId).success) throw new ApiError(404, 'not_found', 'no such agent');
    const claims = await verifyBearer(deps.jwtSecret, c.req.header('authorization'));
    const body = await parseBody(c, chatStreamSchema);
    const text = [...body.messages].reverse().find((message) => message.role === 'user' && message.content.trim())!.content.trim();
    const turn = await prepare(c, claims, agentId, body);
    if (claims.role === 'customer') await deps.limiter.check(c, 'message', { tenantId: claims.tenant });

    return streamSSE(c, async (stream) => {
      // one writer at a time, in order: model text arrives while the turn is still running
      let written: Promise<unknown> = Promise.resolve();
      const send = (event: string, data: unknown) => (written = written.then(() => stream.writeSSE({ data: JSON.stringify({ event, data }) })));
      const streamed = new Map<string, string>();
      const stopListening = await deps.tokens.subscribe(turn.conversationId, (detail) => {
        const notice = parseNotice(detail);
        if (!notice) return;
        if ('progress' in notice) return void send('progress', { stage: notice.progress, message: progressWords[notice.progress] ?? notice.progress });
        streamed.set(notice.segment, (streamed.get(notice.segment) ?? '') + notice.text);
        void send('answer', notice.text);
      });
      try {
        await send('progress', { stage: 'understanding', message: 'lendo a mensagem' });
        const result = await (turn.fresh
          ? deps.gateway.send(turn.input, text, body.message_id)
          : deps.gateway.sendLater(turn.conversationId, turn.input, text, body.message_id)
        ).finally(stopListening);
        const state: CustomerView = result.state;
        await send('progress', { stage: state.stage, message: progressWords[state.stage] ?? state.stage });
        const answer = result.replies.map((reply) => reply.text).join('\n');
        // what the model's text has not already carried, replies a line apart as in `done.answer`
        const rest = result.replies.map((reply, index) => (index ? '\n' : '') + unstreamed(reply.text, streamed)).join('');
        for (const piece of chunks(rest)) await send('answer', piece);
        // the knowledge passages the answer used, one event each
        for (const source of result.replies.flatMap((reply) => reply.sources ?? [])) {
          await send('source', { document_id: source.documentId, title: source.title, position: source.position, heading: source.heading, score: source.score, excerpt: source.excerpt });
        }
        await send('metadata', {
          conversation_id: turn.conversationId,
          ...(turn.token ? { token: turn.token } : {}),
          agent_id: agentId,
          stage: state.stage,
          status: state.status,
          script: state.script,
          pending: state.pending,
          options: state.options,
          protocol: state.protocol,
        });
        await send('done', { conversation_id: turn.conversationId, answer, replies: result.replies });
      } catch (error) {
        await send('error', errorOf(error, logOf(c)));
      }
    });
  });

  /** Who the turn is for, checked before the stream opens (so a refusal is a plain 4xx). */
  async function prepare(c: Context, claims: Claims, agentId: string, body: z.infer<typeof chatStreamSchema>) {
    if (body.conversation_id) {
      const row = await findConversation(deps.db, body.conversation_id);
      if (!row) throw new ApiError(404, 'not_found', 'conversation not found');
      assertCanReach(claims, row);
      if (row.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
      const input = async (): Promise<ConversationInput> => ({
        conversationId: row.id,
        tenantId: row.tenantId,
        channel: row.state.channel,
        customer: row.state.customer,
        settings: (await deps.settingsFor(row.tenantId))!,
      });
      return { fresh: false as const, conversationId: row.id, input, token: undefined };
    }
    if (claims.role === 'customer') throw new ApiError(422, 'validation_failed', 'conversation_id: required with a customer token', { issues: [{ path: 'conversation_id', message: 'a customer token continues its own conversation' }] });
    const settings = await deps.settingsFor(claims.tenant);
    if (!settings) throw new ApiError(422, 'validation_failed', 'tenant: unknown tenant', { issues: [{ path: 'tenant', message: 'the token names an unknown tenant' }] });
    await deps.limiter.check(c, 'start', { tenantId: claims.tenant });
    const conversationId = randomUUID();
    const user = body.context_data?.user_info ?? {};
    const base: ConversationInput = {
      conversationId,
      tenantId: claims.tenant,
      channel: body.channel ?? 'api',
      customer: { ...(user.name ? { name: user.name } : {}), ...(user.email ? { email: user.email } : {}), ...(user.phone ? { phone: user.phone } : {}), ...(user.id ? { externalId: user.id } : {}) },
      settings,
    };
    // an agent of /api/v2/agents; an id that names none is an onboarding instance, as before agents existed
    const agent = await agentOrDefault(deps.db, claims.tenant, agentId);
    const input: ConversationInput = agent ? withAgent(base, agent) : { ...base, instanceId: agentId };
    const token = await mintToken(deps.jwtSecret, { role: 'customer', tenant: claims.tenant, conversation: conversationId, ttlSeconds: deps.customerTokenTtlSeconds });
    return { fresh: true as const, conversationId, input, token };
  }
}

const progressWords: Record<string, string> = {
  greeting: 'cumprimentando',
  identifying: 'entendendo o pedido',
  clarifying: 'confirmando o assunto',
  collecting: 'coletando as informações do roteiro',
  confirming: 'conferindo os dados',
  analyzing: 'analisando a conversa',
  escalated: 'chamando uma pessoa da equipe',
  with_agent: 'com uma pessoa da equipe',
  resolved: 'resolvido',
  rating: 'pedindo uma avaliação',
  abandoned: 'aguardando o cliente',
  closed: 'encerrada',
  searching_knowledge: 'consultando a base de conhecimento',
  calling_tool: 'consultando um sistema',
};

/** An error event's data: a stable code and words, never a stack or a database message. */
function errorOf(error: unknown, log: Logger): { code: string; message: string } {
  if (error instanceof AcceptedLater) return { code: 'accepted_later', message: error.message };
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (failureTypeOf(error) === failureTypes.conversationClosed) return { code: 'conversation_closed', message: 'the conversation is closed' };
  log.error({ err: error }, 'chat stream failed');
  return { code: 'internal', message: 'the turn failed; try again' };
}

import { createHmac, randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type pg from 'pg';
import { findConversation, listMessages } from '../db/conversations';
import { findScript, learnExample, type ScriptVersion } from '../db/scripts';
import { searchAttributes } from '../workflows/messages';
import { MAX_MESSAGE_LENGTH, type ConversationInput, type ConversationSettings, type ConversationState } from '../domain/conversation';
import { agentMessageUpdate, assignUpdate, changeScriptUpdate, claimUpdate, conversationWorkflowId, conversationWorkflowType, handbackUpdate, resolveUpdate, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { assertCanReach, mintToken, STREAM_TICKET_TTL_SECONDS, verifyBearer, type Claims } from './auth';
import { demandOf } from '../domain/collection';
import { asksForPerson, isSmallTalk } from '../domain/talk';
import { findTenant, learnsFromAgents } from '../db/tenants';
import { conversationAgent, withAgent } from './agents';
import { turnDuration } from '../lib/metrics';
import { ApiError, parseBody } from './errors';
import { asCustomerView, customerView, type CustomerTurnResult, type CustomerView } from '../domain/views';
import type { RateLimiter } from './limits';
import { authenticate, STAFF, type AuthEnv } from './middleware';
import type { ConversationFeed } from './feed';
import { conversationListRoute } from './analytics';

export interface ConversationRoutesDeps {
  client: Client;
  db: pg.Pool;
  jwtSecret: string;
  taskQueue: string;
  callTimeoutMs: number;
  defaultTenant: string;
  customerTokenTtlSeconds: number;
  settingsFor(tenantId: string): Promise<ConversationSettings | undefined>;
  feed: ConversationFeed;
  limiter: RateLimiter;
  /** How long an idle event stream waits before a keep-alive (and a re-read, in case a notification was missed). */
  streamHeartbeatMs?: number;
}

const afterSchema = z.coerce.number().int().min(0).max(2_147_483_647).default(0);

function afterParam(raw: string | undefined): number {
  const after = afterSchema.safeParse(raw === '' ? undefined : raw);
  if (!after.success) throw new ApiError(422, 'validation_failed', 'invalid after', { issues: [{ path: 'after', message: 'must be a sequence number ≥ 0' }] });
  return after.data;
}

export const startSchema = z.object({
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
  channel: z.string().trim().min(1).max(40).default('web'),
  tenant: z.string().trim().min(1).max(63).optional(),
  /** The channel instance whose onboarding shapes the bot; the tenant's latest completed one by default. */
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, "-" or "_"').optional(),
  /** The agent (/api/v2/agents) the conversation is for; the tenant's default agent when omitted. */
  agentId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, "-" or "_"').optional(),
  customer: z
    .object({
      name: z.string().trim().min(1).max(200).optional(),
      email: z.string().trim().email().max(320).optional(),
      phone: z.string().trim().min(8).max(30).optional(),
      externalId: z.string().trim().min(1).max(200).optional(),
    })
    .strict()
    .default({}),
});

export const messageSchema = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(MAX_MESSAGE_LENGTH),
  messageId: z.string().trim().min(1).max(200).optional(),
});

const idSchema = z.string().uuid();

export const changeScriptSchema = z.object({ scriptId: z.string().trim().min(1).max(80) });

/** Who takes the conversation over: another agent's id (their account id, or the subject of their token). */
export const assignSchema = z.object({ agentId: z.string().trim().min(1).max(200) }).strict();

export const resolveSchema = z.object({ note: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH).optional() }).strict();


export interface ConversationGateway {
  /**
   * Starts the conversation's workflow if needed and returns the bot's replies to `text`. When
   * the deadline passes after Temporal admitted the message, throws AcceptedLater: the message
   * will be applied once a worker takes it, and resending it with the same messageId is safe.
   */
  send(input: ConversationInput, text: string, messageId?: string): Promise<CustomerTurnResult>;
  /**
   * A later message of a conversation whose workflow runs: a plain Update (no start, no
   * settings read). Only when the workflow is not found does it start one from `input()`.
   */
  sendLater(conversationId: string, input: () => Promise<ConversationInput>, text: string, messageId?: string): Promise<CustomerTurnResult>;
  /** Runs `fn` under the API's deadline for calls into Temporal. */
  deadline<T>(fn: () => Promise<T>): Promise<T>;
}

/** A message Temporal holds but no worker has answered yet: 202, not 503. */
export class AcceptedLater extends Error {
  constructor(
    readonly conversationId: string,
    readonly messageId: string,
  ) {
    super('the message was accepted and will be answered as soon as the conversation service catches up');
  }
}

export function conversationGateway(deps: Pick<ConversationRoutesDeps, 'client' | 'taskQueue' | 'callTimeoutMs'>): ConversationGateway {
  const deadline = <T>(fn: () => Promise<T>) => deps.client.withDeadline(Date.now() + deps.callTimeoutMs, fn);

  /** Whether Temporal holds the update (asked briefly, after the call itself timed out). */
  async function admitted(workflowId: string, updateId: string): Promise<boolean> {
    try {
      await deps.client.withDeadline(Date.now() + 3_000, () =>
        deps.client.workflowService.pollWorkflowExecutionUpdate({
          namespace: deps.client.options.namespace,
          updateRef: { workflowExecution: { workflowId }, updateId },
          identity: deps.client.options.identity,
          waitPolicy: { lifecycleStage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED },
        }),
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Every message, the first included, is one update-with-start: the workflow starts if it
   * does not exist yet, and the update returns the bot's replies. Every message has an id (the
   * client's, or one made here) and its update id is derived from it, so a resend is the same
   * update, which Temporal answers with the first outcome instead of running it again.
   */
  async function send(input: ConversationInput, text: string, messageId: string = randomUUID()): Promise<CustomerTurnResult> {
    const workflowId = conversationWorkflowId(input.conversationId);
    const updateId = `message-${messageId}`;
    try {
      return await deadline(() =>
        deps.client.workflow.executeUpdateWithStart(sendMessageUpdate, {
          args: [{ text, messageId }],
          updateId,
          startWorkflowOperation: new WithStartWorkflowOperation(conversationWorkflowType, {
            workflowId,
            taskQueue: deps.taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            // a closed conversation stays closed: its id is never started again
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            // what the Temporal UI shows in the list instead of "No summary available"
            staticSummary: `Conversa ${input.tenantId} · ${input.channel}${input.customer.name ? ` · ${input.customer.name}` : ''}`,
            staticDetails: [`**Tenant:** ${input.tenantId}`, `**Canal:** ${input.channel}`, `**Agente:** ${input.agentId ?? 'default'}`, input.customer.name ? `**Cliente:** ${input.customer.name}` : null].filter(Boolean).join('  \n'),
            typedSearchAttributes: [
              { key: searchAttributes.TenantId, value: input.tenantId },
              { key: searchAttributes.Channel, value: input.channel },
              { key: searchAttributes.ConversationStatus, value: 'active' },
              { key: searchAttributes.ConversationStage, value: 'greeting' },
            ],
          }),
        }),
      );
    } catch (error) {
      if (isTimeout(error) && (await admitted(workflowId, updateId))) throw new AcceptedLater(input.conversationId, messageId);
      throw error;
    }
  }
  async function sendLater(conversationId: string, input: () => Promise<ConversationInput>, text: string, messageId: string = randomUUID()): Promise<CustomerTurnResult> {
    const workflowId = conversationWorkflowId(conversationId);
    const updateId = `message-${messageId}`;
    try {
      return await deadline(() => deps.client.workflow.getHandle(workflowId).executeUpdate(sendMessageUpdate, { args: [{ text, messageId }], updateId }));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return send(await input(), text, messageId);
      if (isTimeout(error) && (await admitted(workflowId, updateId))) throw new AcceptedLater(conversationId, messageId);
      throw error;
    }
  }
  /** Each customer turn timed: replied, accepted for later, or failed. */
  function timedTurn<A extends unknown[]>(turn: (...args: A) => Promise<CustomerTurnResult>): (...args: A) => Promise<CustomerTurnResult> {
    return async (...args) => {
      const stop = turnDuration.startTimer();
      try {
        const result = await turn(...args);
        stop({ outcome: 'replied' });
        return result;
      } catch (error) {
        stop({ outcome: error instanceof AcceptedLater ? 'accepted_later' : 'failed' });
        throw error;
      }
    };
  }
  return { send: timedTurn(send), sendLater: timedTurn(sendLater), deadline };
}

/** The call's deadline passed (as opposed to Temporal refusing or being unreachable). */
function isTimeout(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if ((current as { code?: unknown }).code === grpcStatus.DEADLINE_EXCEEDED) return true;
    if (/deadline exceeded/i.test(String((current as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}

/**
 * A start with an Idempotency-Key names its conversation from the key (and the server's
 * secret, so an id cannot be guessed from a key): a retried start is the same conversation and
 * its first message the same update.
 */
function idempotentIds(secret: string, tenantId: string, key: string): { conversationId: string; messageId: string } {
  const digest = createHmac('sha256', secret).update(`${tenantId}\u0000${key}`).digest('hex');
  const conversationId = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-${((parseInt(digest[16]!, 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return { conversationId, messageId: `start-${digest.slice(32, 56)}` };
}

/** An Idempotency-Key header: 1–200 visible characters, or none. */
function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(raw)) {
    throw new ApiError(422, 'validation_failed', 'invalid Idempotency-Key', { issues: [{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }] });
  }
  return raw;
}

/** The state as the caller may see it: whole for staff, the customer's view otherwise. */
function stateFor(claims: Pick<Claims, 'role'> | undefined, state: ConversationState): ConversationState | CustomerView {
  return claims && claims.role !== 'customer' ? state : customerView(state);
}

/** 202: the message is held and will be answered; where to read the reply, and the id to resend it with. */
function accepted(c: Context, later: AcceptedLater, token?: string): Response {
  const messages = `/api/v1/conversations/${later.conversationId}/messages`;
  c.header('Location', messages);
  c.header('Retry-After', '2');
  return c.json(
    {
      status: 'accepted',
      conversationId: later.conversationId,
      messageId: later.messageId,
      ...(token ? { token } : {}),
      message: later.message,
      replies: { messages, events: `/api/v1/conversations/${later.conversationId}/events` },
    },
    202,
  );
}

export function conversationRoutes(deps: ConversationRoutesDeps) {
  const { send: sendMessage, sendLater, deadline } = conversationGateway(deps);

  async function reachable(claims: Claims, rawId: string) {
    const id = idSchema.safeParse(rawId);
    if (!id.success) throw new ApiError(404, 'not_found', 'conversation not found');
    const conversation = await findConversation(deps.db, id.data);
    if (!conversation) throw new ApiError(404, 'not_found', 'conversation not found');
    assertCanReach(claims, conversation);
    return conversation;
  }

  /** A customer's own conversation, by its token alone (no read): any other id is refused as reachable() would. */
  function ownConversation(claims: Claims, rawId: string): void {
    if (!idSchema.safeParse(rawId).success) throw new ApiError(404, 'not_found', 'conversation not found');
    assertCanReach(claims, { id: rawId, tenantId: claims.tenant });
  }

  const auth = authenticate(deps.jwtSecret);
  const anyone = auth();
  const staff = auth(STAFF);

  /** An agent (or admin) of the conversation's tenant, on a conversation that is still open. */
  async function agentOn(claims: Claims, rawId: string) {
    const conversation = await reachable(claims, rawId);
    if (conversation.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
    return { claims, conversation };
  }

  /**
   * An agent who re-scripts a conversation says which script the customer's demand was for:
   * unless the tenant opted out, the demand becomes an example of that script (a new version),
   * so the matcher reads the next customer who says it that way right.
   */
  async function learnFromRescript(conversationId: string, tenantId: string, script: ScriptVersion): Promise<{ scriptId: string; version: number; example: string } | null> {
    const tenant = await findTenant(deps.db, tenantId);
    if (!tenant || !learnsFromAgents(tenant.settings)) return null;
    const said = (await listMessages(deps.db, conversationId)).filter((message) => message.role === 'customer').map((message) => demandOf(message.text));
    const demand = said.find((text) => text.split(/\s+/).length >= 2 && !isSmallTalk(text) && !asksForPerson(text));
    if (!demand) return null;
    const version = await learnExample(deps.db, tenantId, script, demand);
    return version === null ? null : { scriptId: script.id, version, example: demand };
  }

  const update = <T>(conversationId: string, call: (handle: WorkflowHandle) => Promise<T>) =>
    deadline(() => call(deps.client.workflow.getHandle(conversationWorkflowId(conversationId))));

  /**
   * The state after a customer message: the view the turn returned for customers, the whole
   * state (one query more) for staff, who may write as the customer too.
   */
  async function stateAfter(claims: Pick<Claims, 'role'> | undefined, conversationId: string, result: CustomerTurnResult) {
    if (!claims || claims.role === 'customer') return asCustomerView(result.state);
    return update(conversationId, (handle) => handle.query(stateQuery));
  }

  return new Hono<AuthEnv>()
    .get('/', staff, conversationListRoute({ db: deps.db, jwtSecret: deps.jwtSecret, settingsFor: deps.settingsFor }))
    .post('/', async (c) => {
      const body = await parseBody(c, startSchema);
      const header = c.req.header('authorization');
      const caller = header ? await verifyBearer(deps.jwtSecret, header) : undefined;
      const tenantId = body.tenant ?? caller?.tenant ?? deps.defaultTenant;
      if (caller && caller.tenant !== tenantId) throw new ApiError(422, 'validation_failed', 'tenant: not the token tenant', {
        issues: [{ path: 'tenant', message: 'must be the tenant of your token' }],
      });
      const settings = await deps.settingsFor(tenantId);
      if (!settings) {
        throw new ApiError(422, 'validation_failed', 'tenant: unknown tenant', { issues: [{ path: 'tenant', message: 'unknown tenant' }] });
      }
      const agent = await conversationAgent(deps.db, tenantId, body.agentId);
      if (!agent) throw new ApiError(422, 'validation_failed', 'agentId: unknown agent', { issues: [{ path: 'agentId', message: 'no such agent in this tenant' }] });
      await deps.limiter.check(c, 'start', { tenantId });
      const key = idempotencyKey(c.req.header('idempotency-key'));
      const { conversationId, messageId } = key ? idempotentIds(deps.jwtSecret, tenantId, key) : { conversationId: randomUUID(), messageId: undefined };
      const token = await mintToken(deps.jwtSecret, {
        role: 'customer',
        tenant: tenantId,
        conversation: conversationId,
        ttlSeconds: deps.customerTokenTtlSeconds,
      });
      try {
        const result = await sendMessage(
          withAgent({ conversationId, tenantId, channel: body.channel, customer: body.customer, settings, ...(body.instanceId ? { instanceId: body.instanceId } : {}) }, agent),
          body.message ?? '',
          messageId,
        );
        return c.json({ conversationId, token, replies: result.replies, state: await stateAfter(caller, conversationId, result) }, 201);
      } catch (error) {
        if (error instanceof AcceptedLater) return accepted(c, error, token);
        throw error;
      }
    })
    .post('/:id/messages', anyone, async (c) => {
      const claims = c.var.claims;
      const id = c.req.param('id');
      // a customer's token names its conversation, and the workflow's validator refuses a
      // closed one: Postgres is read only when the workflow is gone. Staff are checked against the row.
      const row = claims.role === 'customer' ? null : await reachable(claims, id);
      if (!row) ownConversation(claims, id);
      const body = await parseBody(c, messageSchema);
      if (row?.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
      if (claims.role === 'customer') await deps.limiter.check(c, 'message', { tenantId: claims.tenant });
      const input = async (): Promise<ConversationInput> => {
        const conversation = row ?? (await reachable(claims, id));
        if (conversation.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
        const { state } = conversation;
        return {
          conversationId: state.conversationId,
          tenantId: state.tenantId,
          channel: state.channel,
          customer: state.customer,
          settings: (await deps.settingsFor(state.tenantId))!,
        };
      };
      try {
        const result = await sendLater(id, input, body.text, body.messageId);
        return c.json({ replies: result.replies, state: await stateAfter(claims, id, result) }, 200);
      } catch (error) {
        if (error instanceof AcceptedLater) return accepted(c, error);
        throw error;
      }
    })
    .post('/:id/script', staff, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      const { scriptId } = await parseBody(c, changeScriptSchema);
      if (conversation.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
      const script = await findScript(deps.db, conversation.tenantId, scriptId);
      if (!script || !script.active) {
        throw new ApiError(422, 'validation_failed', 'scriptId: no such active script', {
          issues: [{ path: 'scriptId', message: `no active script "${scriptId}" in this tenant` }],
        });
      }
      const result = await deadline(() =>
        deps.client.workflow
          .getHandle(conversationWorkflowId(conversation.id))
          .executeUpdate(changeScriptUpdate, { args: [{ scriptId, by: `${claims.role}:${claims.sub}` }] }),
      );
      const learned = await learnFromRescript(conversation.id, conversation.tenantId, script);
      return c.json({ replies: result.replies, state: result.state, learned }, 200);
    })
    .post('/:id/claim', staff, async (c) => {
      const { claims, conversation } = await agentOn(c.var.claims, c.req.param('id'));
      const result = await update(conversation.id, (handle) => handle.executeUpdate(claimUpdate, { args: [{ agentId: claims.sub }] }));
      return c.json({ replies: result.replies, state: result.state }, 200);
    })
    .post('/:id/agent-messages', staff, async (c) => {
      const { claims, conversation } = await agentOn(c.var.claims, c.req.param('id'));
      const { text, messageId } = await parseBody(c, messageSchema);
      const result = await update(conversation.id, (handle) =>
        handle.executeUpdate(agentMessageUpdate, {
          args: [{ agentId: claims.sub, text, ...(messageId ? { messageId } : {}) }],
          // a retried request with the same messageId is the same update: Temporal answers it without writing twice
          ...(messageId ? { updateId: `agent-message-${messageId}` } : {}),
        }),
      );
      return c.json({ replies: result.replies, state: result.state }, 201);
    })
    .post('/:id/assign', staff, async (c) => {
      const { claims, conversation } = await agentOn(c.var.claims, c.req.param('id'));
      const { agentId } = await parseBody(c, assignSchema);
      const result = await update(conversation.id, (handle) => handle.executeUpdate(assignUpdate, { args: [{ by: claims.sub, byAdmin: claims.role === 'admin', to: agentId }] }));
      return c.json({ replies: result.replies, state: result.state }, 200);
    })
    .post('/:id/handback', staff, async (c) => {
      const { claims, conversation } = await agentOn(c.var.claims, c.req.param('id'));
      const result = await update(conversation.id, (handle) => handle.executeUpdate(handbackUpdate, { args: [{ agentId: claims.sub }] }));
      return c.json({ replies: result.replies, state: result.state }, 200);
    })
    .post('/:id/resolve', staff, async (c) => {
      const { claims, conversation } = await agentOn(c.var.claims, c.req.param('id'));
      const { note } = await parseBody(c, resolveSchema);
      const result = await update(conversation.id, (handle) =>
        handle.executeUpdate(resolveUpdate, { args: [{ by: `${claims.role}:${claims.sub}`, agentId: claims.sub, ...(note ? { note } : {}) }] }),
      );
      return c.json({ replies: result.replies, state: result.state }, 200);
    })
    .get('/:id', anyone, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      if (conversation.stage === 'closed') return c.json({ state: stateFor(claims, conversation.state) }, 200);
      const state = await deadline(() =>
        deps.client.workflow.getHandle(conversationWorkflowId(conversation.id)).query(stateQuery),
      );
      return c.json({ state: stateFor(claims, state) }, 200);
    })
    .get('/:id/messages', anyone, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      const messages = await listMessages(deps.db, conversation.id, afterParam(c.req.query('after')));
      return c.json({ messages }, 200);
    })
    /** A stream ticket: opens this conversation's event stream for a minute, so no bearer token goes in a URL. */
    .post('/:id/events/ticket', anyone, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      const ticket = await mintToken(deps.jwtSecret, {
        role: claims.role,
        tenant: claims.tenant,
        subject: claims.sub,
        conversation: conversation.id,
        scope: 'events',
        ttlSeconds: STREAM_TICKET_TTL_SECONDS,
      });
      return c.json({ ticket, expiresInSeconds: STREAM_TICKET_TTL_SECONDS, url: `/api/v1/conversations/${conversation.id}/events?ticket=${ticket}` }, 201);
    })
    /**
     * Server-sent events: every message after `after` (or Last-Event-ID) as a "message" event
     * whose id is its sequence number, the stage and status as a "state" event when they change,
     * and "closed" when the conversation ends. Browsers' EventSource cannot send headers, so a
     * stream may be opened with a ticket (?ticket=, from POST …/events/ticket) instead.
     */
    .get('/:id/events', auth(undefined, { ticketInQuery: true }), async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      let after = afterParam(c.req.header('last-event-id') ?? c.req.query('after'));
      const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
      return streamSSE(c, async (stream) => {
        let shown = '';
        await deps.feed.follow(stream, conversation.id, heartbeatMs, async () => {
          for (const message of await listMessages(deps.db, conversation.id, after)) {
            await stream.writeSSE({ id: String(message.seq), event: 'message', data: JSON.stringify(message) });
            after = message.seq;
          }
          const row = await findConversation(deps.db, conversation.id);
          const current = row ? `${row.stage}/${row.status}` : '';
          if (row && current !== shown) {
            shown = current;
            await stream.writeSSE({ event: 'state', data: JSON.stringify({ stage: row.stage, status: row.status }) });
          }
          if (row?.stage !== 'closed') return false;
          await stream.writeSSE({ event: 'closed', data: JSON.stringify({ status: row.status }) });
          return true;
        });
      });
    });
}

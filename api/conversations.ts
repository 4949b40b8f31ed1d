import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';
import { findConversation, listMessages } from '../db/conversations';
import { findScript, learnExample, type ScriptVersion } from '../db/scripts';
import { searchAttributes } from '../workflows/messages';
import { MAX_MESSAGE_LENGTH, type ConversationInput, type ConversationSettings, type SendMessageResult } from '../domain/conversation';
import { agentMessageUpdate, changeScriptUpdate, claimUpdate, conversationWorkflowId, conversationWorkflowType, handbackUpdate, resolveUpdate, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { assertCanReach, mintToken, verifyBearer, type Claims } from './auth';
import { demandOf } from '../domain/collection';
import { asksForPerson, isSmallTalk } from '../domain/talk';
import { findTenant, learnsFromAgents } from '../db/tenants';
import { ApiError, parseBody } from './errors';
import { authenticate, STAFF, type AuthEnv } from './middleware';
import type { ConversationFeed } from './feed';

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
  /** How long an idle event stream waits before a keep-alive (and a re-read, in case a notification was missed). */
  streamHeartbeatMs?: number;
}

const afterSchema = z.coerce.number().int().min(0).default(0);

function afterParam(raw: string | undefined): number {
  const after = afterSchema.safeParse(raw === '' ? undefined : raw);
  if (!after.success) throw new ApiError(422, 'validation_failed', 'invalid after', { issues: [{ path: 'after', message: 'must be a sequence number ≥ 0' }] });
  return after.data;
}

const startSchema = z.object({
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
  channel: z.string().trim().min(1).max(40).default('web'),
  tenant: z.string().trim().min(1).max(63).optional(),
  /** The channel instance whose onboarding shapes the bot; the tenant's latest completed one by default. */
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, "-" or "_"').optional(),
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

const messageSchema = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(MAX_MESSAGE_LENGTH),
  messageId: z.string().trim().min(1).max(200).optional(),
});

const idSchema = z.string().uuid();

const changeScriptSchema = z.object({ scriptId: z.string().trim().min(1).max(80) });

const resolveSchema = z.object({ note: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH).optional() }).strict();


export interface ConversationGateway {
  /** Starts the conversation's workflow if needed and returns the bot's replies to `text`. */
  send(input: ConversationInput, text: string, messageId?: string): Promise<SendMessageResult>;
  /** Runs `fn` under the API's deadline for calls into Temporal. */
  deadline<T>(fn: () => Promise<T>): Promise<T>;
}

export function conversationGateway(deps: Pick<ConversationRoutesDeps, 'client' | 'taskQueue' | 'callTimeoutMs'>): ConversationGateway {
  const deadline = <T>(fn: () => Promise<T>) => deps.client.withDeadline(Date.now() + deps.callTimeoutMs, fn);

  /**
   * Every message, the first included, is one update-with-start: the workflow starts if it
   * does not exist yet, and the update returns the bot's replies. A repeated messageId is the
   * same update id, which Temporal answers with the first outcome instead of running it again.
   */
  function send(input: ConversationInput, text: string, messageId?: string): Promise<SendMessageResult> {
    return deadline(() =>
      deps.client.workflow.executeUpdateWithStart(sendMessageUpdate, {
        args: [{ text, ...(messageId ? { messageId } : {}) }],
        updateId: messageId ? `message-${messageId}` : randomUUID(),
        startWorkflowOperation: new WithStartWorkflowOperation(conversationWorkflowType, {
          workflowId: conversationWorkflowId(input.conversationId),
          taskQueue: deps.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // a closed conversation stays closed: its id is never started again
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.TenantId, value: input.tenantId },
            { key: searchAttributes.Channel, value: input.channel },
            { key: searchAttributes.ConversationStatus, value: 'active' },
            { key: searchAttributes.ConversationStage, value: 'greeting' },
          ],
        }),
      }),
    );
  }
  return { send, deadline };
}

export function conversationRoutes(deps: ConversationRoutesDeps) {
  const { send: sendMessage, deadline } = conversationGateway(deps);

  async function reachable(claims: Claims, rawId: string) {
    const id = idSchema.safeParse(rawId);
    if (!id.success) throw new ApiError(404, 'not_found', 'conversation not found');
    const conversation = await findConversation(deps.db, id.data);
    if (!conversation) throw new ApiError(404, 'not_found', 'conversation not found');
    assertCanReach(claims, conversation);
    return conversation;
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

  return new Hono<AuthEnv>()
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
      const conversationId = randomUUID();
      const result = await sendMessage(
        { conversationId, tenantId, channel: body.channel, customer: body.customer, settings, ...(body.instanceId ? { instanceId: body.instanceId } : {}) },
        body.message ?? '',
      );
      const token = await mintToken(deps.jwtSecret, {
        role: 'customer',
        tenant: tenantId,
        conversation: conversationId,
        ttlSeconds: deps.customerTokenTtlSeconds,
      });
      return c.json({ conversationId, token, replies: result.replies, state: result.state }, 201);
    })
    .post('/:id/messages', anyone, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      const body = await parseBody(c, messageSchema);
      if (conversation.stage === 'closed') throw new ApiError(409, 'conversation_closed', 'the conversation is closed');
      const { state } = conversation;
      const settings = await deps.settingsFor(state.tenantId);
      const input: ConversationInput = {
        conversationId: state.conversationId,
        tenantId: state.tenantId,
        channel: state.channel,
        customer: state.customer,
        settings: settings!,
      };
      const result = await sendMessage(input, body.text, body.messageId);
      return c.json({ replies: result.replies, state: result.state }, 200);
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
      if (conversation.stage === 'closed') return c.json({ state: conversation.state }, 200);
      const state = await deadline(() =>
        deps.client.workflow.getHandle(conversationWorkflowId(conversation.id)).query(stateQuery),
      );
      return c.json({ state }, 200);
    })
    .get('/:id/messages', anyone, async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      const messages = await listMessages(deps.db, conversation.id, afterParam(c.req.query('after')));
      return c.json({ messages }, 200);
    })
    /**
     * Server-sent events: every message after `after` (or Last-Event-ID) as a "message" event
     * whose id is its sequence number, the stage and status as a "state" event when they change,
     * and "closed" when the conversation ends. Browsers' EventSource cannot send headers, so the
     * token may come as ?token=.
     */
    .get('/:id/events', auth(undefined, { tokenInQuery: true }), async (c) => {
      const claims = c.var.claims;
      const conversation = await reachable(claims, c.req.param('id'));
      let after = afterParam(c.req.header('last-event-id') ?? c.req.query('after'));
      const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
      return streamSSE(c, async (stream) => {
        let wake: (() => void) | null = null;
        const unsubscribe = await deps.feed.subscribe(conversation.id, () => wake?.());
        stream.onAbort(() => wake?.());
        let shown = '';
        try {
          while (!stream.aborted && !stream.closed) {
            const changed = new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), heartbeatMs);
              // an idle stream's keep-alive must not hold the process open
              timer.unref();
              wake = () => {
                clearTimeout(timer);
                resolve(true);
              };
            });
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
            if (row?.stage === 'closed') {
              await stream.writeSSE({ event: 'closed', data: JSON.stringify({ status: row.status }) });
              return;
            }
            if (!(await changed) && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
          }
        } finally {
          unsubscribe();
        }
      });
    });
}

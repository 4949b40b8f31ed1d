import { logOf } from './problem';
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Analysis } from '../domain/analysis';
import { actionTypes, estimateTokens, generateSystemPrompt, suggestedResponseFor } from '../domain/persona';
import { onboardingFieldsSchema, promptConditionsSchema } from '../domain/schemas';
import {
  createPrompt,
  deletePrompt,
  deleteAssistantConversation,
  findOnboarding,
  listAssistantConversations,
  listAssistantMessages,
  listPrompts,
  recentAssistantTurns,
  recordAssistantExchange,
  saveOnboarding,
  togglePrompt,
  updatePrompt,
  type Onboarding,
  type StoredPrompt,
} from '../db/ai-store';
import { findConversation } from '../db/conversations';
import { failureTypes, type ConversationState } from '../domain/conversation';
import type { AnswerAssistantInput, AnswerAssistantResult } from '../activities';
import { analyzeUpdate, assistantAnswerWorkflowType, conversationWorkflowId, reanalysisWorkflowId, reanalysisWorkflowType } from '../workflows/messages';
import { AuthError } from './auth';
import { BodyError, readBody } from './body';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';
import { failureTypeOf, isTemporalUnavailable } from './errors';

/**
 * The /api/ai contract (seeds/ai-prompts-api-contract.md), served exactly: `{ success, data }`
 * envelopes, `{ success: false, error }` failures with the document's texts, Bearer JWT,
 * everything scoped to the token's tenant.
 */
export interface AiRoutesDeps {
  client: Client;
  db: pg.Pool;
  jwtSecret: string;
  taskQueue: string;
  callTimeoutMs: number;
}

/** A failure in the contract's shape; `fields` names what was wrong with the request. */
export class AiError extends Error {
  constructor(
    readonly status: 400 | 404 | 415 | 500 | 503,
    message: string,
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

const uuidSchema = z.string().uuid();
const instanceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, "-" or "_"');

export const analyzeSchema = z.object({ conversationId: uuidSchema, force: z.boolean().default(false) });
export const statesSchema = z.object({ conversationIds: z.array(z.string().max(100)).min(1).max(200) });

const promptFields = {
  name: z.string().trim().min(1).max(120),
  actionType: z.enum(actionTypes),
  prompt: z.string().trim().min(1).max(8_000),
  isActive: z.boolean(),
  priority: z.number().int().min(0).max(10_000),
  conditions: promptConditionsSchema,
};
export const createPromptSchema = z.object({
  ...promptFields,
  isActive: promptFields.isActive.default(true),
  priority: promptFields.priority.optional(),
  conditions: promptFields.conditions.default({}),
});
export const updatePromptSchema = z
  .object(promptFields)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'send at least one of name, actionType, prompt, isActive, priority, conditions' });

export const saveOnboardingSchema = onboardingFieldsSchema.extend({ currentStep: z.number().int().min(0).max(100).optional() });
export const generateSchema = z.object({ onboardingData: onboardingFieldsSchema.refine((data) => data.businessName !== undefined, { message: 'businessName is required', path: ['businessName'] }) });

export const chatSchema = z.object({
  message: z.string().trim().min(1).max(4_000),
  conversationId: uuidSchema.optional(),
  history: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string().min(1).max(4_000) }))
    .max(50)
    .default([]),
});

/** A body failure in the contract's words: `<error>: <the bad fields>`. */
function bodyFailure(error: BodyError, prefix: string): AiError {
  if (error.kind === 'not_json') return new AiError(400, `${prefix}: o corpo da requisição não é JSON válido`, error.issues);
  if (error.kind === 'not_json_type') return new AiError(415, `${prefix}: envie o corpo com Content-Type: application/json`, error.issues);
  return new AiError(400, `${prefix}: ${error.issues.map((field) => field.path).join(', ')}`, error.issues);
}

/** Parses a JSON body; a failure names each bad field under the contract's error text. */
async function body<T extends z.ZodType>(c: Context, schema: T, prefix = 'Dados inválidos'): Promise<z.infer<T>> {
  try {
    return await readBody(c, schema);
  } catch (error) {
    throw error instanceof BodyError ? bodyFailure(error, prefix) : error;
  }
}

/** A path parameter that must be a UUID; null otherwise, which every caller answers with its 404. */
function uuidParam(c: Context, name = 'id'): string | null {
  const parsed = uuidSchema.safeParse(c.req.param(name));
  return parsed.success ? parsed.data : null;
}

/** What the contract returns after a prompt changes. */
const promptChange = ({ id, name, isActive, updatedAt }: StoredPrompt) => ({ id, name, isActive, updatedAt });

function stateOf(conversationId: string, state: ConversationState) {
  const analysis = state.analysis!;
  return {
    conversationId,
    sentiment: analysis.sentiment,
    urgency: analysis.urgency,
    intent: analysis.intent,
    topics: analysis.topics,
    lastAnalyzedAt: analysis.analyzedAt,
    messageCount: state.messageCount,
    // the bot answers this conversation; it pauses while a person has it
    aiEnabled: true,
    isPaused: state.stage === 'escalated' || state.stage === 'with_agent',
    summary: analysis.summary,
    suggestedResponse: suggestedResponseFor(analysis, state.persona?.tone),
    actionsPerformed: (state.actions ?? []).map(({ action, tag, promptId, name, actionType, timestamp }) => ({
      action,
      ...(tag ? { tag } : {}),
      ...(promptId ? { promptId } : {}),
      ...(name ? { name } : {}),
      ...(actionType ? { actionType } : {}),
      timestamp,
    })),
    frustration: analysis.frustration,
    suggestedActions: analysis.suggestedActions,
    engine: analysis.engine,
    stage: state.stage,
    status: state.status,
  };
}

function onboardingView(onboarding: Onboarding) {
  return {
    instanceId: onboarding.instanceId,
    businessName: onboarding.businessName ?? null,
    businessType: onboarding.businessType ?? null,
    businessDescription: onboarding.businessDescription ?? null,
    targetAudience: onboarding.targetAudience ?? null,
    tone: onboarding.tone ?? null,
    mainProducts: onboarding.mainProducts ?? [],
    faq: onboarding.faq ?? [],
    workingHours: onboarding.workingHours ?? null,
    generatedPrompt: onboarding.generatedPrompt,
    isComplete: onboarding.isComplete,
    completedAt: onboarding.completedAt,
    currentStep: onboarding.currentStep,
    updatedAt: onboarding.updatedAt,
  };
}

export function aiRoutes(deps: AiRoutesDeps) {
  const deadline = <T>(fn: () => Promise<T>) => deps.client.withDeadline(Date.now() + deps.callTimeoutMs, fn);
  const auth = authenticate(deps.jwtSecret);
  const staffOnly = auth(STAFF);
  const adminOnly = auth(ADMINS);

  /** Any failure in the contract's shape: `{ success: false, error }` with the document's texts. */
  function contractError(error: unknown, c: Context): Response {
    if (error instanceof BodyError) return contractError(bodyFailure(error, 'Dados inválidos'), c);
    if (error instanceof AiError) {
      return c.json({ success: false, error: error.message, ...(error.fields ? { fields: error.fields } : {}) }, error.status);
    }
    if (error instanceof AuthError) {
      return c.json({ success: false, error: error.status === 401 ? 'Não autenticado' : 'Acesso negado', message: error.message }, error.status);
    }
    if (isTemporalUnavailable(error)) {
      c.header('Retry-After', '5');
      return c.json({ success: false, error: 'Serviço de conversas indisponível; tente novamente em instantes' }, 503);
    }
    logOf(c).error({ err: error }, 'AI contract request failed');
    return c.json({ success: false, error: c.req.path.endsWith('/assistant/chat') ? 'Erro no chat do assistente' : 'Erro interno' }, 500);
  }

  async function analyzeNow(conversationId: string, state: ConversationState, by: string): Promise<Analysis> {
    if (state.stage !== 'closed') {
      try {
        return await deadline(() => deps.client.workflow.getHandle(conversationWorkflowId(conversationId)).executeUpdate(analyzeUpdate, { args: [{ by }] }));
      } catch (error) {
        // it closed since we read it: analyze the stored transcript instead
        if (failureTypeOf(error) !== failureTypes.conversationClosed) throw error;
      }
    }
    const analysis = await deadline(() =>
      deps.client.workflow.execute<(input: { conversationId: string }) => Promise<Analysis | null>>(reanalysisWorkflowType, {
        workflowId: reanalysisWorkflowId(conversationId),
        taskQueue: deps.taskQueue,
        args: [{ conversationId }],
        // two agents forcing at once share one run
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
    if (!analysis) throw new AiError(404, 'Conversa não encontrada');
    return analysis;
  }

  const app = new Hono<AuthEnv>()
      // --- analysis ---------------------------------------------------------------------------
      .post(
        '/analyze',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const { conversationId, force } = await body(c, analyzeSchema, 'Erro na análise');
          const conversation = await findConversation(deps.db, conversationId);
          if (!conversation || conversation.tenantId !== claims.tenant) throw new AiError(404, 'Conversa não encontrada');
          let analysis = conversation.state.analysis;
          if (force || !analysis) {
            try {
              analysis = await analyzeNow(conversationId, conversation.state, `${claims.role}:${claims.sub}`);
            } catch (error) {
              if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowFailedError) throw new AiError(400, 'Erro na análise');
              throw error;
            }
          }
          return c.json({ success: true, data: { analysis }, analysis: { sentiment: analysis.sentiment, urgency: analysis.urgency } }, 200);
        },
      )
      .get(
        '/conversations/:id/state',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          const conversation = id ? await findConversation(deps.db, id) : undefined;
          if (!conversation || conversation.tenantId !== claims.tenant || !conversation.state.analysis) throw new AiError(404, 'Estado não encontrado');
          return c.json({ success: true, data: stateOf(conversation.id, conversation.state) }, 200);
        },
      )
      .post(
        '/conversations/states',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const { conversationIds } = await body(c, statesSchema);
          const valid = conversationIds.filter((id) => uuidSchema.safeParse(id).success);
          const rows = valid.length
            ? (
                await deps.db.query<{ id: string; analysis: Analysis | null }>(
                  'SELECT id, analysis FROM conversations WHERE tenant_id = $1 AND id = ANY($2::uuid[])',
                  [claims.tenant, valid],
                )
              ).rows
            : [];
          const data: Record<string, { sentiment: string; urgency: string; lastAnalyzedAt: string } | null> = {};
          for (const id of conversationIds) {
            const analysis = rows.find((row) => row.id === id.toLowerCase())?.analysis;
            data[id] = analysis ? { sentiment: analysis.sentiment, urgency: analysis.urgency, lastAnalyzedAt: analysis.analyzedAt } : null;
          }
          return c.json({ success: true, data }, 200);
        },
      )

      // --- action prompts ------------------------------------------------------------------------
      .get(
        '/prompts',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const prompts = await listPrompts(deps.db, claims.tenant);
          return c.json({ success: true, data: prompts.map(({ updatedAt: _updated, ...prompt }) => prompt) }, 200);
        },
      )
      .post(
        '/prompts',
        adminOnly, async (c) => {
          const claims = c.var.claims;
          const input = await body(c, createPromptSchema);
          const { id, name, actionType, isActive, createdAt } = await createPrompt(deps.db, claims.tenant, input);
          return c.json({ success: true, data: { id, name, actionType, isActive, createdAt } }, 201);
        },
      )
      .put(
        '/prompts/:id',
        adminOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          const patch = await body(c, updatePromptSchema);
          const updated = id ? await updatePrompt(deps.db, claims.tenant, id, patch) : undefined;
          if (!updated) throw new AiError(404, 'Prompt não encontrado');
          return c.json({ success: true, data: promptChange(updated) }, 200);
        },
      )
      .delete(
        '/prompts/:id',
        adminOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          if (!id || !(await deletePrompt(deps.db, claims.tenant, id))) throw new AiError(404, 'Prompt não encontrado');
          return c.json({ success: true, message: 'Prompt removido' }, 200);
        },
      )
      .post(
        '/prompts/:id/toggle',
        adminOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          const toggled = id ? await togglePrompt(deps.db, claims.tenant, id) : undefined;
          if (!toggled) throw new AiError(404, 'Prompt não encontrado');
          return c.json({ success: true, data: promptChange(toggled) }, 200);
        },
      )

      // --- onboarding (generate first: it would otherwise be read as an instance id) -----------
      .post(
        '/onboarding/generate',
        adminOnly, async (c) => {
          const { onboardingData } = await body(c, generateSchema, 'Dados de onboarding obrigatórios');
          const generatedPrompt = generateSystemPrompt(onboardingData);
          return c.json({ success: true, data: { generatedPrompt, promptLength: generatedPrompt.length, estimatedTokens: estimateTokens(generatedPrompt) } }, 200);
        },
      )
      .get(
        '/onboarding/:instanceId',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const instanceId = instanceIdSchema.safeParse(c.req.param('instanceId'));
          const onboarding = instanceId.success ? await findOnboarding(deps.db, claims.tenant, instanceId.data) : undefined;
          if (!onboarding) throw new AiError(404, 'Onboarding não encontrado');
          return c.json({ success: true, data: onboardingView(onboarding) }, 200);
        },
      )
      .post(
        '/onboarding/:instanceId',
        adminOnly, async (c) => {
          const claims = c.var.claims;
          const instanceId = instanceIdSchema.safeParse(c.req.param('instanceId'));
          if (!instanceId.success) throw new AiError(400, 'Dados inválidos: instanceId', [{ path: 'instanceId', message: instanceId.error.issues[0]!.message }]);
          const { currentStep, ...fields } = await body(c, saveOnboardingSchema);
          const saved = await saveOnboarding(deps.db, claims.tenant, instanceId.data, fields, currentStep);
          return c.json(
            {
              success: true,
              data: { instanceId: saved.instanceId, currentStep: saved.currentStep, updatedAt: saved.updatedAt, isComplete: saved.isComplete },
            },
            200,
          );
        },
      )

      // --- the agents' internal assistant ---------------------------------------------------------
      .post(
        '/assistant/chat',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const { message, conversationId, history } = await body(c, chatSchema);
          let context = history;
          if (conversationId) {
            if (!(await listAssistantMessages(deps.db, claims.tenant, claims.sub, conversationId))) throw new AiError(404, 'Conversa não encontrada');
            context = (await recentAssistantTurns(deps.db, conversationId)).map(({ role, content }) => ({ role, content }));
          }
          const askedAt = new Date();
          const reply = await deadline(() =>
            deps.client.workflow.execute<(input: AnswerAssistantInput) => Promise<AnswerAssistantResult>>(assistantAnswerWorkflowType, {
              workflowId: `assistant-${randomUUID()}`,
              taskQueue: deps.taskQueue,
              args: [{ question: message, history: context }],
            }),
          );
          const stored = await recordAssistantExchange(deps.db, {
            tenantId: claims.tenant,
            owner: claims.sub,
            conversationId,
            title: reply.articleTitle ?? (message.length > 60 ? `${message.slice(0, 57)}…` : message),
            question: message,
            answer: reply.answer,
            askedAt,
            answeredAt: new Date(),
          });
          if (!stored) throw new AiError(404, 'Conversa não encontrada');
          return c.json({ success: true, data: { response: reply.answer, conversationId: stored.conversationId, messageId: stored.messageId } }, 200);
        },
      )
      .get(
        '/assistant/conversations',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          return c.json({ success: true, data: await listAssistantConversations(deps.db, claims.tenant, claims.sub) }, 200);
        },
      )
      .get(
        '/assistant/conversations/:id/messages',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          const messages = id ? await listAssistantMessages(deps.db, claims.tenant, claims.sub, id) : undefined;
          if (!messages) throw new AiError(404, 'Conversa não encontrada');
          return c.json({ success: true, data: messages }, 200);
        },
      )
      .delete(
        '/assistant/conversations/:id',
        staffOnly, async (c) => {
          const claims = c.var.claims;
          const id = uuidParam(c);
          if (!id || !(await deleteAssistantConversation(deps.db, claims.tenant, claims.sub, id))) throw new AiError(404, 'Conversa não encontrada');
          return c.json({ success: true }, 200);
        },
      );
  app.onError(contractError);
  return app;
}

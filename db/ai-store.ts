import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  generateSystemPrompt,
  isOnboardingComplete,
  type ActionPrompt,
  type ActionType,
  type OnboardingFields,
  type PromptConditions,
} from '../domain/persona';
import { inTransaction } from './pool';

// --- action prompts ---------------------------------------------------------------------------

export interface StoredPrompt extends ActionPrompt {
  createdAt: string;
  updatedAt: string;
}

interface PromptRow {
  id: string;
  name: string;
  action_type: ActionType;
  prompt: string;
  is_active: boolean;
  priority: number;
  conditions: PromptConditions;
  created_at: Date;
  updated_at: Date;
}

const PROMPT_COLUMNS = 'id, name, action_type, prompt, is_active, priority, conditions, created_at, updated_at';

function toPrompt(row: PromptRow): StoredPrompt {
  return {
    id: row.id,
    name: row.name,
    actionType: row.action_type,
    prompt: row.prompt,
    isActive: row.is_active,
    priority: row.priority,
    conditions: row.conditions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Prompts in the order the bot applies them: priority, then age. */
export async function listPrompts(pool: pg.Pool, tenantId: string, { activeOnly = false } = {}): Promise<StoredPrompt[]> {
  const result = await pool.query<PromptRow>(
    `SELECT ${PROMPT_COLUMNS} FROM action_prompts WHERE tenant_id = $1 ${activeOnly ? 'AND is_active' : ''} ORDER BY priority, created_at, id`,
    [tenantId],
  );
  return result.rows.map(toPrompt);
}

export interface PromptInput {
  name: string;
  actionType: ActionType;
  prompt: string;
  isActive: boolean;
  /** Omitted: after every existing prompt. */
  priority?: number;
  conditions: PromptConditions;
}

export async function createPrompt(pool: pg.Pool, tenantId: string, input: PromptInput): Promise<StoredPrompt> {
  const result = await pool.query<PromptRow>(
    `INSERT INTO action_prompts (id, tenant_id, name, action_type, prompt, is_active, priority, conditions)
     VALUES ($1, $2, $3, $4, $5, $6,
             COALESCE($7, (SELECT COALESCE(MAX(priority), 0) + 1 FROM action_prompts WHERE tenant_id = $2)), $8)
     RETURNING ${PROMPT_COLUMNS}`,
    [randomUUID(), tenantId, input.name, input.actionType, input.prompt, input.isActive, input.priority ?? null, input.conditions],
  );
  return toPrompt(result.rows[0]!);
}

export type PromptPatch = Partial<Omit<PromptInput, 'priority'> & { priority: number }>;

export async function updatePrompt(pool: pg.Pool, tenantId: string, id: string, patch: PromptPatch): Promise<StoredPrompt | undefined> {
  const result = await pool.query<PromptRow>(
    `UPDATE action_prompts SET
       name = COALESCE($3, name), action_type = COALESCE($4, action_type), prompt = COALESCE($5, prompt),
       is_active = COALESCE($6, is_active), priority = COALESCE($7, priority), conditions = COALESCE($8, conditions),
       updated_at = now()
     WHERE tenant_id = $1 AND id = $2
     RETURNING ${PROMPT_COLUMNS}`,
    [tenantId, id, patch.name ?? null, patch.actionType ?? null, patch.prompt ?? null, patch.isActive ?? null, patch.priority ?? null, patch.conditions ?? null],
  );
  return result.rows[0] ? toPrompt(result.rows[0]) : undefined;
}

export async function togglePrompt(pool: pg.Pool, tenantId: string, id: string): Promise<StoredPrompt | undefined> {
  const result = await pool.query<PromptRow>(
    `UPDATE action_prompts SET is_active = NOT is_active, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${PROMPT_COLUMNS}`,
    [tenantId, id],
  );
  return result.rows[0] ? toPrompt(result.rows[0]) : undefined;
}

export async function deletePrompt(pool: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const result = await pool.query('DELETE FROM action_prompts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return (result.rowCount ?? 0) > 0;
}

// --- onboarding -------------------------------------------------------------------------------

export interface Onboarding extends OnboardingFields {
  instanceId: string;
  currentStep: number;
  generatedPrompt: string | null;
  isComplete: boolean;
  completedAt: string | null;
  updatedAt: string;
}

interface OnboardingRow {
  instance_id: string;
  fields: OnboardingFields;
  current_step: number;
  generated_prompt: string | null;
  completed_at: Date | null;
  updated_at: Date;
}

function toOnboarding(row: OnboardingRow): Onboarding {
  return {
    instanceId: row.instance_id,
    ...row.fields,
    currentStep: row.current_step,
    generatedPrompt: row.generated_prompt,
    isComplete: row.completed_at !== null,
    completedAt: row.completed_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findOnboarding(pool: pg.Pool, tenantId: string, instanceId: string): Promise<Onboarding | undefined> {
  const result = await pool.query<OnboardingRow>('SELECT * FROM onboardings WHERE tenant_id = $1 AND instance_id = $2', [tenantId, instanceId]);
  return result.rows[0] ? toOnboarding(result.rows[0]) : undefined;
}

/** The onboarding a conversation without an instance uses: the tenant's most recently completed one. */
export async function latestCompleteOnboarding(pool: pg.Pool, tenantId: string): Promise<Onboarding | undefined> {
  const result = await pool.query<OnboardingRow>(
    'SELECT * FROM onboardings WHERE tenant_id = $1 AND completed_at IS NOT NULL ORDER BY updated_at DESC LIMIT 1',
    [tenantId],
  );
  return result.rows[0] ? toOnboarding(result.rows[0]) : undefined;
}

/**
 * Saves a step of the onboarding: the given fields replace the stored ones, the rest stay.
 * Once the required fields are in, the system prompt is generated (again on every save) and
 * the onboarding counts as complete from that first moment on.
 */
export async function saveOnboarding(
  pool: pg.Pool,
  tenantId: string,
  instanceId: string,
  patch: OnboardingFields,
  currentStep: number | undefined,
): Promise<Onboarding> {
  return inTransaction(pool, async (client) => {
    const existing = await client.query<OnboardingRow>('SELECT * FROM onboardings WHERE tenant_id = $1 AND instance_id = $2 FOR UPDATE', [
      tenantId,
      instanceId,
    ]);
    const fields: OnboardingFields = { ...(existing.rows[0]?.fields ?? {}), ...patch };
    const complete = isOnboardingComplete(fields);
    const result = await client.query<OnboardingRow>(
      `INSERT INTO onboardings (tenant_id, instance_id, fields, current_step, generated_prompt, completed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END, now())
       ON CONFLICT (tenant_id, instance_id) DO UPDATE SET
         fields = EXCLUDED.fields, current_step = COALESCE($7, onboardings.current_step),
         generated_prompt = EXCLUDED.generated_prompt,
         completed_at = COALESCE(onboardings.completed_at, EXCLUDED.completed_at), updated_at = now()
       RETURNING *`,
      [tenantId, instanceId, fields, currentStep ?? 0, complete ? generateSystemPrompt(fields) : null, complete, currentStep ?? null],
    );
    return toOnboarding(result.rows[0]!);
  });
}

// --- the internal assistant's history ---------------------------------------------------------

export interface AssistantConversation {
  id: string;
  title: string;
  lastMessageAt: string;
  messageCount: number;
}

export interface AssistantMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
}

export async function listAssistantConversations(pool: pg.Pool, tenantId: string, owner: string): Promise<AssistantConversation[]> {
  const result = await pool.query<{ id: string; title: string; last_message_at: Date; message_count: string }>(
    `SELECT c.id, c.title, c.last_message_at, (SELECT count(*) FROM assistant_messages m WHERE m.conversation_id = c.id) AS message_count
       FROM assistant_conversations c WHERE c.tenant_id = $1 AND c.owner = $2 ORDER BY c.last_message_at DESC LIMIT 200`,
    [tenantId, owner],
  );
  return result.rows.map((row) => ({ id: row.id, title: row.title, lastMessageAt: row.last_message_at.toISOString(), messageCount: Number(row.message_count) }));
}

/** The conversation's messages, or undefined when it is not this agent's. */
export async function listAssistantMessages(pool: pg.Pool, tenantId: string, owner: string, id: string): Promise<AssistantMessage[] | undefined> {
  const owned = await pool.query('SELECT 1 FROM assistant_conversations WHERE id = $1 AND tenant_id = $2 AND owner = $3', [id, tenantId, owner]);
  if (!owned.rowCount) return undefined;
  const result = await pool.query<{ id: string; role: 'user' | 'assistant'; content: string; created_at: Date }>(
    'SELECT id, role, content, created_at FROM assistant_messages WHERE conversation_id = $1 ORDER BY created_at, role DESC',
    [id],
  );
  return result.rows.map((row) => ({ id: row.id, role: row.role, content: row.content, createdAt: row.created_at.toISOString() }));
}

export async function deleteAssistantConversation(pool: pg.Pool, tenantId: string, owner: string, id: string): Promise<boolean> {
  const result = await pool.query('DELETE FROM assistant_conversations WHERE id = $1 AND tenant_id = $2 AND owner = $3', [id, tenantId, owner]);
  return (result.rowCount ?? 0) > 0;
}

export interface AssistantExchange {
  tenantId: string;
  owner: string;
  /** Continue this conversation; omitted, a new one is created with `title`. */
  conversationId?: string;
  title: string;
  question: string;
  answer: string;
  askedAt: Date;
  answeredAt: Date;
}

/** Stores one question and its answer together; undefined when `conversationId` is not the agent's. */
export async function recordAssistantExchange(pool: pg.Pool, exchange: AssistantExchange): Promise<{ conversationId: string; messageId: string } | undefined> {
  return inTransaction(pool, async (client) => {
    let conversationId = exchange.conversationId;
    if (conversationId) {
      const updated = await client.query('UPDATE assistant_conversations SET last_message_at = $4 WHERE id = $1 AND tenant_id = $2 AND owner = $3', [
        conversationId,
        exchange.tenantId,
        exchange.owner,
        exchange.answeredAt,
      ]);
      if (!updated.rowCount) return undefined;
    } else {
      conversationId = randomUUID();
      await client.query(
        'INSERT INTO assistant_conversations (id, tenant_id, owner, title, created_at, last_message_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [conversationId, exchange.tenantId, exchange.owner, exchange.title, exchange.askedAt, exchange.answeredAt],
      );
    }
    const messageId = randomUUID();
    await client.query('INSERT INTO assistant_messages (id, conversation_id, role, content, created_at) VALUES ($1, $2, $3, $4, $5), ($6, $2, $7, $8, $9)', [
      randomUUID(),
      conversationId,
      'user',
      exchange.question,
      exchange.askedAt,
      messageId,
      'assistant',
      exchange.answer,
      exchange.answeredAt,
    ]);
    return { conversationId, messageId };
  });
}

/** Recent turns of an assistant conversation, oldest first, as context for the next answer. */
export async function recentAssistantTurns(pool: pg.Pool, conversationId: string, limit = 10): Promise<AssistantMessage[]> {
  const result = await pool.query<{ id: string; role: 'user' | 'assistant'; content: string; created_at: Date }>(
    'SELECT id, role, content, created_at FROM assistant_messages WHERE conversation_id = $1 ORDER BY created_at DESC, role LIMIT $2',
    [conversationId, limit],
  );
  return result.rows.reverse().map((row) => ({ id: row.id, role: row.role, content: row.content, createdAt: row.created_at.toISOString() }));
}

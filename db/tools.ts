import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ToolDefinition } from '../domain/schemas';
import { EVENTS_CHANNEL } from './conversations';

/** Agent tools, their calls and the leads they capture (migration 1764900000000_agents.sql). */
export type Tool = ToolDefinition & {
  id: string;
  tenantId: string;
  agentId: string;
  name: string;
  description: string | null;
  /** The names of its secrets: never their values. */
  secrets: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
};

function toolOf(row: Record<string, any>): Tool {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    name: row.name,
    description: row.description,
    type: row.type,
    config: row.config,
    secrets: Object.keys(row.secrets ?? {}).sort(),
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  } as Tool;
}

export interface ToolRow {
  name: string;
  description: string | null;
  definition: ToolDefinition;
  /** Sealed values by name (lib/secrets.ts); undefined keeps the stored ones. */
  sealedSecrets?: Record<string, string>;
  active: boolean;
}

export async function listTools(db: pg.Pool, tenantId: string, agentId: string): Promise<Tool[]> {
  const { rows } = await db.query('SELECT * FROM agent_tools WHERE tenant_id = $1 AND agent_id = $2 ORDER BY created_at, id', [tenantId, agentId]);
  return rows.map(toolOf);
}

export async function findTool(db: pg.Pool, tenantId: string, id: string): Promise<Tool | undefined> {
  const { rows } = await db.query('SELECT * FROM agent_tools WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0] && toolOf(rows[0]);
}

/** The tool with its sealed secrets, for the activity that runs it. */
export async function toolForCall(db: pg.Pool, tenantId: string, id: string): Promise<{ tool: Tool; sealedSecrets: Record<string, string> } | undefined> {
  const { rows } = await db.query('SELECT * FROM agent_tools WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0] && { tool: toolOf(rows[0]), sealedSecrets: rows[0].secrets ?? {} };
}

export async function createTool(db: pg.Pool, tenantId: string, agentId: string, row: ToolRow): Promise<Tool> {
  const { rows } = await db.query(
    `INSERT INTO agent_tools (id, tenant_id, agent_id, name, type, description, config, secrets, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [randomUUID(), tenantId, agentId, row.name, row.definition.type, row.description, row.definition.config, row.sealedSecrets ?? {}, row.active],
  );
  return toolOf(rows[0]);
}

export async function replaceTool(db: pg.Pool, tenantId: string, id: string, row: ToolRow): Promise<Tool | undefined> {
  const { rows } = await db.query(
    `UPDATE agent_tools SET name = $3, type = $4, description = $5, config = $6, secrets = coalesce($7, secrets), active = $8, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, id, row.name, row.definition.type, row.description, row.definition.config, row.sealedSecrets ?? null, row.active],
  );
  return rows[0] && toolOf(rows[0]);
}

export async function deleteTool(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM agent_tools WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return (rowCount ?? 0) > 0;
}

export interface ToolCall {
  id: string;
  toolId: string;
  conversationId: string | null;
  type: string;
  status: 'succeeded' | 'failed';
  input: unknown;
  output: unknown;
  error: string | null;
  durationMs: number;
  createdAt: string;
}

/** Records a call once (its id is the workflow's): a retried activity does not log it twice. */
export async function recordToolCall(db: pg.Pool, tenantId: string, call: Omit<ToolCall, 'createdAt'>): Promise<void> {
  await db.query(
    `INSERT INTO tool_calls (id, tenant_id, tool_id, conversation_id, type, status, input, output, error, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error, duration_ms = EXCLUDED.duration_ms`,
    [call.id, tenantId, call.toolId, call.conversationId, call.type, call.status, JSON.stringify(call.input), call.output === undefined ? null : JSON.stringify(call.output), call.error, call.durationMs],
  );
}

export async function listToolCalls(db: pg.Pool, tenantId: string, toolId: string, limit = 100): Promise<ToolCall[]> {
  const { rows } = await db.query('SELECT * FROM tool_calls WHERE tenant_id = $1 AND tool_id = $2 ORDER BY created_at DESC LIMIT $3', [tenantId, toolId, limit]);
  return rows.map((row) => ({
    id: row.id,
    toolId: row.tool_id,
    conversationId: row.conversation_id,
    type: row.type,
    status: row.status,
    input: row.input,
    output: row.output,
    error: row.error,
    durationMs: row.duration_ms,
    createdAt: row.created_at.toISOString(),
  }));
}

export interface Lead {
  id: string;
  conversationId: string | null;
  toolId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  fields: Record<string, string>;
  createdAt: string;
}

/**
 * Stores a lead and its `lead.captured` event in one statement (the event is delivered like any
 * other); once per conversation and tool.
 */
export async function captureLead(db: pg.Pool, tenantId: string, lead: Omit<Lead, 'id' | 'createdAt'>): Promise<Lead> {
  const { rows } = await db.query(
    `WITH stored AS (
       INSERT INTO leads (id, tenant_id, conversation_id, tool_id, name, email, phone, fields)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (conversation_id, tool_id) DO NOTHING
       RETURNING *
     ), announced AS (
       INSERT INTO events (id, tenant_id, conversation_id, conversation_seq, type, data, created_at)
       SELECT 'lead.captured:' || s.id, s.tenant_id, s.conversation_id, NULL, 'lead.captured',
              jsonb_build_object('leadId', s.id, 'toolId', s.tool_id, 'name', s.name, 'email', s.email, 'phone', s.phone, 'fields', s.fields), now()
         FROM stored s
       RETURNING tenant_id
     )
     SELECT s.*, (SELECT pg_notify('${EVENTS_CHANNEL}', tenant_id) FROM announced LIMIT 1) AS notified FROM stored s
     UNION ALL
     SELECT l.*, NULL FROM leads l WHERE l.conversation_id = $3 AND l.tool_id = $4 AND NOT EXISTS (SELECT 1 FROM stored)`,
    [randomUUID(), tenantId, lead.conversationId, lead.toolId, lead.name, lead.email, lead.phone, lead.fields],
  );
  return leadOf(rows[0]);
}

function leadOf(row: Record<string, any>): Lead {
  return { id: row.id, conversationId: row.conversation_id, toolId: row.tool_id, name: row.name, email: row.email, phone: row.phone, fields: row.fields, createdAt: row.created_at.toISOString() };
}

export async function listLeads(db: pg.Pool, tenantId: string, limit = 200): Promise<Lead[]> {
  const { rows } = await db.query('SELECT * FROM leads WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT $2', [tenantId, limit]);
  return rows.map(leadOf);
}

/**
 * Sends the conversation's data to a registered endpoint, signed and durable like every event:
 * a `tool.webhook` event the dispatcher delivers to that endpoint only. Once per call id.
 */
export async function announceToolWebhook(db: pg.Pool, tenantId: string, callId: string, conversationId: string | null, data: Record<string, unknown>): Promise<boolean> {
  const { rows } = await db.query(
    `WITH added AS (
       INSERT INTO events (id, tenant_id, conversation_id, conversation_seq, type, data, created_at)
       VALUES ($1, $2, $3, NULL, 'tool.webhook', $4, now())
       ON CONFLICT (id) DO NOTHING RETURNING tenant_id
     )
     SELECT (SELECT pg_notify('${EVENTS_CHANNEL}', tenant_id) FROM added) IS NOT NULL AS added`,
    [`tool.webhook:${callId}`, tenantId, conversationId, data],
  );
  return rows[0]?.added ?? false;
}

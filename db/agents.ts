import type pg from 'pg';
import { agentConfigSchema, defaultAgentConfig, type AgentConfig } from '../domain/schemas';

/** Agents: a bot profile each (migration 1764900000000_agents.sql). `default` always exists: stored, or made from the tenant. */
export interface Agent extends AgentConfig {
  id: string;
  tenantId: string;
  createdAt: string | null;
  updatedAt: string | null;
}

export const DEFAULT_AGENT = 'default';

function agentOf(row: Record<string, any>): Agent {
  // a stored profile that no longer parses keeps what it can; the defaults fill the rest
  const parsed = agentConfigSchema.partial().safeParse(row.config);
  return {
    ...defaultAgentConfig(row.name),
    ...(parsed.success ? parsed.data : {}),
    name: row.name,
    id: row.id,
    tenantId: row.tenant_id,
    createdAt: row.created_at?.toISOString() ?? null,
    updatedAt: row.updated_at?.toISOString() ?? null,
  };
}

/** The default agent as the tenant has it before anyone edits it. */
export function builtInDefault(tenantId: string, name: string): Agent {
  return { ...defaultAgentConfig(name), id: DEFAULT_AGENT, tenantId, createdAt: null, updatedAt: null };
}

export async function listAgents(db: pg.Pool, tenantId: string): Promise<Agent[]> {
  const { rows } = await db.query('SELECT * FROM agents WHERE tenant_id = $1 ORDER BY id = $2 DESC, created_at, id', [tenantId, DEFAULT_AGENT]);
  return rows.map(agentOf);
}

export async function findAgent(db: pg.Pool, tenantId: string, id: string): Promise<Agent | undefined> {
  const { rows } = await db.query('SELECT * FROM agents WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0] && agentOf(rows[0]);
}

/** Creates the agent, or replaces its profile (`default` is created on its first edit). False when `onlyNew` and it exists. */
export async function saveAgent(db: pg.Pool, tenantId: string, id: string, config: AgentConfig, onlyNew = false): Promise<Agent | undefined> {
  const { name, ...rest } = config;
  const { rows } = await db.query(
    `INSERT INTO agents (tenant_id, id, name, config) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, id) DO ${onlyNew ? 'NOTHING' : 'UPDATE SET name = EXCLUDED.name, config = EXCLUDED.config, updated_at = now()'}
     RETURNING *`,
    [tenantId, id, name, rest],
  );
  return rows[0] && agentOf(rows[0]);
}

/** Removes the agent and its tools, in one statement. */
export async function deleteAgent(db: pg.Pool, tenantId: string, id: string): Promise<boolean> {
  const { rows } = await db.query<{ gone: number }>(
    `WITH gone AS (DELETE FROM agents WHERE tenant_id = $1 AND id = $2 RETURNING id),
          tools AS (DELETE FROM agent_tools WHERE tenant_id = $1 AND agent_id IN (SELECT id FROM gone))
     SELECT count(*)::int AS gone FROM gone`,
    [tenantId, id],
  );
  return (rows[0]?.gone ?? 0) > 0;
}

/**
 * What choosing a new conversation's agent needs, in one query: the tenant's name and default
 * agent, and the stored agents among the one asked for, that default and `default`.
 */
export async function agentCandidates(db: pg.Pool, tenantId: string, requested: string | undefined): Promise<{ tenantName: string; defaultAgent: string | undefined; agents: Agent[] } | undefined> {
  const { rows } = await db.query(
    `SELECT coalesce(t.settings -> 'business' ->> 'name', t.name) AS business_name, t.settings ->> 'defaultAgent' AS default_agent, a.*
       FROM tenants t LEFT JOIN agents a ON a.tenant_id = t.id AND a.id IN ($2, t.settings ->> 'defaultAgent', $3)
      WHERE t.id = $1`,
    [tenantId, requested ?? null, DEFAULT_AGENT],
  );
  if (!rows[0]) return undefined;
  return { tenantName: rows[0].business_name, defaultAgent: rows[0].default_agent ?? undefined, agents: rows.filter((row) => row.id).map(agentOf) };
}

import { Hono } from 'hono';
import type pg from 'pg';
import { agentCandidates, builtInDefault, DEFAULT_AGENT, deleteAgent, findAgent, listAgents, saveAgent, type Agent } from '../db/agents';
import { findModel } from '../db/models';
import { findTenant } from '../db/tenants';
import { agentChangeSchema, agentConfigSchema, agentCreateSchema, agentIdSchema, type AgentConfig } from '../domain/schemas';
import type { ConversationSettings } from '../domain/conversation';
import { ApiError, lookupOr404, parseBody, validValue } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';

export interface AgentRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

/** An id from a name: "Atendimento Sinistros" → "atendimento-sinistros". */
function slug(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'agente'
  );
}

/** The agent, or the built-in default; undefined for an unknown id. */
export async function agentOrDefault(db: pg.Pool, tenantId: string, id: string): Promise<Agent | undefined> {
  const stored = await findAgent(db, tenantId, id);
  if (stored || id !== DEFAULT_AGENT) return stored;
  const tenant = await findTenant(db, tenantId);
  return builtInDefault(tenantId, tenant?.settings.business?.name ?? tenant?.name ?? 'Atendimento');
}

/**
 * The agent a new conversation gets: the one asked for, else the tenant's default agent (its
 * settings), else `default`. Undefined when the one asked for does not exist.
 */
export async function conversationAgent(db: pg.Pool, tenantId: string, requested?: string): Promise<Agent | undefined> {
  // one query on the start path: the tenant and the candidates together
  const found = await agentCandidates(db, tenantId, requested);
  if (!found) return undefined;
  const stored = (id: string | undefined) => found.agents.find((agent) => agent.id === id);
  if (requested && requested !== DEFAULT_AGENT) return stored(requested);
  return (!requested && stored(found.defaultAgent)) || stored(DEFAULT_AGENT) || builtInDefault(tenantId, found.tenantName);
}

/** What an agent changes in a conversation's input: its id, its persona and its escalation overrides. */
export function withAgent<T extends { settings: ConversationSettings; instanceId?: string }>(input: T, agent: Agent): T & { agentId: string } {
  const instanceId = agent.instanceId ?? input.instanceId;
  return {
    ...input,
    agentId: agent.id,
    ...(instanceId ? { instanceId } : {}),
    settings: agent.escalation ? { ...input.settings, escalation: { ...input.settings.escalation, ...agent.escalation } } : input.settings,
  };
}

/**
 * /api/v2/agents: the tenant's bot profiles — name, persona (an onboarding instance), model,
 * scripts, knowledge collections, language and escalation overrides. `default` always exists
 * (the tenant's default agent until an admin edits it) and cannot be deleted. A conversation
 * started for an agent (v1 `agentId`, the v2 chat's `agent_id`) keeps its profile.
 */
export function agentRoutes(deps: AgentRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  const owned = lookupOr404<Agent>('agent', (tenantId, id) => agentOrDefault(deps.db, tenantId, id), agentIdSchema);

  /** The whole profile validated, and its model one of the tenant's chat models. */
  async function checked(tenantId: string, config: unknown): Promise<AgentConfig> {
    const valid = validValue(agentConfigSchema, config);
    if (valid.model) {
      const model = await findModel(deps.db, tenantId, valid.model);
      if (!model || model.purpose !== 'chat') throw new ApiError(422, 'validation_failed', 'model: not a chat model of this tenant', { issues: [{ path: 'model', message: 'must be the id of one of your chat models (/api/v2/models)' }] });
    }
    return valid;
  }

  const profile = ({ tenantId: _tenant, ...agent }: Agent) => agent;

  return new Hono<AuthEnv>()
    .get('/', auth(STAFF), async (c) => {
      const { tenant } = c.var.claims;
      const stored = await listAgents(deps.db, tenant);
      const all = stored.some((agent) => agent.id === DEFAULT_AGENT) ? stored : [(await agentOrDefault(deps.db, tenant, DEFAULT_AGENT))!, ...stored];
      return c.json({ agents: all.map(profile) }, 200);
    })
    .post('/', auth(ADMINS), async (c) => {
      const { tenant } = c.var.claims;
      const { id: requested, ...body } = await parseBody(c, agentCreateSchema);
      const id = requested ?? slug(body.name);
      const base = builtInDefault(tenant, body.name);
      const config = await checked(tenant, { ...profileFields(base), ...body });
      const saved = id === DEFAULT_AGENT ? undefined : await saveAgent(deps.db, tenant, id, config, true);
      if (!saved) throw new ApiError(409, 'conflict', `an agent "${id}" already exists`);
      return c.json({ agent: profile(saved) }, 201);
    })
    .get('/:agentId', auth(STAFF), async (c) => c.json({ agent: profile(await owned(c.var.claims.tenant, c.req.param('agentId'))) }, 200))
    .patch('/:agentId', auth(ADMINS), async (c) => {
      const current = await owned(c.var.claims.tenant, c.req.param('agentId'));
      const change = await parseBody(c, agentChangeSchema);
      const config = await checked(current.tenantId, { ...profileFields(current), ...change });
      return c.json({ agent: profile((await saveAgent(deps.db, current.tenantId, current.id, config))!) }, 200);
    })
    .delete('/:agentId', auth(ADMINS), async (c) => {
      const current = await owned(c.var.claims.tenant, c.req.param('agentId'));
      if (current.id === DEFAULT_AGENT) throw new ApiError(409, 'conflict', 'the default agent cannot be deleted; edit it instead');
      await deleteAgent(deps.db, current.tenantId, current.id);
      return c.json({ deleted: true }, 200);
    });
}

function profileFields(agent: Agent): AgentConfig {
  const { name, description, instanceId, model, scripts, collections, language, escalation } = agent;
  return { name, description, instanceId, model, scripts, collections, language, escalation };
}

import { Hono } from 'hono';
import { z } from 'zod';
import type pg from 'pg';
import { createTool, deleteTool, findTool, listLeads, listToolCalls, listTools, replaceTool, type Tool } from '../db/tools';
import { findWebhook } from '../db/webhooks';
import { agentIdSchema, toolSchema, type ToolDefinition } from '../domain/schemas';
import { ExpressionError, parseExpression, placeholders } from '../domain/tools';
import type { SecretBox } from '../lib/secrets';
import { agentOrDefault } from './agents';
import { ApiError, lookupOr404, parseBody } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';

export interface ToolRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  secrets: SecretBox;
}

const idSchema = z.string().uuid();

function invalid(path: string, message: string): ApiError {
  return new ApiError(422, 'validation_failed', `${path}: ${message}`, { issues: [{ path, message }] });
}

/**
 * /api/v2/agents/{agent_id}/tools: the six tool types of the seed. A script runs tools when the
 * customer confirms its answers (its `onComplete.tools`); each call is an activity, recorded in
 * `…/tools/{id}/calls`. Secrets are write-only, sealed at rest; responses name them only.
 */
export function toolRoutes(deps: ToolRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  const agentOf = lookupOr404('agent', (tenantId, id) => agentOrDefault(deps.db, tenantId, id), agentIdSchema);

  async function toolOf(tenantId: string, agentId: string, raw: string): Promise<Tool> {
    const id = idSchema.safeParse(raw);
    const tool = id.success ? await findTool(deps.db, tenantId, id.data) : undefined;
    if (!tool || tool.agentId !== agentId) throw new ApiError(404, 'not_found', 'tool not found');
    return tool;
  }

  /** What zod cannot see: the expression parses, the URL is one, the secrets and the endpoint exist. */
  async function check(tenantId: string, definition: ToolDefinition, secretNames: string[]): Promise<void> {
    if (definition.type === 'calculator') {
      try {
        parseExpression(definition.config.expression);
      } catch (error) {
        if (error instanceof ExpressionError) throw invalid('config.expression', error.message);
        throw error;
      }
    }
    if (definition.type === 'http') {
      if (!/^https?:\/\/[^\s{}]+/i.test(definition.config.url)) throw invalid('config.url', 'must start with http:// or https:// and a host');
      for (const [name, value] of Object.entries(definition.config.headers)) {
        for (const used of placeholders(value).filter((path) => path.startsWith('secrets.'))) {
          if (!secretNames.includes(used.slice('secrets.'.length))) throw invalid(`config.headers.${name}`, `uses ${used}, which the tool does not have`);
        }
      }
    }
    if (definition.type === 'webhook' && !(await findWebhook(deps.db, tenantId, definition.config.webhookId))) throw invalid('config.webhookId', 'no such webhook endpoint (/api/v2/webhooks)');
  }

  const sealed = (secrets: Record<string, string> | undefined) => (secrets ? Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, deps.secrets.seal(value)])) : undefined);

  return new Hono<AuthEnv>()
    .get('/:agentId/tools', auth(STAFF), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      return c.json({ tools: await listTools(deps.db, agent.tenantId, agent.id) }, 200);
    })
    .post('/:agentId/tools', auth(ADMINS), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      const body = await parseBody(c, toolSchema);
      const definition = { type: body.type, config: body.config } as ToolDefinition;
      await check(agent.tenantId, definition, Object.keys(body.secrets ?? {}));
      const tool = await createTool(deps.db, agent.tenantId, agent.id, { name: body.name, description: body.description ?? null, definition, sealedSecrets: sealed(body.secrets) ?? {}, active: body.active });
      return c.json({ tool }, 201);
    })
    .get('/:agentId/tools/:toolId', auth(STAFF), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      return c.json({ tool: await toolOf(agent.tenantId, agent.id, c.req.param('toolId')) }, 200);
    })
    .put('/:agentId/tools/:toolId', auth(ADMINS), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      const current = await toolOf(agent.tenantId, agent.id, c.req.param('toolId'));
      const body = await parseBody(c, toolSchema);
      const definition = { type: body.type, config: body.config } as ToolDefinition;
      // secrets not sent are kept
      await check(agent.tenantId, definition, body.secrets ? Object.keys(body.secrets) : current.secrets);
      const tool = await replaceTool(deps.db, agent.tenantId, current.id, { name: body.name, description: body.description ?? null, definition, ...(body.secrets ? { sealedSecrets: sealed(body.secrets)! } : {}), active: body.active });
      return c.json({ tool }, 200);
    })
    .delete('/:agentId/tools/:toolId', auth(ADMINS), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      const current = await toolOf(agent.tenantId, agent.id, c.req.param('toolId'));
      await deleteTool(deps.db, agent.tenantId, current.id);
      return c.json({ deleted: true }, 200);
    })
    .get('/:agentId/tools/:toolId/calls', auth(STAFF), async (c) => {
      const agent = await agentOf(c.var.claims.tenant, c.req.param('agentId'));
      const current = await toolOf(agent.tenantId, agent.id, c.req.param('toolId'));
      return c.json({ calls: await listToolCalls(deps.db, agent.tenantId, current.id) }, 200);
    });
}

/** GET /api/v2/leads: what the lead_capture tools stored, newest first. */
export function leadRoutes(deps: { db: pg.Pool; jwtSecret: string }) {
  return new Hono<AuthEnv>().get('/', authenticate(deps.jwtSecret)(STAFF), async (c) => c.json({ leads: await listLeads(deps.db, c.var.claims.tenant) }, 200));
}

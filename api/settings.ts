import { Hono } from 'hono';
import type pg from 'pg';
import { escalationPolicyOf, findTenant, learnsFromAgents, rateLimitsOf, saveEscalationPolicy, saveLearning, saveLimits } from '../db/tenants';
import { z } from 'zod';
import { escalationPolicySchema, rateLimitsSchema } from '../domain/schemas';
import { ApiError, parseBody } from './errors';
import { ADMINS, authenticate, STAFF, type AuthEnv } from './middleware';
import type { RateLimits } from './limits';

export const learningSchema = z.object({ fromAgents: z.boolean() }).strict();

export interface SettingsRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  /** The server's limits, which the tenant's own override field by field. */
  defaultLimits: RateLimits;
}

/** Tenant settings an admin tunes; new conversations take them, running ones keep what they started with. */
export function settingsRoutes(deps: SettingsRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);

  /** The caller's tenant, which every setting belongs to. */
  async function tenantOf(tenant: string) {
    const found = await findTenant(deps.db, tenant);
    if (!found) throw new ApiError(404, 'not_found', `tenant "${tenant}" not found`);
    return found;
  }

  return new Hono<AuthEnv>()
    .get('/escalation', auth(STAFF), async (c) => {
      const found = await tenantOf(c.var.claims.tenant);
      return c.json({ policy: escalationPolicyOf(found.settings) }, 200);
    })
    .put('/escalation', auth(ADMINS), async (c) => {
      const { tenant } = c.var.claims;
      const policy = await parseBody(c, escalationPolicySchema);
      await tenantOf(tenant);
      await saveEscalationPolicy(deps.db, tenant, policy);
      return c.json({ policy }, 200);
    })
    /** Whether an agent's re-script teaches the matcher the customer's words (on by default). */
    .get('/learning', auth(STAFF), async (c) => {
      const found = await tenantOf(c.var.claims.tenant);
      return c.json({ learning: { fromAgents: learnsFromAgents(found.settings) } }, 200);
    })
    .put('/learning', auth(ADMINS), async (c) => {
      const { tenant } = c.var.claims;
      const learning = await parseBody(c, learningSchema);
      await tenantOf(tenant);
      await saveLearning(deps.db, tenant, learning);
      return c.json({ learning }, 200);
    })
    /** Requests per minute: what the tenant set, and what is in force (the server's default for the rest). */
    .get('/limits', auth(STAFF), async (c) => {
      const limits = rateLimitsOf((await tenantOf(c.var.claims.tenant)).settings);
      return c.json({ limits, effective: { ...deps.defaultLimits, ...limits } }, 200);
    })
    .put('/limits', auth(ADMINS), async (c) => {
      const { tenant } = c.var.claims;
      const limits = await parseBody(c, rateLimitsSchema);
      await tenantOf(tenant);
      await saveLimits(deps.db, tenant, limits);
      return c.json({ limits, effective: { ...deps.defaultLimits, ...limits } }, 200);
    });
}

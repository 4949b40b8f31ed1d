import { Hono } from 'hono';
import type pg from 'pg';
import { escalationPolicyOf, findTenant, saveEscalationPolicy } from '../db/store';
import { escalationPolicySchema } from '../domain/schemas';
import { requireRole } from './auth';
import { ApiError, parseBody } from './errors';

export interface SettingsRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
}

/** Tenant settings an admin tunes; new conversations take them, running ones keep what they started with. */
export function settingsRoutes(deps: SettingsRoutesDeps) {
  return new Hono()
    .get('/escalation', async (c) => {
      const { tenant } = await requireRole(deps.jwtSecret, c.req.header('authorization'), ['agent', 'admin']);
      const found = await findTenant(deps.db, tenant);
      if (!found) throw new ApiError(404, 'not_found', `tenant "${tenant}" not found`);
      return c.json({ policy: escalationPolicyOf(found.settings) }, 200);
    })
    .put('/escalation', async (c) => {
      const { tenant } = await requireRole(deps.jwtSecret, c.req.header('authorization'), ['admin']);
      const policy = await parseBody(c, escalationPolicySchema);
      if (!(await findTenant(deps.db, tenant))) throw new ApiError(404, 'not_found', `tenant "${tenant}" not found`);
      await saveEscalationPolicy(deps.db, tenant, policy);
      return c.json({ policy }, 200);
    });
}

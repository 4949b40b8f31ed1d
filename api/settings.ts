import { Hono } from 'hono';
import type pg from 'pg';
import { escalationPolicyOf, findTenant, learnsFromAgents, rateLimitsOf, saveEscalationPolicy, saveLearning, saveLimits, saveSettingsDocument } from '../db/tenants';
import { z } from 'zod';
import { escalationPolicySchema, rateLimitsSchema, tenantSettingsPatchSchema, tenantSettingsSchema, type TenantSettingsDocument } from '../domain/schemas';
import { listModels } from '../db/models';
import type { TenantSettings } from '../db/tenants';
import { ApiError, parseBody, validValue } from './errors';
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

/** What the server's environment sets for every tenant that sets nothing itself. */
export interface SettingsDefaults {
  followUpDelayMs: number;
  closeAfterFollowUpMs: number;
  csat: boolean;
  sla: TenantSettingsDocument['sla'];
}

/** The tenant's settings as one document: what it set, the server's defaults for the rest. */
export function settingsDocument(name: string, stored: TenantSettings, defaults: SettingsDefaults, defaultModels: TenantSettingsDocument['defaultModels']): TenantSettingsDocument {
  const hours = stored.business?.workingHours;
  const sla = tenantSettingsSchema.shape.sla.safeParse((stored as { analytics?: { sla?: unknown } }).analytics?.sla);
  return {
    defaultAgent: stored.defaultAgent ?? 'default',
    business: {
      name: stored.business?.name ?? name,
      timezone: stored.business?.timezone ?? 'America/Sao_Paulo',
      // catalogs may write Sunday as 7; the document counts 0–6
      workingHours: hours ? { ...hours, workDays: [...new Set(hours.workDays.map((day) => day % 7))] } : null,
    },
    escalation: escalationPolicyOf(stored),
    csat: { enabled: stored.csat?.enabled ?? defaults.csat },
    followUp: {
      delayMinutes: stored.followUp?.delayMinutes ?? Math.max(1, Math.round(defaults.followUpDelayMs / 60_000)),
      closeAfterHours: stored.followUp?.closeAfterHours ?? Math.max(1, Math.round(defaults.closeAfterFollowUpMs / 3_600_000)),
    },
    limits: rateLimitsOf(stored),
    learning: { fromAgents: learnsFromAgents(stored) },
    sla: sla.success ? sla.data : defaults.sla,
    language: 'pt-BR',
    defaultModels,
    retention: { closedConversationDays: stored.retention?.closedConversationDays ?? null },
  };
}

export interface SettingsDocumentRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  defaults: SettingsDefaults;
}

/**
 * GET/PATCH /api/v2/settings: the whole document, and a change of any sections (each merged
 * field by field; working hours replaced whole). The result is validated as a whole before it is
 * stored: a bad field is a 422 naming it, and nothing is half-written.
 */
export function settingsDocumentRoutes(deps: SettingsDocumentRoutesDeps) {
  const auth = authenticate(deps.jwtSecret);
  async function current(tenant: string) {
    const [found, models] = await Promise.all([findTenant(deps.db, tenant), listModels(deps.db, tenant)]);
    if (!found) throw new ApiError(404, 'not_found', `tenant "${tenant}" not found`);
    const defaultOf = (purpose: 'chat' | 'embedding') => models.find((model) => model.purpose === purpose && model.isDefault)?.id ?? null;
    return { found, models, document: settingsDocument(found.name, found.settings, deps.defaults, { chat: defaultOf('chat'), embedding: defaultOf('embedding') }) };
  }
  return new Hono<AuthEnv>()
    .get('/', auth(STAFF), async (c) => c.json({ settings: (await current(c.var.claims.tenant)).document }, 200))
    .patch('/', auth(ADMINS), async (c) => {
      const change = await parseBody(c, tenantSettingsPatchSchema);
      const { found, models, document } = await current(c.var.claims.tenant);
      const merged = {
        ...document,
        ...(change.defaultAgent ? { defaultAgent: change.defaultAgent } : {}),
        business: { ...document.business, ...change.business },
        escalation: { ...document.escalation, ...change.escalation },
        csat: { ...document.csat, ...change.csat },
        followUp: { ...document.followUp, ...change.followUp },
        limits: { ...document.limits, ...change.limits },
        learning: { ...document.learning, ...change.learning },
        sla: { ...document.sla, ...change.sla },
        ...(change.language !== undefined ? { language: change.language } : {}),
        defaultModels: { ...document.defaultModels, ...change.defaultModels },
        retention: { ...document.retention, ...change.retention },
      };
      const settings = validValue(tenantSettingsSchema, merged);
      // a default model must be one of the tenant's, of that purpose
      for (const purpose of ['chat', 'embedding'] as const) {
        const id = settings.defaultModels[purpose];
        if (id && !models.some((model) => model.id === id && model.purpose === purpose)) {
          throw new ApiError(422, 'validation_failed', `defaultModels.${purpose}: not one of your ${purpose} models`, { issues: [{ path: `defaultModels.${purpose}`, message: `must be the id of one of your ${purpose} models (/api/v2/models)` }] });
        }
      }
      const { sla, defaultModels, ...sections } = settings;
      const analytics = { ...((found.settings as { analytics?: object }).analytics ?? {}), sla };
      await saveSettingsDocument(deps.db, c.var.claims.tenant, { ...sections, analytics }, defaultModels);
      return c.json({ settings }, 200);
    });
}

import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type pg from 'pg';
import {
  breakdown,
  breakdownDimensions,
  CSV_COLUMNS,
  csvLine,
  distribution,
  distributionMetrics,
  exportRows,
  heatmap,
  listConversations,
  summary,
  timeseries,
  timeseriesMetrics,
  type AnalyticsFilters,
  type SlaTargets,
} from '../db/analytics';
import { findTenant } from '../db/tenants';
import { statuses, type ConversationSettings } from '../domain/conversation';
import { ApiError, validValue } from './errors';
import { authenticate, STAFF, type AuthEnv } from './middleware';

export interface AnalyticsRoutesDeps {
  db: pg.Pool;
  jwtSecret: string;
  settingsFor(tenantId: string): Promise<ConversationSettings | undefined>;
}

const DAY_MS = 86_400_000;
/** Without targets of its own, a tenant is measured against these: a person within 15 minutes, a resolution within a day. */
export const DEFAULT_SLA: SlaTargets = { firstHumanResponseSeconds: 900, resolutionSeconds: 86_400 };

const slaSchema = z.object({
  firstHumanResponseSeconds: z.number().int().min(1).max(30 * 86_400),
  resolutionSeconds: z.number().int().min(1).max(365 * 86_400),
});

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const optionalText = z.string().trim().min(1).max(200).optional();

/** The filters every analytics endpoint (and the conversation list) takes from its query string. */
export const filtersSchema = z
  .object({
    from: z.string().datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-11-01T00:00:00Z' }).optional(),
    to: z.string().datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-12-01T00:00:00Z' }).optional(),
    channel: optionalText,
    status: z.enum([...statuses, 'RESOLVED', 'UNRESOLVED', 'HUMAN_REQUESTED']).optional(),
    priority: z.enum(['HIGH', 'MEDIUM', 'LOW']).optional(),
    urgency: z.enum(['critical', 'high', 'medium', 'low']).optional(),
    script: optionalText,
    agent: optionalText,
    businessHours: z.enum(['true', 'false']).default('false'),
    tz: z.string().trim().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. America/Sao_Paulo').optional(),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) < Date.parse(query.to), { path: ['to'], message: 'must be after from' })
  .refine((query) => !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= 400 * DAY_MS, { path: ['to'], message: 'the period may span at most 400 days' });

/** A query string validated by `schema`: 422 naming each bad parameter. */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T, names: readonly string[]): z.infer<T> {
  const raw = Object.fromEntries(names.map((name) => [name, c.req.query(name)]).filter(([, value]) => value !== undefined && value !== ''));
  return validValue(schema, raw);
}

const FILTER_NAMES = ['from', 'to', 'channel', 'status', 'priority', 'urgency', 'script', 'agent', 'businessHours', 'tz'] as const;

export interface ResolvedFilters {
  filters: AnalyticsFilters;
  businessHours: boolean;
}

/** The tenant's analytics view: the filters (last 30 days and the tenant's zone by default), its SLA targets and working hours. */
export function analyticsContext(deps: AnalyticsRoutesDeps) {
  return async function resolve(c: Context<AuthEnv>, extra: readonly string[] = [], schema: z.ZodType = filtersSchema) {
    const { tenant } = c.var.claims;
    const query = parseQuery(c, schema, [...FILTER_NAMES, ...extra]) as z.infer<typeof filtersSchema> & Record<string, string>;
    const settings = await deps.settingsFor(tenant);
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    const filters: AnalyticsFilters = {
      tenantId: tenant,
      from,
      to,
      tz: query.tz ?? settings?.timeZone ?? 'America/Sao_Paulo',
      ...(query.channel ? { channel: query.channel } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.priority ? { priority: query.priority } : {}),
      ...(query.urgency ? { urgency: query.urgency } : {}),
      ...(query.script ? { script: query.script } : {}),
      ...(query.agent ? { agent: query.agent } : {}),
    };
    const wantsHours = query.businessHours === 'true';
    if (wantsHours && !settings?.workingHours) {
      throw new ApiError(422, 'validation_failed', 'businessHours: the tenant has no working hours', {
        issues: [{ path: 'businessHours', message: 'the tenant has no working hours configured (settings.business.workingHours)' }],
      });
    }
    const tenantRow = await findTenant(deps.db, tenant);
    const own = slaSchema.safeParse((tenantRow?.settings as { analytics?: { sla?: unknown } } | undefined)?.analytics?.sla);
    return { query, filters, sla: own.success ? own.data : DEFAULT_SLA, hours: wantsHours ? settings!.workingHours! : null };
  };
}

const withFilters = (extra: z.ZodRawShape) => z.intersection(filtersSchema, z.object(extra));

/** The service dashboard's numbers (agents and admins of the token's tenant). */
export function analyticsRoutes(deps: AnalyticsRoutesDeps) {
  const staff = authenticate(deps.jwtSecret)(STAFF);
  const resolve = analyticsContext(deps);
  const timeseriesQuery = withFilters({ metric: z.enum(timeseriesMetrics).default('conversations'), interval: z.enum(['hour', 'day', 'week']).default('day') });
  const breakdownQuery = withFilters({ by: z.enum(Object.keys(breakdownDimensions) as [keyof typeof breakdownDimensions, ...(keyof typeof breakdownDimensions)[]]) });
  const distributionQuery = withFilters({ metric: z.enum(Object.keys(distributionMetrics) as [keyof typeof distributionMetrics, ...(keyof typeof distributionMetrics)[]]).default('firstResponse.human') });

  return new Hono<AuthEnv>()
    .get('/summary', staff, async (c) => {
      const { filters, sla, hours } = await resolve(c);
      return c.json({ period: period(filters), ...(await summary(deps.db, filters, sla, hours)) }, 200);
    })
    .get('/timeseries', staff, async (c) => {
      const { filters, query } = await resolve(c, ['metric', 'interval'], timeseriesQuery);
      const interval = query.interval as 'hour' | 'day' | 'week';
      const buckets = Math.ceil((filters.to.getTime() - filters.from.getTime()) / { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS }[interval]);
      if (buckets > 2_000) throw new ApiError(422, 'validation_failed', 'interval: too many buckets', { issues: [{ path: 'interval', message: `${buckets} buckets; choose a longer interval or a shorter period` }] });
      const points = await timeseries(deps.db, filters, query.metric as (typeof timeseriesMetrics)[number], interval);
      return c.json({ period: period(filters), metric: query.metric, interval, points }, 200);
    })
    .get('/heatmap', staff, async (c) => {
      const { filters } = await resolve(c);
      return c.json({ period: period(filters), cells: await heatmap(deps.db, filters) }, 200);
    })
    .get('/breakdown', staff, async (c) => {
      const { filters, query } = await resolve(c, ['by'], breakdownQuery);
      return c.json({ period: period(filters), by: query.by, rows: await breakdown(deps.db, filters, query.by as keyof typeof breakdownDimensions) }, 200);
    })
    .get('/distribution', staff, async (c) => {
      const { filters, query } = await resolve(c, ['metric'], distributionQuery);
      return c.json({ period: period(filters), metric: query.metric, buckets: await distribution(deps.db, filters, query.metric as keyof typeof distributionMetrics) }, 200);
    })
    .get('/export.csv', staff, async (c) => {
      const { filters } = await resolve(c);
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="atende-${filters.from.toISOString().slice(0, 10)}-${filters.to.toISOString().slice(0, 10)}.csv"`);
      return stream(c, async (out) => {
        await out.write(`${CSV_COLUMNS.join(',')}\n`);
        for await (const page of exportRows(deps.db, filters)) await out.write(`${page.map(csvLine).join('\n')}\n`);
      });
    });
}

/** The v2 API's dashboard: the same summary as GET /api/v1/analytics/summary. */
export function dashboardRoutes(deps: AnalyticsRoutesDeps) {
  const staff = authenticate(deps.jwtSecret)(STAFF);
  const resolve = analyticsContext(deps);
  return new Hono<AuthEnv>().get('/dashboard', staff, async (c) => {
    const { filters, sla, hours } = await resolve(c);
    return c.json({ period: period(filters), ...(await summary(deps.db, filters, sla, hours)) }, 200);
  });
}

/** Chart.js, served from the npm package (no CDN: the dashboard works offline). */
export function dashboardAssets() {
  const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  let script: string | undefined;
  return new Hono().get('/chart.js', (c) => {
    script ??= fs.readFileSync(file, 'utf8');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
}

/** GET /api/v1/conversations: the conversations of the period with the analytics filters, a transcript search and a cursor. */
export function conversationListRoute(deps: AnalyticsRoutesDeps) {
  const resolve = analyticsContext(deps);
  const listQuery = withFilters({
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be the cursor of a previous page').max(200).optional(),
  });
  return async (c: Context<AuthEnv>) => {
    const { filters, query } = await resolve(c, ['q', 'limit', 'cursor'], listQuery);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const page = await listConversations(deps.db, filters, { limit: Number(query.limit), ...(query.q ? { q: query.q } : {}), ...(after ? { after } : {}) });
    return c.json({ period: period(filters), items: page.items, nextCursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null }, 200);
  };
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const invalid = new ApiError(422, 'validation_failed', 'invalid cursor', { issues: [{ path: 'cursor', message: 'must be the cursor of a previous page' }] });
  try {
    const parsed = z.object({ createdAt: z.string().datetime(), id: z.string().uuid() }).safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    if (!parsed.success) throw invalid;
    return parsed.data;
  } catch {
    throw invalid;
  }
}

function period(filters: AnalyticsFilters) {
  return { from: filters.from.toISOString(), to: filters.to.toISOString(), tz: filters.tz };
}

import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { DEFAULT_MATCH_THRESHOLD } from '../domain/matcher';
import { workingHoursSchema } from '../domain/schemas';
import { escalationPolicyOf, findTenant } from '../db/tenants';
import type { ConversationSettings, InactivitySettings } from '../domain/conversation';
import { aiRoutes } from './ai';
import { classicRoutes } from './classic';
import { conversationGateway, conversationRoutes } from './conversations';
import { scriptRoutes } from './scripts';
import { inboxRoutes } from './inbox';
import { settingsRoutes } from './settings';
import { toErrorResponse } from './errors';
import { allowedMethods, edgeChecks } from './edge';
import { ConversationFeed } from './feed';

export interface AppConfig {
  jwtSecret: string;
  namespace: string;
  taskQueue: string;
  callTimeoutMs: number;
  defaultTenant: string;
  customerTokenTtlSeconds: number;
  followUpDelayMs: number;
  closeAfterFollowUpMs: number;
  inactivity: InactivitySettings | null;
  csat: boolean;
  maxHistoryEvents?: number;
  production: boolean;
  /** Keep-alive interval of event streams. */
  streamHeartbeatMs?: number;
  /** The largest request body read, in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
}

export interface AppDeps {
  client: Client;
  db: pg.Pool;
  config: AppConfig;
}

const chatPage = fs.readFileSync(path.join(__dirname, '../web/chat.html'), 'utf8');
const inboxPage = fs.readFileSync(path.join(__dirname, '../web/inbox.html'), 'utf8');

export function createApp({ client, db, config }: AppDeps) {
  async function settingsFor(tenantId: string): Promise<ConversationSettings | undefined> {
    const tenant = await findTenant(db, tenantId);
    if (!tenant) return undefined;
    const business = tenant.settings.business;
    const timeZone = business?.timezone ?? 'America/Sao_Paulo';
    // catalogs may write Sunday as 7; the schema counts 0–6
    const catalogHours = business?.workingHours && { timezone: timeZone, ...business.workingHours, workDays: [...new Set(business.workingHours.workDays.map((day) => day % 7))] };
    const hours = workingHoursSchema.safeParse(catalogHours);
    return {
      businessName: business?.name ?? tenant.name,
      timeZone,
      followUpDelayMs: config.followUpDelayMs,
      closeAfterFollowUpMs: config.closeAfterFollowUpMs,
      inactivity: config.inactivity,
      csat: config.csat,
      ...(config.maxHistoryEvents ? { maxHistoryEvents: config.maxHistoryEvents } : {}),
      matchThreshold: DEFAULT_MATCH_THRESHOLD,
      escalation: escalationPolicyOf(tenant.settings),
      workingHours: hours.success ? hours.data : null,
    };
  }

  const feed = new ConversationFeed(db);
  const gateway = conversationGateway({ client, taskQueue: config.taskQueue, callTimeoutMs: config.callTimeoutMs });
  const app = new Hono()
    .use(...edgeChecks(config.bodyLimitBytes ?? 2 ** 20))
    .get('/', (c) => c.html(chatPage, 200))
    .get('/inbox', (c) => c.html(inboxPage, 200))
    .get('/healthz', async (c) => {
      const deadline = Date.now() + Math.min(config.callTimeoutMs, 5_000);
      const [temporal, postgres] = await Promise.allSettled([
        client.withDeadline(deadline, () => client.workflowService.describeNamespace({ namespace: config.namespace })),
        db.query('SELECT 1'),
      ]);
      const checks = {
        temporal: temporal.status === 'fulfilled' ? 'ok' : 'unreachable',
        postgres: postgres.status === 'fulfilled' ? 'ok' : 'unreachable',
      };
      const healthy = checks.temporal === 'ok' && checks.postgres === 'ok';
      return c.json({ status: healthy ? 'ok' : 'degraded', checks }, healthy ? 200 : 503);
    })
    .route(
      '/api/v1/conversations',
      conversationRoutes({
        client,
        db,
        jwtSecret: config.jwtSecret,
        taskQueue: config.taskQueue,
        callTimeoutMs: config.callTimeoutMs,
        defaultTenant: config.defaultTenant,
        customerTokenTtlSeconds: config.customerTokenTtlSeconds,
        settingsFor,
        feed,
        ...(config.streamHeartbeatMs ? { streamHeartbeatMs: config.streamHeartbeatMs } : {}),
      }),
    )
    .route('/api/v1/scripts', scriptRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v1/inbox', inboxRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v1/settings', settingsRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/ai', aiRoutes({ client, db, jwtSecret: config.jwtSecret, taskQueue: config.taskQueue, callTimeoutMs: config.callTimeoutMs }))
    .route(
      '/',
      classicRoutes({
        db,
        gateway,
        jwtSecret: config.jwtSecret,
        defaultTenant: config.defaultTenant,
        customerTokenTtlSeconds: config.customerTokenTtlSeconds,
        production: config.production,
        settingsFor,
      }),
    )
    .notFound((c) => {
      const allowed = allowedMethods(app, c.req.path);
      if (allowed.length) {
        c.header('Allow', allowed.join(', '));
        return c.json({ error: 'method_not_allowed', message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}` }, 405);
      }
      return c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404);
    });
  app.onError((error, c) => toErrorResponse(error, c, config.production));
  return app;
}

export type AppType = ReturnType<typeof createApp>;

import fs from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
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
import { analyticsRoutes, dashboardAssets, dashboardRoutes, DEFAULT_SLA } from './analytics';
import { eventRoutes } from './events';
import { chatRoutes } from './chat';
import { agentRoutes } from './agents';
import { leadRoutes, toolRoutes } from './tools';
import { noticeRoutes } from './notices';
import { cannedRoutes, noteRoutes } from './console';
import { modelRoutes } from './models';
import { parseSecretKeys, secretBox, type SecretBox, type SecretKey } from '../lib/secrets';
import { codecRoutes } from './codec';
import { knowledgeRoutes, MAX_DOCUMENT_BYTES } from './knowledge';
import { vectorSearchEnabled } from '../db/vector';
import { webhookRoutes } from './webhooks';
import { EVENTS_CHANNEL, TOKENS_CHANNEL } from '../db/conversations';
import { settingsDocumentRoutes, settingsRoutes } from './settings';
import { accountRoutes } from './accounts';
import { docsRoutes } from './docs';
import { toErrorResponse } from './errors';
import { allowedMethods, edgeChecks } from './edge';
import { problem } from './problem';
import { defaultRateLimits, rateLimiter, type RateLimits } from './limits';
import { verifyBearer } from './auth';
import { ConversationFeed } from './feed';
import { routePath } from 'hono/route';
import { collectProcessMetrics, databaseMetrics, httpDuration, scrape } from '../lib/metrics';
import { silentLogger, type Logger } from '../lib/log';
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { requestIdOf } from './problem';
import type { Embedder } from '../adapters/llm';

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
  /** Webhooks may go to private addresses (WEBHOOKS_ALLOW_PRIVATE). */
  webhooksAllowPrivate?: boolean;
  /** When set, GET /metrics asks for it as a bearer token (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** The payload codec's keys (ATENDE_CODEC_KEYS): the codec endpoint decodes with them. */
  codecKeys?: SecretKey[] | undefined;
  /** Origins allowed to call the codec endpoint from a browser (the Temporal UI's). */
  codecOrigins?: string[] | undefined;
  /** Request limits (on with the defaults of api/limits.ts unless configured). */
  rateLimits?: { enabled: boolean; trustProxy: boolean; defaults: RateLimits };
}

export interface AppDeps {
  client: Client;
  db: pg.Pool;
  config: AppConfig;
  /** The embedding model (OPENAI_EMBEDDING_MODEL): knowledge search is then hybrid. */
  embedder?: Embedder | undefined;
  /** Seals model keys and tool secrets (ATENDE_SECRET_KEYS); derived from the JWT secret when not given. */
  secrets?: SecretBox | undefined;
  /** Where the access log and errors go (LOG_LEVEL); silent when not given (tests). */
  logger?: Logger | undefined;
  /** OpenTelemetry: a span per request, parent of the Temporal client's (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer | undefined;
}

const chatPage = fs.readFileSync(path.join(__dirname, '../web/chat.html'), 'utf8');
const widgetScript = fs.readFileSync(path.join(__dirname, '../web/widget.js'), 'utf8');
const inboxPage = fs.readFileSync(path.join(__dirname, '../web/inbox.html'), 'utf8');
const adminPage = fs.readFileSync(path.join(__dirname, '../web/admin.html'), 'utf8');
const dashboardPage = fs.readFileSync(path.join(__dirname, '../web/dashboard.html'), 'utf8');
const liveScript = fs.readFileSync(path.join(__dirname, '../web/live.js'), 'utf8');
const stringsScript = fs.readFileSync(path.join(__dirname, '../web/strings.js'), 'utf8');

/** A request's route by its pattern, never its ids, so metric series and span names stay few. */
function routeOf(c: Context): string {
  const matched = routePath(c, -1);
  return matched === '*' || matched === '/*' ? 'unmatched' : matched;
}

export function createApp({ client, db, config, embedder, secrets = secretBox(parseSecretKeys(undefined, config.jwtSecret)), logger = silentLogger, tracer }: AppDeps) {
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
      // what the tenant set in its settings document wins over the server's defaults
      followUpDelayMs: tenant.settings.followUp?.delayMinutes ? tenant.settings.followUp.delayMinutes * 60_000 : config.followUpDelayMs,
      closeAfterFollowUpMs: tenant.settings.followUp?.closeAfterHours ? tenant.settings.followUp.closeAfterHours * 3_600_000 : config.closeAfterFollowUpMs,
      inactivity: config.inactivity,
      csat: tenant.settings.csat?.enabled ?? config.csat,
      ...(config.maxHistoryEvents ? { maxHistoryEvents: config.maxHistoryEvents } : {}),
      matchThreshold: DEFAULT_MATCH_THRESHOLD,
      escalation: escalationPolicyOf(tenant.settings),
      workingHours: hours.success ? hours.data : null,
    };
  }

  const rateLimits = config.rateLimits ?? { enabled: true, trustProxy: false, defaults: defaultRateLimits };
  const limiter = rateLimiter({ db, ...rateLimits });
  const accounts = accountRoutes({ db, jwtSecret: config.jwtSecret, defaultTenant: config.defaultTenant, production: config.production, limiter });
  const feed = new ConversationFeed(db);
  const tenantFeed = new ConversationFeed(db, EVENTS_CHANNEL);
  const tokenFeed = new ConversationFeed(db, TOKENS_CHANNEL);
  const gateway = conversationGateway({ client, taskQueue: config.taskQueue, callTimeoutMs: config.callTimeoutMs });
  collectProcessMetrics();
  const fromDatabase = databaseMetrics(async () => {
    const [events, deliveries] = await Promise.all([
      db.query<{ type: string; count: number }>('SELECT type, count(*)::int AS count FROM events GROUP BY type'),
      db.query<{ status: string; count: number }>('SELECT status, count(*)::int AS count FROM webhook_deliveries GROUP BY status'),
    ]);
    return { events: events.rows, deliveries: deliveries.rows };
  });
  // the request id first, then the access log (so a refused body or path is logged and measured too), then the other checks
  const [identify, ...checks] = edgeChecks(config.bodyLimitBytes ?? 2 ** 20, MAX_DOCUMENT_BYTES + 64 * 2 ** 10);
  const app = new Hono()
    .use(identify!)
    .use(async (c, next) => {
      const started = performance.now();
      // every line of this request carries its id, and its conversation when the path names one
      const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(c.req.path)?.[1];
      const log = logger.child({ requestId: requestIdOf(c), ...(conversationId ? { conversationId, workflowId: `conversation-${conversationId}` } : {}) });
      c.set('log' as never, log as never);
      if (tracer) {
        // the request's span is the parent of the Temporal client's, and so of the workflow's and the activities'
        await tracer.startActiveSpan(`${c.req.method} ${c.req.path}`, async (span) => {
          try {
            await next();
          } finally {
            const pattern = routeOf(c);
            span.updateName(`${c.req.method} ${pattern}`);
            span.setAttributes({ 'http.request.method': c.req.method, 'http.route': pattern, 'http.response.status_code': c.res.status, ...(conversationId ? { 'atende.conversation_id': conversationId } : {}) });
            if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
          }
        });
      } else await next();
      const route = routeOf(c);
      const seconds = (performance.now() - started) / 1000;
      httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
      const tenant = (c.get('claims' as never) as { tenant?: string } | undefined)?.tenant;
      log[c.res.status >= 500 ? 'error' : c.res.status >= 400 ? 'warn' : 'info']({ method: c.req.method, route, status: c.res.status, durationMs: Math.round(seconds * 1000), ...(tenant ? { tenant } : {}) }, 'request');
    })
    .use(...checks)
    // staff requests count per user; the routes count public starts and messages themselves
    .use('/api/*', async (c, next) => {
      const header = c.req.header('authorization');
      const claims = header ? await verifyBearer(config.jwtSecret, header).catch(() => undefined) : undefined;
      if (claims && claims.role !== 'customer') await limiter.check(c, 'staff', { tenantId: claims.tenant, userId: claims.sub });
      await next();
    })
    .get('/', (c) => c.html(chatPage, 200))
    // loaded by other sites: cacheable, and allowed cross-origin
    .get('/widget.js', (c) => c.body(widgetScript, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }))
    .get('/inbox', (c) => c.html(inboxPage, 200))
    .get('/admin', (c) => c.html(adminPage, 200))
    .get('/dashboard', (c) => c.html(dashboardPage, 200))
    .get('/assets/live.js', (c) => c.body(liveScript, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .get('/assets/strings.js', (c) => c.body(stringsScript, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .route('/dashboard/assets', dashboardAssets())
    .route('/', docsRoutes())
    // Prometheus: open, or with METRICS_TOKEN set, for `Authorization: Bearer <token>` only
    .get('/metrics', async (c) => {
      if (config.metricsToken && c.req.header('authorization') !== `Bearer ${config.metricsToken}`) return c.text('metrics need the metrics token', 401);
      const { contentType, body } = await scrape(fromDatabase);
      return c.body(body, 200, { 'content-type': contentType });
    })
    .get('/healthz', async (c) => {
      const deadline = Date.now() + Math.min(config.callTimeoutMs, 5_000);
      const [namespace, postgres, pollers] = await Promise.allSettled([
        client.withDeadline(deadline, () => client.workflowService.describeNamespace({ namespace: config.namespace })),
        db.query('SELECT 1'),
        client.withDeadline(deadline, () =>
          client.workflowService.describeTaskQueue({
            namespace: config.namespace,
            taskQueue: { name: config.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          }),
        ),
      ]);
      const checks = {
        temporal: namespace.status === 'fulfilled' ? 'ok' : 'unreachable',
        postgres: postgres.status === 'fulfilled' ? 'ok' : 'unreachable',
        worker: pollers.status === 'rejected' ? 'unknown' : recentPoller(pollers.value.pollers ?? []) ? 'ok' : 'not_polling',
      };
      const healthy = Object.values(checks).every((check) => check === 'ok');
      // how the knowledge base searches: vectors through pgvector's index, or scanned without it
      const pgvector = postgres.status === 'fulfilled' && (await vectorSearchEnabled(db).catch(() => false));
      const details = {
        knowledgeSearch: embedder ? `hybrid (full text + ${embedder.model} vectors, ${pgvector ? 'pgvector HNSW' : 'scanned without pgvector'})` : 'fulltext',
        pgvector,
      };
      return c.json({ status: healthy ? 'ok' : 'degraded', checks, details }, healthy ? 200 : 503);
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
        limiter,
        ...(config.streamHeartbeatMs ? { streamHeartbeatMs: config.streamHeartbeatMs } : {}),
      }),
    )
    .route('/api/v1/auth', accounts.auths)
    .route('/api/v1/users', accounts.users)
    .route('/api/v1/scripts', scriptRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v1/inbox', inboxRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v1/notices', noticeRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/codec', codecRoutes({ jwtSecret: config.jwtSecret, keys: config.codecKeys, origins: config.codecOrigins ?? ['http://127.0.0.1:8233', 'http://localhost:8233'] }))
    .route('/api/v1/conversations', noteRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v1/canned-responses', cannedRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v2/knowledge', knowledgeRoutes({ db, embedder, client, jwtSecret: config.jwtSecret, taskQueue: config.taskQueue, callTimeoutMs: config.callTimeoutMs }))
    .route('/api/v1/analytics', analyticsRoutes({ db, jwtSecret: config.jwtSecret, settingsFor }))
    .route('/api/v2/analytics', dashboardRoutes({ db, jwtSecret: config.jwtSecret, settingsFor }))
    .route(
      '/api/v2/webhooks',
      webhookRoutes({ db, client, jwtSecret: config.jwtSecret, taskQueue: config.taskQueue, callTimeoutMs: config.callTimeoutMs, allowPrivate: config.webhooksAllowPrivate ?? false }),
    )
    .route('/api/v2/agents', agentRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v2/agents', toolRoutes({ db, jwtSecret: config.jwtSecret, secrets }))
    .route('/api/v2/leads', leadRoutes({ db, jwtSecret: config.jwtSecret }))
    .route('/api/v2/agents', chatRoutes({ db, jwtSecret: config.jwtSecret, gateway, tokens: tokenFeed, settingsFor, limiter, customerTokenTtlSeconds: config.customerTokenTtlSeconds }))
    .route('/api/v2/events', eventRoutes({ db, jwtSecret: config.jwtSecret, feed: tenantFeed, ...(config.streamHeartbeatMs ? { heartbeatMs: config.streamHeartbeatMs } : {}) }))
    .route('/api/v2/settings', settingsDocumentRoutes({ db, jwtSecret: config.jwtSecret, defaults: { followUpDelayMs: config.followUpDelayMs, closeAfterFollowUpMs: config.closeAfterFollowUpMs, csat: config.csat, sla: DEFAULT_SLA } }))
    .route('/api/v2/models', modelRoutes({ db, jwtSecret: config.jwtSecret, secrets, allowPrivate: config.webhooksAllowPrivate ?? false }))
    .route('/api/v1/settings', settingsRoutes({ db, jwtSecret: config.jwtSecret, defaultLimits: rateLimits.defaults }))
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
        limiter,
      }),
    )
    .notFound((c) => {
      const allowed = allowedMethods(app, c.req.path);
      // a route of this method that found nothing is a plain 404
      if (allowed.length && !allowed.includes(c.req.method)) {
        c.header('Allow', allowed.join(', '));
        return problem(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`);
      }
      return problem(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    });
  app.onError((error, c) => toErrorResponse(error, c));
  return app;
}

export type AppType = ReturnType<typeof createApp>;

/** A worker polled the task queue within the last minute (Temporal lists pollers for a while after they leave). */
function recentPoller(pollers: temporal.api.taskqueue.v1.IPollerInfo[]): boolean {
  const now = Date.now();
  return pollers.some((poller) => {
    const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
    return now - seconds * 1000 < 60_000;
  });
}

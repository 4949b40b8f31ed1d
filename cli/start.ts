import { embedderFromEnv } from '../adapters/llm';
import { parseSecretKeys, secretBox } from '../lib/secrets';
import { createLogger } from '../lib/log';
import { tracingFromEnv } from '../lib/tracing';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Env } from '../env';
import { jwtSecret } from './secret';
import { preflight } from './preflight';
import { createApp } from '../api/app';
import { appConfig } from '../api/config';
import { redactedUrl, startLocalCluster, type RunningCluster } from '../db/local-cluster';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { importCatalog } from '../db/scripts';
import { tenantExists } from '../db/tenants';
import { databaseUrl } from '../db/url';
import { createLoginLink, createUser, findUserForLogin, type User } from '../db/users';
import { hashPassword } from '../lib/passwords';
import type pg from 'pg';
import { catalogSchema } from '../domain/schemas';
import { resolveBinary } from '../temporal/binaries';
import { codecKeys, connectClient, connectWorker, temporalAddress } from '../temporal/connection';
import { startDevServer, type RunningDevServer } from '../temporal/dev-server';
import { registerSearchAttributes } from '../temporal/namespace';
import { ensureRetentionPurge, ensureWebhookDispatcher } from '../api/webhooks';
import { createWorker, workerDeps, workerLimits } from '../workers/worker';

const DEMO_CATALOG = path.join(__dirname, '../db/demo-catalog.json');

/**
 * The dev admin `npm start` logs in with a one-time link: created on the first start with a
 * random password nobody sees (set one with PATCH /api/v1/users/:id, or add people with
 * `atende users add`).
 */
async function ensureDevAdmin(db: pg.Pool, tenantId: string): Promise<User> {
  const email = `admin@${tenantId}.local`;
  const existing = await findUserForLogin(db, tenantId, email);
  if (existing) return existing;
  return createUser(db, { tenantId, email, name: 'Dev admin', role: 'admin', passwordHash: await hashPassword(crypto.randomBytes(24).toString('base64url')) });
}

/**
 * `npm start`: everything on one machine with no variables set — an embedded PostgreSQL
 * cluster and a Temporal dev server (both persistent under ATENDE_DATA_DIR) unless
 * DATABASE_URL / TEMPORAL_ADDRESS point elsewhere — then migrations, the demo tenant,
 * the worker and the API in this process. Ctrl-C stops everything it started.
 */
export async function start(env: Env): Promise<void> {
  const started = Date.now();
  // Keep the console for what an operator needs; the SDK's info lines (bundler output) go quiet.
  Runtime.install({ logger: new DefaultLogger(env.LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN') });
  const log = (line: string) => console.log(`[atende] ${line}`);
  const problems = await preflight(env);
  if (problems.length) {
    for (const problem of problems) console.error(`[atende] ${problem}`);
    throw new Error(`cannot start: ${problems.length} problem${problems.length > 1 ? 's' : ''} above (README: Prerequisites and Troubleshooting)`);
  }
  const dataDir = path.resolve(env.ATENDE_DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    for (const stop of stops.reverse()) await stop().catch((error) => log(`while stopping: ${(error as Error).message}`));
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    let cluster: RunningCluster | undefined;
    if (!env.DATABASE_URL) {
      log(`starting PostgreSQL on 127.0.0.1:${env.ATENDE_PG_PORT} (data in ${path.join(dataDir, 'postgres')})`);
      cluster = await startLocalCluster({
        dataDir: path.join(dataDir, 'postgres'),
        port: env.ATENDE_PG_PORT,
        logFile: path.join(dataDir, 'postgres.log'),
      });
      stops.push(() => cluster!.stop());
    }

    let devServer: RunningDevServer | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      const binary = resolveBinary('cli', { explicitPath: env.TEMPORAL_CLI_PATH, log });
      if (!binary) throw new Error('no Temporal CLI found or installable; set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS');
      log(`starting Temporal dev server on ${temporalAddress(env)} (UI on :${env.TEMPORAL_UI_PORT}, data in temporal.sqlite)`);
      devServer = await startDevServer({
        binary,
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        logFile: path.join(dataDir, 'temporal.log'),
        pidFile: path.join(dataDir, 'temporal.pid'),
      });
      stops.push(() => devServer!.stop());
    }

    const db = createPool(databaseUrl(env), env.DATABASE_POOL_MAX);
    stops.push(() => db.end());
    const applied = await migrate(db);
    if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    if (!(await tenantExists(db, env.ATENDE_DEFAULT_TENANT))) {
      const catalog = catalogSchema.parse(JSON.parse(fs.readFileSync(DEMO_CATALOG, 'utf8')));
      const scripts = await importCatalog(db, env.ATENDE_DEFAULT_TENANT, catalog);
      log(`created tenant "${env.ATENDE_DEFAULT_TENANT}" with the demo catalog (${scripts.length} scripts)`);
    }

    const { client, connection } = await connectClient(env, tracingFromEnv(env));
    stops.push(() => connection.close());
    if (!devServer) await registerSearchAttributes(connection, env.TEMPORAL_NAMESPACE).catch((error: Error) => {
      log(`could not register search attributes (${error.message}); register them on your cluster`);
    });

    let workerDone: Promise<void> = new Promise(() => {});
    if (env.ATENDE_WORKER) {
      const workerConnection = await connectWorker(env);
      log('bundling workflows and starting the worker…');
      const worker = await createWorker({
        connection: workerConnection,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        deps: workerDeps(env, db, jwtSecret(env)),
        codecKeys: codecKeys(env),
        tracing: tracingFromEnv(env),
        ...workerLimits(env),
      });
      workerDone = worker.run();
      stops.push(async () => {
        worker.shutdown();
        await workerDone;
        await workerConnection.close();
      });
    } else {
      log('ATENDE_WORKER=false: no worker in this process; run `npm run worker` beside it');
    }

    const secret = jwtSecret(env);
    const app = createApp({ client, db, config: appConfig(env, secret), embedder: embedderFromEnv(env), secrets: secretBox(parseSecretKeys(env.ATENDE_SECRET_KEYS, secret)), logger: createLogger(env.LOG_LEVEL), tracer: tracingFromEnv(env)?.tracer });
    // webhooks: one dispatcher workflow reads the events outbox (a running one is kept)
    await ensureWebhookDispatcher(client, env.TEMPORAL_TASK_QUEUE).catch((error: Error) => log(`could not start the webhook dispatcher: ${error.message}`));
    await ensureRetentionPurge(client, env.TEMPORAL_TASK_QUEUE).catch((error: Error) => log(`could not start the retention purge: ${error.message}`));
    const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST });
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });

    const base = env.ATENDE_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
    const devAdmin = await ensureDevAdmin(db, env.ATENDE_DEFAULT_TENANT);
    const code = await createLoginLink(db, devAdmin.id, 15 * 60);
    const ui = devServer?.uiUrl ?? env.TEMPORAL_UI_URL;
    console.log(
      [
        '',
        `Atende is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  Chat page     ${base}/`,
        `  Agent inbox   ${base}/inbox#login=${code}`,
        `                (a one-time link, 15 minutes, for the dev admin ${devAdmin.email}; add people with npx atende users add)`,
        `  Escalations   ${env.MINDCHAT_API_BASE_URL ? `Mindchat tickets at ${new URL(env.MINDCHAT_API_BASE_URL).host}, built-in inbox as fallback` : 'built-in agent inbox (set MINDCHAT_API_BASE_URL and MINDCHAT_API_TOKEN for Mindchat tickets)'}`,
        `  API           ${base}/api/v1/conversations`,
        `  Health        ${base}/healthz`,
        `  Temporal      ${temporalAddress(env)} (namespace ${env.TEMPORAL_NAMESPACE})`,
        ui ? `  Temporal UI   ${ui}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows` : '',
        `  PostgreSQL    ${cluster ? redactedUrl(cluster.url) : '(DATABASE_URL)'}`,
        '',
        'Ctrl-C stops everything.',
      ]
        .filter((line) => line !== '')
        .join('\n'),
    );
    await workerDone;
  } catch (error) {
    console.error(`[atende] start failed: ${(error as Error).message}`);
    await stopAll(1);
  }
}

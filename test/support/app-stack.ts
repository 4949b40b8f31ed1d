import { storageSafety } from '../../activities/safety';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type pg from 'pg';
import { createApp, type AppConfig } from '../../api/app';
import { defaultRateLimits } from '../../api/limits';
import { createActivities, type ActivityDeps } from '../../activities';
import { freshTenant, testStack } from './stack';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** App configuration for tests: a follow-up and a nudge an hour away, so no timer fires mid-test. */
export function testAppConfig(required: Pick<AppConfig, 'jwtSecret' | 'taskQueue' | 'defaultTenant'> & Partial<AppConfig>): AppConfig {
  return {
    namespace: 'default',
    callTimeoutMs: 15_000,
    customerTokenTtlSeconds: 3600,
    followUpDelayMs: 3_600_000,
    closeAfterFollowUpMs: 86_400_000,
    inactivity: { nudgeAfterMs: 3_600_000, abandonAfterMs: 3_600_000, resumeWithinMs: 86_400_000 },
    csat: true,
    production: false,
    // on, so every test goes through the limiter, and high, so no test but the limits' own meets them
    rateLimits: { enabled: true, trustProxy: false, defaults: { ...defaultRateLimits, startsPerClient: 100_000, messagesPerClient: 100_000, startsPerTenant: 100_000, messagesPerTenant: 100_000, staffRequestsPerUser: 100_000, loginsPerClient: 100_000 } },
    ...required,
  };
}

export interface AppStack {
  db: pg.Pool;
  tenantId: string;
  taskQueue: string;
  client: Client;
  app: ReturnType<typeof createApp>;
  config(overrides?: Partial<AppConfig>): AppConfig;
  /** Stops the worker (as a crash would leave the task queue: nobody polling). */
  stopWorker(): Promise<void>;
  /** Starts a fresh worker on the same task queue. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** The API wired to the real Temporal dev server, a real worker (with `deps` such as a Mindchat client) and Postgres, on a fresh tenant. */
export async function startAppStack(jwtSecret: string, deps: Omit<Partial<ActivityDeps>, 'db'> = {}): Promise<AppStack> {
  const { db, tenantId } = await freshTenant();
  const taskQueue = `app-${randomUUID()}`;
  const stack = testStack();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  const newWorker = async () => {
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities: createActivities({ db, ...deps }), interceptors: { activity: [storageSafety] } });
    return { worker, run: worker.run() };
  };
  let running: { worker: Worker; run: Promise<void> } | null = await newWorker();
  const stopWorker = async () => {
    if (!running) return;
    running.worker.shutdown();
    await running.run;
    running = null;
  };
  const config = (overrides: Partial<AppConfig> = {}) => testAppConfig({ jwtSecret, taskQueue, defaultTenant: tenantId, ...overrides });
  return {
    db,
    tenantId,
    taskQueue,
    client,
    app: createApp({ client, db, config: config(deps.webhooksAllowPrivate ? { webhooksAllowPrivate: true } : {}) }),
    config,
    stopWorker,
    async startWorker() {
      running ??= await newWorker();
    },
    async stop() {
      await stopWorker();
      await nativeConnection.close();
      await connection.close();
      await db.end();
    },
  };
}

/** Registers beforeAll/afterAll that start the app stack for a test file and stop it after; `stack` is there inside the tests. */
export function appStackFor(jwtSecret: string, deps: Omit<Partial<ActivityDeps>, 'db'> = {}): { readonly stack: AppStack } {
  let stack: AppStack | undefined;
  beforeAll(async () => {
    stack = await startAppStack(jwtSecret, deps);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return {
    get stack() {
      if (!stack) throw new Error('the app stack starts in beforeAll');
      return stack;
    },
  };
}

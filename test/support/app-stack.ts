import { storageSafety } from '../../activities/safety';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type pg from 'pg';
import { createApp, type AppConfig } from '../../api/app';
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
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities: createActivities({ db, ...deps }), interceptors: { activity: [storageSafety] } });
  const workerRun = worker.run();
  const config = (overrides: Partial<AppConfig> = {}) => testAppConfig({ jwtSecret, taskQueue, defaultTenant: tenantId, ...overrides });
  return {
    db,
    tenantId,
    taskQueue,
    client,
    app: createApp({ client, db, config: config() }),
    config,
    async stop() {
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await db.end();
    },
  };
}

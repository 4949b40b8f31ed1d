import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type ActivityDeps } from '../activities';
import { llmFromEnv } from '../activities/llm';
import { MindchatClient } from '../activities/mindchat';
import type { Env } from '../env';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built workflow bundle (tests build one and share it); otherwise the worker bundles workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(options.deps),
    // Replies must feel instant; nothing here is CPU-heavy enough to need a cap below the defaults.
    shutdownGraceTime: '10 seconds',
  });
}

/** Activity dependencies from the environment: the model and Mindchat only when their variables are set. */
export function workerDeps(env: Env, db: pg.Pool): ActivityDeps {
  const mindchat =
    env.MINDCHAT_API_BASE_URL && env.MINDCHAT_API_TOKEN
      ? new MindchatClient({ baseUrl: env.MINDCHAT_API_BASE_URL, token: env.MINDCHAT_API_TOKEN, timeoutMs: env.MINDCHAT_TIMEOUT })
      : undefined;
  return {
    db,
    llm: llmFromEnv(env),
    ...(mindchat ? { mindchat, mindchatPollMs: env.MINDCHAT_POLL_INTERVAL } : {}),
    publicUrl: env.ATENDE_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`,
  };
}

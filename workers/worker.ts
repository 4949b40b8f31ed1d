import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

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

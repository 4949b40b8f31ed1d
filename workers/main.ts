import { loadEnv } from '../env';
import { connectWorker } from '../temporal/connection';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { databaseUrl } from '../db/url';
import { createWorker, workerDeps, workerLimits } from './worker';

/** The worker process on its own (production, docker-compose): Temporal and Postgres come from the environment. */
async function main(): Promise<void> {
  const env = loadEnv();
  const db = createPool(databaseUrl(env), env.DATABASE_POOL_MAX);
  await migrate(db);
  const connection = await connectWorker(env);
  const limits = workerLimits(env);
  const worker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps: workerDeps(env, db), ...limits });
  console.log(`worker polling task queue ${env.TEMPORAL_TASK_QUEUE} on ${env.TEMPORAL_NAMESPACE} (caching up to ${limits.maxCachedWorkflows} conversations)`);
  // Worker.run() stops polling on SIGINT/SIGTERM and waits for in-flight tasks before resolving.
  await worker.run();
  await connection.close();
  await db.end();
  console.log('worker stopped');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

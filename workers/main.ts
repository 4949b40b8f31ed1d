import http from 'node:http';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createLogger, temporalLogFunction } from '../lib/log';
import { tracingFromEnv } from '../lib/tracing';
import { collectProcessMetrics, metricsRegistry } from '../lib/metrics';
import { loadEnv } from '../env';
import { codecKeys, connectWorker } from '../temporal/connection';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { databaseUrl } from '../db/url';
import { createWorker, workerDeps, workerLimits } from './worker';

/** Atende's metrics of this worker (LLM calls, webhook attempts, tool calls, the process) for Prometheus. */
function serveMetrics(port: number): http.Server {
  collectProcessMetrics();
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    metricsRegistry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  // a port someone else holds costs the metrics, never the worker
  server.once('error', (error) => console.error(`worker metrics are off: port ${port}: ${error.message}`));
  server.listen(port, '0.0.0.0');
  return server;
}

/** The worker process on its own (production, docker-compose): Temporal and Postgres come from the environment. */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  Runtime.install({
    // the SDK's lines (worker, workflows, activities) as JSON with their workflow and conversation ids
    logger: new DefaultLogger(env.LOG_LEVEL === 'debug' ? 'DEBUG' : env.LOG_LEVEL === 'info' ? 'INFO' : env.LOG_LEVEL === 'warn' ? 'WARN' : 'ERROR', temporalLogFunction(logger)),
    // the SDK's own metrics (task latencies, slots, sticky cache) on a port of their own
    ...(env.TEMPORAL_METRICS_PORT ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${env.TEMPORAL_METRICS_PORT}` } } } } : {}),
  });
  const metrics = env.WORKER_METRICS_PORT ? serveMetrics(env.WORKER_METRICS_PORT) : undefined;
  const db = createPool(databaseUrl(env), env.DATABASE_POOL_MAX);
  await migrate(db);
  const connection = await connectWorker(env);
  const limits = workerLimits(env);
  const worker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps: workerDeps(env, db), codecKeys: codecKeys(env), tracing: tracingFromEnv(env), ...limits });
  logger.info(`worker polling task queue ${env.TEMPORAL_TASK_QUEUE} on ${env.TEMPORAL_NAMESPACE} (caching up to ${limits.maxCachedWorkflows} conversations)`);
  // Worker.run() stops polling on SIGINT/SIGTERM and waits for in-flight tasks before resolving.
  await worker.run();
  await connection.close();
  await db.end();
  metrics?.close();
  logger.info('worker stopped');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

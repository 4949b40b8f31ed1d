import { embedderFromEnv } from '../adapters/llm';
import { parseSecretKeys, secretBox } from '../lib/secrets';
import { createLogger } from '../lib/log';
import { tracingFromEnv } from '../lib/tracing';
import { serve } from '@hono/node-server';
import { loadEnv } from '../env';
import { createPool } from '../db/pool';
import { databaseUrl } from '../db/url';
import { lazyClient } from '../temporal/connection';
import { createApp } from './app';
import { appConfig } from './config';
import { ensureRetentionPurge, ensureWebhookDispatcher } from './webhooks';

/** The API process on its own (production, docker-compose). */
async function main(): Promise<void> {
  const env = loadEnv();
  if (!env.JWT_SECRET) throw new Error('JWT_SECRET is required to run the API on its own');
  const db = createPool(databaseUrl(env), env.DATABASE_POOL_MAX);
  // TLS/mTLS and API-key settings come from the same place as the worker's
  const tracing = tracingFromEnv(env);
  const { client, connection } = lazyClient(env, tracing);
  const logger = createLogger(env.LOG_LEVEL);
  const app = createApp({ client, db, config: appConfig(env, env.JWT_SECRET), embedder: embedderFromEnv(env), secrets: secretBox(parseSecretKeys(env.ATENDE_SECRET_KEYS, env.JWT_SECRET)), logger, tracer: tracing?.tracer });
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    logger.info(`API listening on http://${env.HOST}:${info.port}`);
  });
  // the webhook dispatcher is one workflow for the whole task queue: every replica makes sure it runs
  ensureWebhookDispatcher(client, env.TEMPORAL_TASK_QUEUE).catch((error: Error) => logger.error(`could not start the webhook dispatcher: ${error.message}`));
  ensureRetentionPurge(client, env.TEMPORAL_TASK_QUEUE).catch((error: Error) => logger.error(`could not start the retention purge: ${error.message}`));
  const stop = () => {
    server.close(async () => {
      await connection.close();
      await db.end();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

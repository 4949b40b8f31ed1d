import v8 from 'node:v8';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import type pg from 'pg';
import { createActivities, type ActivityDeps } from '../activities';
import { storageSafety } from '../activities/safety';
import { embedderFromEnv, llmFromEnv } from '../adapters/llm';
import { parseSecretKeys, secretBox, type SecretKey } from '../lib/secrets';
import { codecConverter } from '../lib/codec';
import type { Tracing } from '../lib/tracing';
import { MindchatClient } from '../adapters/mindchat';
import type { Env } from '../env';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built workflow bundle (tests build one and share it); otherwise the worker bundles workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How many conversations stay cached between turns (see cacheSize). */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Keep the workflows' source maps (stack traces point at the TypeScript); off, they cost CPU on every turn. */
  workflowSourceMaps?: boolean;
  /** The payload codec's keys (ATENDE_CODEC_KEYS): payloads are encrypted before Temporal stores them. */
  codecKeys?: SecretKey[] | undefined;
  /** OpenTelemetry: workflow and activity spans, continuing the caller's trace (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing?: Tracing | undefined;
}

/** What the SDK requires of a bundle's inline source map, and nothing more. */
const EMPTY_SOURCE_MAP = Buffer.from(JSON.stringify({ version: 3, file: 'workflow-bundle.js', sources: [], names: [], mappings: '' })).toString('base64');

/**
 * The workflows bundled for this worker. The SDK captures a stack for every promise a workflow
 * makes and maps each frame through the bundle's source map; that was a measurable share of a
 * turn's CPU. Without source maps, a workflow's stack names the bundle's lines instead.
 */
export async function workflowBundle(sourceMaps = false, interceptorModules: string[] = []): Promise<WorkflowBundle> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet, workflowInterceptorModules: interceptorModules });
  return sourceMaps ? { code } : withoutSourceMap(code);
}

export function withoutSourceMap(code: string): WorkflowBundle {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  return { code: `${at > 0 ? code.slice(0, at) : code}//# sourceMappingURL=data:application/json;base64,${EMPTY_SOURCE_MAP}\n` };
}

/**
 * What one idle cached conversation costs the worker, rounded up from the 0.15–0.4 MiB that
 * npm run bench:idle measured (the workflow's module state and the SDK's bookkeeping). Used
 * only to turn a memory budget into a cache size; the benchmark tells whether it still holds.
 */
export const CACHED_CONVERSATION_MIB = 0.5;

/**
 * The conversation cache, sized explicitly instead of by the SDK's default (about 600 per GiB
 * of heap, which let a worker grow to 4.7 GB with ~2,400 idle conversations). A conversation
 * evicted from the cache is not lost: its next turn replays its history first.
 */
export function cacheSize(options: { maxCachedWorkflows?: number; cacheMemoryMiB?: number }): number {
  if (options.maxCachedWorkflows !== undefined) return options.maxCachedWorkflows;
  const heapMiB = v8.getHeapStatistics().heap_size_limit / 2 ** 20;
  const budget = options.cacheMemoryMiB ?? Math.min(384, heapMiB / 4);
  return Math.max(50, Math.floor(budget / CACHED_CONVERSATION_MIB));
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await workflowBundle(options.workflowSourceMaps, options.tracing ? [options.tracing.workflowInterceptorModule] : [])),
    activities: createActivities(options.deps),
    interceptors: { activity: [storageSafety] },
    maxCachedWorkflows: options.maxCachedWorkflows ?? cacheSize({}),
    ...(options.maxConcurrentWorkflowTaskExecutions ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions } : {}),
    shutdownGraceTime: '10 seconds',
    ...codecConverter(options.codecKeys),
    ...(options.tracing ? { plugins: [options.tracing.plugin] } : {}),
  });
}

/** Activity dependencies from the environment: the model and Mindchat only when their variables are set. */
/** The worker's cache and concurrency settings from the environment. */
export function workerLimits(env: Env): Pick<CreateWorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'workflowSourceMaps'> {
  return {
    workflowSourceMaps: env.WORKER_SOURCE_MAPS,
    maxCachedWorkflows: cacheSize({ maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS, cacheMemoryMiB: env.WORKER_CACHE_MEMORY }),
    maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  };
}

/** `jwtSecret` (npm start's generated one) derives the secret key when ATENDE_SECRET_KEYS is unset. */
export function workerDeps(env: Env, db: pg.Pool, jwtSecret = env.JWT_SECRET): ActivityDeps {
  const mindchat =
    env.MINDCHAT_API_BASE_URL && env.MINDCHAT_API_TOKEN
      ? new MindchatClient({ baseUrl: env.MINDCHAT_API_BASE_URL, token: env.MINDCHAT_API_TOKEN, timeoutMs: env.MINDCHAT_TIMEOUT })
      : undefined;
  return {
    db,
    webhooksAllowPrivate: env.WEBHOOKS_ALLOW_PRIVATE,
    llm: llmFromEnv(env),
    embedder: embedderFromEnv(env),
    llmTimeoutMs: env.OPENAI_TIMEOUT,
    ...(env.ATENDE_SECRET_KEYS || jwtSecret ? { secrets: secretBox(parseSecretKeys(env.ATENDE_SECRET_KEYS, jwtSecret ?? '')) } : {}),
    ...(mindchat ? { mindchat, mindchatPollMs: env.MINDCHAT_POLL_INTERVAL } : {}),
    publicUrl: env.ATENDE_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`,
  };
}

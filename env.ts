import { z } from 'zod';
import { parseDuration } from './domain/hours';
import { defaultTaskQueue } from './workflows/messages';

export { parseDuration };

const port = z.coerce.number().int().min(1).max(65_535);
const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('')
  .transform((value) => value === 'true' || value === '1');
/** A switch that is on unless set to false or 0. */
const flagOn = z
  .enum(['true', 'false', '1', '0'])
  .default('true')
  .transform((value) => value === 'true' || value === '1');
const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  ATENDE_DATA_DIR: z.string().default('.data'),
  ATENDE_PUBLIC_URL: optional,
  /** `npm start` runs a worker in its own process unless this is false (run `npm run worker` separately). */
  ATENDE_WORKER: flagOn,
  /** `atende setup`: the first admin's e-mail (created once), and optionally its password (else a one-time login link is printed). */
  ATENDE_ADMIN_EMAIL: z.string().trim().email().optional(),
  ATENDE_ADMIN_PASSWORD: z.string().min(12).optional(),
  ATENDE_DEFAULT_TENANT: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).default('demo'),
  /** Per-client, per-tenant and per-user request limits (429 beyond them); tenants tune them in their settings. */
  RATE_LIMITS: flagOn,
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For. */
  TRUST_PROXY: flag,
  /** The largest request body the API reads, in bytes (413 beyond it). */
  API_BODY_LIMIT: z.coerce.number().int().min(1_024).max(64 * 2 ** 20).default(2 ** 20),

  DATABASE_URL: optional,
  ATENDE_PG_PORT: port.default(54_320),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  /** Conversations a worker keeps in memory between turns; derived from WORKER_CACHE_MEMORY when unset. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).optional(),
  /** MiB of memory the worker may spend on cached conversations; at most a quarter of the heap when unset. */
  WORKER_CACHE_MEMORY: z.coerce.number().int().min(16).max(64_000).optional(),
  /** Map workflow stack traces to the TypeScript sources (costs CPU on every turn; for debugging). */
  WORKER_SOURCE_MAPS: flag,
  /** Let webhooks go to private, loopback and link-local addresses (off: a webhook must not reach into this network). */
  WEBHOOKS_ALLOW_PRIVATE: flag,
  /** When set, GET /metrics asks for it as a bearer token; open otherwise (keep the port internal). */
  METRICS_TOKEN: optional,
  /** Traces (API → Temporal client → workflow → activities) go here with OTLP/HTTP; off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional,
  OTEL_SERVICE_NAME: z.string().default('atende'),
  /** A worker on its own serves Atende's metrics here (GET /metrics); off (0) unless set: workers sharing a host would collide. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  /** The Temporal SDK's own metrics (Prometheus) on this port of the worker; off (0) unless set. */
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  /** Workflow tasks one worker runs at once. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1_000).default(40),

  TEMPORAL_ADDRESS: optional,
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(defaultTaskQueue),
  TEMPORAL_TLS: flag,
  TEMPORAL_TLS_CERT_PATH: optional,
  TEMPORAL_TLS_KEY_PATH: optional,
  TEMPORAL_API_KEY: optional,
  TEMPORAL_UI_URL: optional,
  TEMPORAL_CLI_PATH: optional,
  TEMPORAL_TEST_SERVER_PATH: optional,

  JWT_SECRET: optional,
  /** Keys that seal model API keys and tool secrets at rest: `id:base64-32-bytes,…`, the first seals; derived from JWT_SECRET when unset. */
  ATENDE_SECRET_KEYS: optional,
  /** Encrypt every Temporal payload (histories hold ciphertext): `id:base64-32-bytes,…`, the first encrypts. Off when unset. */
  ATENDE_CODEC_KEYS: optional,
  /** The Temporal UI's origin, allowed to call POST /codec/decode from the browser. */
  CODEC_CORS_ORIGIN: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
  CUSTOMER_TOKEN_TTL: duration.default(parseDuration('7d')),
  TEMPORAL_CALL_TIMEOUT: duration.default(parseDuration('10s')),

  FOLLOW_UP_DELAY: duration.default(parseDuration('1h')),
  CLOSE_AFTER_FOLLOW_UP: duration.default(parseDuration('24h')),
  /** Silence on a pending question before the bot asks again; 0 turns nudges and abandonment off. */
  INACTIVITY_NUDGE_AFTER: duration.default(parseDuration('10m')),
  /** Further silence after the nudge before the conversation closes as abandoned. */
  INACTIVITY_ABANDON_AFTER: duration.default(parseDuration('20m')),
  /** How long an abandoned conversation can be resumed where it stopped. */
  ABANDONED_RESUME_WITHIN: duration.default(parseDuration('24h')),
  /** Ask for a 1–5 satisfaction score once after a resolution. */
  CSAT_SURVEY: flagOn,
  /** Continue a conversation as new past this many history events, before the server's own suggestion. */
  MAX_HISTORY_EVENTS: z.coerce.number().int().min(200).optional(),

  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: optional,
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  /** Per LLM request; past it the offline matcher answers. */
  OPENAI_TIMEOUT: duration.default(parseDuration('8s')),
  /** An embedding model at the same OpenAI-compatible endpoint: the knowledge base then searches hybrid (full text + vectors). */
  OPENAI_EMBEDDING_MODEL: optional,
  MINDCHAT_API_BASE_URL: optional,
  MINDCHAT_API_TOKEN: optional,
  /** Per Mindchat request; past it the call counts as failed and is retried with backoff. */
  MINDCHAT_TIMEOUT: duration.default(parseDuration('10s')),
  /** How often an open Mindchat ticket is checked for agent replies and resolution. */
  MINDCHAT_POLL_INTERVAL: duration.default(parseDuration('2m')),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/** The one place that reads the environment; everything else receives an `Env`. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    throw new EnvError('invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  if (Boolean(env.MINDCHAT_API_BASE_URL) !== Boolean(env.MINDCHAT_API_TOKEN)) {
    const missing = env.MINDCHAT_API_BASE_URL ? 'MINDCHAT_API_TOKEN' : 'MINDCHAT_API_BASE_URL';
    throw new EnvError(`invalid configuration:\n  ${missing}: required when the other Mindchat variable is set`);
  }
  if (env.TEMPORAL_TLS_CERT_PATH && !env.TEMPORAL_TLS_KEY_PATH) {
    throw new EnvError('invalid configuration:\n  TEMPORAL_TLS_KEY_PATH: required with TEMPORAL_TLS_CERT_PATH');
  }
  return env;
}

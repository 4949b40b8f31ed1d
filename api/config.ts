import { codecKeys } from '../temporal/connection';
import type { Env } from '../env';
import type { AppConfig } from './app';
import { defaultRateLimits } from './limits';

export function appConfig(env: Env, jwtSecret: string): AppConfig {
  return {
    jwtSecret,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    callTimeoutMs: env.TEMPORAL_CALL_TIMEOUT,
    defaultTenant: env.ATENDE_DEFAULT_TENANT,
    customerTokenTtlSeconds: Math.round(env.CUSTOMER_TOKEN_TTL / 1000),
    followUpDelayMs: env.FOLLOW_UP_DELAY,
    closeAfterFollowUpMs: env.CLOSE_AFTER_FOLLOW_UP,
    inactivity: env.INACTIVITY_NUDGE_AFTER
      ? { nudgeAfterMs: env.INACTIVITY_NUDGE_AFTER, abandonAfterMs: env.INACTIVITY_ABANDON_AFTER, resumeWithinMs: env.ABANDONED_RESUME_WITHIN }
      : null,
    csat: env.CSAT_SURVEY,
    ...(env.MAX_HISTORY_EVENTS ? { maxHistoryEvents: env.MAX_HISTORY_EVENTS } : {}),
    production: env.NODE_ENV === 'production',
    bodyLimitBytes: env.API_BODY_LIMIT,
    webhooksAllowPrivate: env.WEBHOOKS_ALLOW_PRIVATE,
    metricsToken: env.METRICS_TOKEN,
    codecKeys: codecKeys(env),
    codecOrigins: env.CODEC_CORS_ORIGIN.split(',').map((origin) => origin.trim()).filter(Boolean),
    rateLimits: { enabled: env.RATE_LIMITS, trustProxy: env.TRUST_PROXY, defaults: defaultRateLimits },
  };
}

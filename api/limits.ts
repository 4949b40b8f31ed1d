import type { Context } from 'hono';
import { rateLimited } from '../lib/metrics';
import { expiringCache } from '../lib/cache';
import { getConnInfo } from '@hono/node-server/conninfo';
import type pg from 'pg';
import type { z } from 'zod';
import { countRequests } from '../db/limits';
import { findTenant, rateLimitsOf } from '../db/tenants';
import { rateLimitsSchema } from '../domain/schemas';

export type RateLimits = Required<z.infer<typeof rateLimitsSchema>>;

/** Requests per minute, unless the tenant's settings or the server's configuration say otherwise. */
export const defaultRateLimits: RateLimits = {
  startsPerClient: 20,
  startsPerTenant: 1_200,
  messagesPerClient: 120,
  messagesPerTenant: 12_000,
  staffRequestsPerUser: 600,
  loginsPerClient: 10,
};

const WINDOW_SECONDS = 60;
const TENANT_CACHE_MS = 10_000;

/** Over a limit: 429 with Retry-After, in each contract's envelope. */
export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests; try again in ${retryAfterSeconds} s`);
  }
}

export type LimitKind = 'start' | 'message' | 'staff' | 'login';

export interface RateLimiter {
  /** Counts this request against the limits of its kind; throws RateLimited when one is exceeded, and sets RateLimit-* headers. */
  check(c: Context, kind: LimitKind, scope: { tenantId: string; userId?: string }): Promise<void>;
}

/**
 * Fixed one-minute windows counted in Postgres, so the limits hold across API replicas (an
 * in-memory counter per replica would multiply every limit by the number of replicas). Per
 * client IP and per tenant on public endpoints, per user on staff endpoints.
 */
export function rateLimiter(deps: { db: pg.Pool; defaults: RateLimits; trustProxy: boolean; enabled: boolean }): RateLimiter {
  const tenantLimits = expiringCache<RateLimits>(TENANT_CACHE_MS);

  const limitsOf = (tenantId: string) =>
    tenantLimits(tenantId, async () => {
      const tenant = await findTenant(deps.db, tenantId);
      return { ...deps.defaults, ...(tenant ? rateLimitsOf(tenant.settings) : {}) };
    });

  function clientOf(c: Context): string {
    if (deps.trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // not served by a socket (app.request in tests)
    }
  }

  return {
    async check(c, kind, { tenantId, userId }) {
      if (!deps.enabled) return;
      const limits = await limitsOf(tenantId);
      const client = clientOf(c);
      const rules: { key: string; limit: number }[] =
        kind === 'start'
          ? [{ key: `start:ip:${client}`, limit: limits.startsPerClient }, { key: `start:tenant:${tenantId}`, limit: limits.startsPerTenant }]
          : kind === 'message'
            ? [{ key: `message:ip:${client}`, limit: limits.messagesPerClient }, { key: `message:tenant:${tenantId}`, limit: limits.messagesPerTenant }]
            : kind === 'staff'
              ? [{ key: `staff:${tenantId}:${userId}`, limit: limits.staffRequestsPerUser }]
              : [{ key: `login:ip:${client}`, limit: limits.loginsPerClient }];
      let tightest: { limit: number; remaining: number; resetAt: Date } | null = null;
      const { counts, resetAt } = await countRequests(deps.db, rules.map((rule) => rule.key), WINDOW_SECONDS);
      for (const rule of rules) {
        const count = counts.get(rule.key) ?? 0;
        const remaining = Math.max(0, rule.limit - count);
        if (!tightest || remaining < tightest.remaining) tightest = { limit: rule.limit, remaining, resetAt };
        if (count > rule.limit) {
          const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
          c.header('RateLimit-Limit', String(rule.limit));
          c.header('RateLimit-Remaining', '0');
          c.header('RateLimit-Reset', String(retryAfter));
          c.header('Retry-After', String(retryAfter));
          rateLimited.inc({ kind });
          throw new RateLimited(retryAfter);
        }
      }
      if (tightest) {
        c.header('RateLimit-Limit', String(tightest.limit));
        c.header('RateLimit-Remaining', String(tightest.remaining));
        c.header('RateLimit-Reset', String(Math.max(1, Math.ceil((tightest.resetAt.getTime() - Date.now()) / 1000))));
      }
    },
  };
}

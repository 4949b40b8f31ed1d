import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { defaultRateLimits, type RateLimits } from '../api/limits';
import { appStackFor } from './support/app-stack';

/** Request limits: per client and per tenant on public endpoints, per user on staff ones, counted in Postgres. */
const secret = 'test-secret-for-limit-tests';
const suite = appStackFor(secret);

const generous = { startsPerClient: 100_000, startsPerTenant: 100_000, messagesPerClient: 100_000, messagesPerTenant: 100_000, staffRequestsPerUser: 100_000 };

function limitedApp(limits: Partial<RateLimits>) {
  return createApp({ client: suite.stack.client, db: suite.stack.db, config: suite.stack.config({ rateLimits: { enabled: true, trustProxy: true, defaults: { ...defaultRateLimits, ...generous, ...limits } } }) });
}

async function start(app: ReturnType<typeof createApp>, ip: string) {
  const response = await app.request('/api/v1/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ message: 'oi' }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const conversationsSince = async (since: Date) =>
  (await suite.stack.db.query('SELECT count(*)::int AS n FROM conversations WHERE tenant_id = $1 AND created_at >= $2', [suite.stack.tenantId, since])).rows[0].n as number;

describe('rate limits', () => {
  test('when one client sends 300 rapid starts, then the limit holds, the rest get 429 with Retry-After, and nothing is half-created', async () => {
    const app = limitedApp({ startsPerClient: 20 });
    const since = new Date(Date.now() - 1_000);
    const results: Awaited<ReturnType<typeof start>>[] = [];
    for (let batch = 0; batch < 10; batch++) results.push(...(await Promise.all(Array.from({ length: 30 }, () => start(app, '203.0.113.7')))));
    const created = results.filter((result) => result.status === 201);
    const refused = results.filter((result) => result.status === 429);
    expect(created.length + refused.length).toBe(300);
    // the window may turn over once during the run: then the next minute's 20 are allowed too
    expect([20, 40]).toContain(created.length);
    for (const result of refused) {
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(result.headers.get('ratelimit-limit')).toBe('20');
      expect(result.headers.get('ratelimit-remaining')).toBe('0');
      expect(result.body.error).toBe('rate_limited');
    }
    expect(created[0]!.headers.get('ratelimit-limit')).toBe('20');
    expect(await conversationsSince(since)).toBe(created.length);
    // another client is not held back by the first one's limit
    expect((await start(app, '198.51.100.9')).status).toBe(201);
  });

  test('when a tenant sets its own limits, then they replace the server\'s; staff count per user; logins per client', async () => {
    const admin = await mintToken(secret, { role: 'admin', tenant: suite.stack.tenantId, subject: 'limits-admin' });
    const put = await suite.stack.app.request('/api/v1/settings/limits', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ startsPerClient: 2 }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as any).effective.startsPerClient).toBe(2);
    const bad = await suite.stack.app.request('/api/v1/settings/limits', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ startsPerClient: 0 }),
    });
    expect(bad.status).toBe(422);

    const app = limitedApp({ staffRequestsPerUser: 3 });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await start(app, '192.0.2.44')).status);
    expect(statuses).toEqual([201, 201, 429]);

    const agent = await mintToken(secret, { role: 'agent', tenant: suite.stack.tenantId, subject: 'limits-agent' });
    const other = await mintToken(secret, { role: 'agent', tenant: suite.stack.tenantId, subject: 'limits-other-agent' });
    const list = (token: string) => app.request('/api/v1/scripts', { headers: { authorization: `Bearer ${token}` } });
    const seen = [];
    for (let attempt = 0; attempt < 4; attempt++) seen.push((await list(agent)).status);
    expect(seen).toEqual([200, 200, 200, 429]);
    expect((await list(other)).status).toBe(200);
    const logins = limitedApp({ loginsPerClient: 3 });
    const tries = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await logins.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.99' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'not the password', tenant: suite.stack.tenantId }),
      });
      tries.push(response.status);
    }
    expect(tries).toEqual([401, 401, 401, 429]);
    await suite.stack.app.request('/api/v1/settings/limits', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({}),
    });
  });
});

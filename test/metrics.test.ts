import { randomUUID } from 'node:crypto';
import { createApp } from '../api/app';
import { defaultRateLimits } from '../api/limits';
import { createLlmClient } from '../adapters/llm';
import { appStackFor } from './support/app-stack';
import { startFakeOpenAi } from './support/fake-openai';

/** GET /metrics in Prometheus' text format: the series operators graph and alert on. */
const secret = randomUUID();
const app = appStackFor(secret);

/** The value of one series (the sum over series that match every label given). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, wanted]) => line.includes(`${key}="${wanted}"`)))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

test('after a few turns, an escalation, a refused start and a model call, /metrics shows each of them', async () => {
  const strict = createApp({
    client: app.stack.client,
    db: app.stack.db,
    config: app.stack.config({ metricsToken: 'scrape-me', rateLimits: { enabled: true, trustProxy: true, defaults: { ...defaultRateLimits, startsPerClient: 2 } } }),
  });
  // a client address of its own: other test files' requests in the same minute must not count against it
  const client = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const post = (path: string, body: unknown, token?: string) =>
    strict.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const started = (await (await post('/api/v1/conversations', { message: 'preciso da segunda via do boleto' })).json()) as { conversationId: string; token: string };
  expect((await post(`/api/v1/conversations/${started.conversationId}/messages`, { text: 'quero falar com um atendente' }, started.token)).status).toBe(200);
  await post('/api/v1/conversations', { message: 'oi' });
  expect((await post('/api/v1/conversations', { message: 'oi de novo' })).status).toBe(429);

  const fake = await startFakeOpenAi();
  try {
    fake.reply({ content: 'Olá!' });
    await createLlmClient({ apiKey: 'sk-test-not-a-real-key', baseURL: fake.baseURL, model: 'test-model', timeoutMs: 5_000 }).complete({ system: 'x', messages: [], maxLength: 100 });
  } finally {
    await fake.close();
  }

  expect((await strict.request('/metrics')).status).toBe(401);
  const response = await strict.request('/metrics', { headers: { authorization: 'Bearer scrape-me' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  const text = await response.text();
  expect(value(text, 'atende_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/conversations/:id/messages', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'atende_http_request_duration_seconds_count', { route: '/api/v1/conversations', status: '429' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'atende_turn_duration_seconds_count', { outcome: 'replied' })).toBeGreaterThanOrEqual(3);
  expect(value(text, 'atende_rate_limited_requests_total', { kind: 'start' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'atende_conversation_events', { type: 'conversation.escalated' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'atende_conversation_events', { type: 'message.created' })).toBeGreaterThanOrEqual(4);
  expect(value(text, 'atende_llm_request_duration_seconds_count', { kind: 'chat', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  expect(text).toContain('# TYPE atende_webhook_deliveries gauge');
  expect(text).toContain('# TYPE atende_webhook_delivery_attempts_total counter');
  expect(text).toContain('atende_process_cpu_seconds_total');
  // ids never become labels
  expect(text).not.toContain(started.conversationId);
});

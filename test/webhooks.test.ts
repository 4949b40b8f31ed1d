import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { ensureWebhookDispatcher } from '../api/webhooks';
import { webhookDispatcherWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';
import { validCpf } from './support/stack';
import { webhookReceiver } from './support/receiver';
import { until } from './support/until';

/**
 * Webhooks end to end: a real receiver on 127.0.0.1 verifies every request with the Standard
 * Webhooks library; conversations through the API make the events; the dispatcher and delivery
 * workflows run on the real worker, with a short retry schedule.
 */
const secret = randomUUID();
const app = appStackFor(secret, { webhooksAllowPrivate: true });

interface Received {
  path: string;
  id: string;
  type: string;
  body: any;
  verified: boolean;
  verifiedWithOld?: boolean;
}

const received: Received[] = [];
/** Statuses a path answers with, in turn (then 200). */
const scripted = new Map<string, number[]>();
const secrets = new Map<string, { current: string; old?: string }>();

/** Verifies each request with the Standard Webhooks library against the endpoint's secrets, records it, answers as scripted. */
const receiver = webhookReceiver(({ path, headers: raw, body }) => {
  const headers = { 'webhook-id': String(raw['webhook-id']), 'webhook-timestamp': String(raw['webhook-timestamp']), 'webhook-signature': String(raw['webhook-signature']) };
  const keys = secrets.get(path);
  const verify = (key?: string) => {
    if (!key) return false;
    try {
      new Webhook(key).verify(body, headers);
      return true;
    } catch {
      return false;
    }
  };
  const parsed = JSON.parse(body);
  received.push({ path, id: headers['webhook-id'], type: parsed.type, body: parsed, verified: verify(keys?.current), ...(keys?.old ? { verifiedWithOld: verify(keys.old) } : {}) });
  return scripted.get(path)?.shift() ?? 200;
});

beforeAll(async () => {
  await ensureWebhookDispatcher(app.stack.client, app.stack.taskQueue, { scheduleMs: [0, 300, 300, 300], waitMs: 2_000 });
});

afterAll(async () => {
  await app.stack.client.workflow.getHandle(webhookDispatcherWorkflowId(app.stack.taskQueue)).terminate('the test is over').catch(() => undefined);
});

const api = () => createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ webhooksAllowPrivate: true }) });

async function call(method: string, path: string, body?: unknown, token?: string, target = api()) {
  const response = await target.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function register(path: string, events: string[], admin: string) {
  const created = await call('POST', '/api/v2/webhooks', { url: `${receiver.base}${path}`, events, description: path }, admin);
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_/);
  secrets.set(path, { current: created.body.secret });
  return created.body.webhook.id as string;
}

async function startConversation(message: string) {
  const started = await call('POST', '/api/v1/conversations', { message, customer: { name: 'Cliente Webhook' } });
  expect(started.status).toBe(201);
  return started.body.conversationId as string;
}

test('every event of a conversation arrives signed (verified with the library), once each, and the log shows each delivery', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const id = await register('/all', ['*'], admin);
  const conversationId = await startConversation('quero falar com um atendente');
  const mine = () => received.filter((entry) => entry.path === '/all' && entry.body.data?.conversationId === conversationId);
  // deliveries run side by side, in no set order: wait for the first event and the last
  await until(mine, (entries) => ['conversation.started', 'conversation.escalated'].every((type) => entries.some((entry) => entry.type === type)), 'the start and the escalation');
  const types = mine().map((entry) => entry.type);
  expect(types).toContain('conversation.started');
  expect(types).toContain('message.created');
  expect(mine().every((entry) => entry.verified)).toBe(true);
  expect(new Set(mine().map((entry) => entry.id)).size).toBe(mine().length);
  const log = await call('GET', `/api/v2/webhooks/${id}/deliveries`, undefined, admin);
  const delivered = log.body.deliveries.filter((delivery: { eventType: string }) => delivery.eventType === 'conversation.started');
  expect(delivered.length).toBeGreaterThan(0);
  expect(delivered[0]).toMatchObject({ status: 'succeeded', attempts: [{ attempt: 1, status: 200, response: 'ok', error: null }] });
  // a test event on demand
  expect((await call('POST', `/api/v2/webhooks/${id}/test`, undefined, admin)).status).toBe(202);
  await until(() => received.filter((entry) => entry.path === '/all' && entry.type === 'webhook.test'), (entries) => entries.length === 1, 'the test event');
  expect(received.find((entry) => entry.type === 'webhook.test')!.verified).toBe(true);
  expect((await call('DELETE', `/api/v2/webhooks/${id}`, undefined, admin)).status).toBe(200);
});

test('a receiver that answers 500 twice gets the event on the third attempt, and the log shows all three', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const id = await register('/flaky', ['conversation.started'], admin);
  scripted.set('/flaky', [500, 500]);
  const conversationId = await startConversation('oi');
  const attempts = await until(
    () => received.filter((entry) => entry.path === '/flaky' && entry.body.data?.conversationId === conversationId),
    (entries) => entries.length === 3,
    'three attempts',
  );
  expect(new Set(attempts.map((entry) => entry.id)).size).toBe(1);
  const log = await until(
    async () => (await call('GET', `/api/v2/webhooks/${id}/deliveries`, undefined, admin)).body.deliveries.find((delivery: { eventType: string; attempts: unknown[] }) => delivery.attempts.length === 3),
    (delivery) => delivery?.status === 'succeeded',
    'the delivery to succeed',
  );
  expect(log.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([500, 500, 200]);
  expect(log.attempts[0].response).toBe('status 500');
  await call('DELETE', `/api/v2/webhooks/${id}`, undefined, admin);
});

test('410 Gone disables the endpoint; a rotated secret signs beside the new one', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const gone = await register('/gone', ['conversation.started'], admin);
  scripted.set('/gone', [410]);
  const rotating = await register('/rotating', ['conversation.started'], admin);
  const rotated = await call('POST', `/api/v2/webhooks/${rotating}/rotate-secret`, undefined, admin);
  expect(rotated.status).toBe(200);
  secrets.set('/rotating', { current: rotated.body.secret, old: secrets.get('/rotating')!.current });
  await startConversation('bom dia');
  await until(async () => (await call('GET', `/api/v2/webhooks/${gone}`, undefined, admin)).body.webhook, (webhook) => webhook.active === false, 'the endpoint to be disabled');
  expect((await call('GET', `/api/v2/webhooks/${gone}`, undefined, admin)).body.webhook.disabledReason).toMatch(/410/);
  const signed = await until(() => received.filter((entry) => entry.path === '/rotating'), (entries) => entries.length > 0, 'the rotated delivery');
  expect(signed[0]).toMatchObject({ verified: true, verifiedWithOld: true });
});

test('endpoints are for admins, named by a public URL unless allowed, with known event types', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'agent' });
  expect((await call('GET', '/api/v2/webhooks', undefined, agent)).status).toBe(403);
  const strict = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config() });
  const local = await call('POST', '/api/v2/webhooks', { url: 'http://127.0.0.1:9/x', events: ['*'] }, admin, strict);
  expect(local.status).toBe(422);
  expect(local.body.issues[0].path).toBe('url');
  const unknown = await call('POST', '/api/v2/webhooks', { url: `${receiver.base}/x`, events: ['tudo'] }, admin);
  expect(unknown.status).toBe(422);
  expect(unknown.body.issues[0].path).toMatch(/^events/);
  const list = await call('GET', '/api/v2/webhooks', undefined, admin);
  expect(JSON.stringify(list.body)).not.toMatch(/whsec_/);
});

test('a script whose onComplete names an endpoint sends it the confirmed answers as script.completed', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const id = await register('/scripted', ['conversation.resolved'], admin);
  const current = (await call('GET', '/api/v1/scripts/boleto', undefined, admin)).body.script;
  const saved = await call('PUT', '/api/v1/scripts/boleto', { ...current, onComplete: { ...current.onComplete, webhook: id } }, admin);
  expect(saved.status).toBe(200);
  const started = await call('POST', '/api/v1/conversations', { message: 'preciso da segunda via do boleto', customer: { name: 'Cliente Roteiro' } });
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  for (const text of [validCpf, 'março', 'maria@exemplo.com', 'sim']) expect((await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text }, token)).status).toBe(200);
  const completed = await until(
    () => received.filter((entry) => entry.path === '/scripted' && entry.type === 'script.completed'),
    (entries) => entries.length === 1,
    'the script completion',
  );
  expect(completed[0]!.verified).toBe(true);
  expect(completed[0]!.body.data).toMatchObject({ conversationId, data: { scriptId: 'boleto', answers: { cpf: validCpf, parcela: 'março', email: 'maria@exemplo.com' }, webhook: id, protocol: expect.any(String) } });
  // the endpoint's own subscription still holds
  await until(() => received.filter((entry) => entry.path === '/scripted' && entry.type === 'conversation.resolved'), (entries) => entries.length === 1, 'the resolution');
});

test('an endpoint whose deliveries have failed for 5 days is disabled at its next failure; a success clears the streak', async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const dying = await register('/dying', ['conversation.started'], admin);
  scripted.set('/dying', [500, 500, 500, 500]);
  const healthy = await register('/healthy', ['conversation.started'], admin);
  await register('/watcher', ['webhook.disabled'], admin);
  // as if every attempt had failed since six days ago
  await app.stack.db.query(`UPDATE webhooks SET failing_since = now() - interval '6 days' WHERE id = ANY ($1::uuid[])`, [[dying, healthy]]);
  await startConversation('olá');
  const disabled = await until(async () => (await call('GET', `/api/v2/webhooks/${dying}`, undefined, admin)).body.webhook, (webhook) => webhook.active === false, 'the failing endpoint to be disabled');
  expect(disabled.disabledReason).toBe('every delivery failed for 5 days');
  await until(async () => (await app.stack.db.query('SELECT failing_since FROM webhooks WHERE id = $1', [healthy])).rows[0].failing_since, (since) => since === null, 'the healthy endpoint to clear its streak');
  expect((await call('GET', `/api/v2/webhooks/${healthy}`, undefined, admin)).body.webhook.active).toBe(true);

  // the admins are told: a tenant-wide webhook.disabled event (heard by another endpoint) and a notice
  const told = await until(() => received.filter((entry) => entry.path === '/watcher' && entry.body.data.data.webhookId === dying), (entries) => entries.length === 1, 'the webhook.disabled event');
  expect(told[0]).toMatchObject({ verified: true, type: 'webhook.disabled', body: { data: { conversationId: null, data: { cause: 'failing', url: `${receiver.base}/dying` } } } });
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'agent' });
  expect((await call('GET', '/api/v1/notices', undefined, agent)).status).toBe(403);
  const notices = (await call('GET', '/api/v1/notices', undefined, admin)).body.notices as { id: string; kind: string; body: string; data: { webhookId: string } }[];
  const notice = notices.find((entry) => entry.data.webhookId === dying)!;
  expect(notice).toMatchObject({ kind: 'webhook.disabled', title: 'Webhook desativado' });
  expect(notice.body).toMatch(/5 dias/);
  expect((await call('POST', `/api/v1/notices/${notice.id}/read`, undefined, admin)).body.notice.readBy).toBe('admin');
  expect(((await call('GET', '/api/v1/notices', undefined, admin)).body.notices as { id: string }[]).map((entry) => entry.id)).not.toContain(notice.id);
  expect((await call('GET', '/api/v1/notices?all=maybe', undefined, admin)).body.issues[0].path).toBe('all');
});

import { randomUUID } from 'node:crypto';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { ensureWebhookDispatcher } from '../api/webhooks';
import { webhookDispatcherWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';
import { webhookReceiver } from './support/receiver';
import { until } from './support/until';

/**
 * A retry is a workflow timer: the worker may die while it waits, and the event is still delivered
 * once the worker is back — exactly once.
 */
const secret = randomUUID();
const app = appStackFor(secret, { webhooksAllowPrivate: true });
const answers = [500];
const receiver = webhookReceiver(() => answers.shift() ?? 200);

beforeAll(async () => {
  // the first retry waits 3 s: long enough to stop the worker in between
  await ensureWebhookDispatcher(app.stack.client, app.stack.taskQueue, { scheduleMs: [0, 3_000, 3_000], waitMs: 2_000 });
});

afterAll(async () => {
  await app.stack.client.workflow.getHandle(webhookDispatcherWorkflowId(app.stack.taskQueue)).terminate('the test is over').catch(() => undefined);
});

test('when the worker dies while a retry waits, the event is delivered once it is back, exactly once', async () => {
  const api = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ webhooksAllowPrivate: true }) });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await api.request(path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const created = await call('POST', '/api/v2/webhooks', { url: `${receiver.base}/hook`, events: ['conversation.started'] }, admin);
  expect(created.status).toBe(201);
  const started = await call('POST', '/api/v1/conversations', { message: 'oi', customer: { name: 'Cliente' } });
  const conversationId = started.body.conversationId as string;
  const mine = () =>
    receiver.requests.filter((request) => JSON.parse(request.body).data?.conversationId === conversationId).map((request) => ({ id: String(request.headers['webhook-id']) }));

  await until(mine, (seen) => seen.length === 1, 'the first attempt (answered 500)');
  await app.stack.stopWorker();
  // the retry's timer comes due while no worker runs
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  expect(mine()).toHaveLength(1);
  await app.stack.startWorker();
  await until(mine, (seen) => seen.length === 2, 'the retry after the restart');
  // and nothing more: the delivery succeeded once
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  expect(mine()).toHaveLength(2);
  expect(new Set(mine().map((request) => request.id)).size).toBe(1);
  const log = await call('GET', `/api/v2/webhooks/${created.body.webhook.id}/deliveries`, undefined, admin);
  const delivery = log.body.deliveries.find((entry: { eventType: string }) => entry.eventType === 'conversation.started');
  expect(delivery).toMatchObject({ status: 'succeeded' });
  expect(delivery.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([500, 200]);
});

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { ensureWebhookDispatcher } from '../api/webhooks';
import { webhookDispatcherWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';

/**
 * A retry is a workflow timer: the worker may die while it waits, and the event is still delivered
 * once the worker is back — exactly once.
 */
const secret = randomUUID();
const app = appStackFor(secret, { webhooksAllowPrivate: true });
const requests: { id: string; conversationId?: string }[] = [];
const answers = [500];
let receiver: Server;
let base = '';

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ id: String(request.headers['webhook-id']), conversationId: JSON.parse(body).data?.conversationId });
      response.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // the first retry waits 3 s: long enough to stop the worker in between
  await ensureWebhookDispatcher(app.stack.client, app.stack.taskQueue, { scheduleMs: [0, 3_000, 3_000], waitMs: 2_000 });
});

afterAll(async () => {
  await app.stack.client.workflow.getHandle(webhookDispatcherWorkflowId(app.stack.taskQueue)).terminate('the test is over').catch(() => undefined);
  await new Promise((resolve) => receiver.close(resolve));
});

async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('when the worker dies while a retry waits, the event is delivered once it is back, exactly once', async () => {
  const api = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ webhooksAllowPrivate: true }) });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await api.request(path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  const created = await call('POST', '/api/v2/webhooks', { url: `${base}/hook`, events: ['conversation.started'] }, admin);
  expect(created.status).toBe(201);
  const started = await call('POST', '/api/v1/conversations', { message: 'oi', customer: { name: 'Cliente' } });
  const conversationId = started.body.conversationId as string;
  const mine = () => requests.filter((request) => request.conversationId === conversationId);

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

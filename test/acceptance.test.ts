import { createApp } from '../api/app';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { appStackFor, type AppStack } from './support/app-stack';

/**
 * Honest acceptance: with no worker polling, a message Temporal holds is answered 202 (not
 * 503), and applied exactly once when a worker returns, however often the client resends it.
 */
const secret = 'test-secret-for-acceptance-tests';
const suite = appStackFor(secret);

async function send(app: AppStack['app'], method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await app.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const customerTexts = async (conversationId: string, text: string) =>
  (await suite.stack.db.query("SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND role = 'customer' AND text = $2", [conversationId, text])).rows[0].n as number;

describe('a message while no worker polls', () => {
  test('when the deadline passes after Temporal took the message, then 202 with its id, and it is applied once when the worker returns', async () => {
    const { app } = suite.stack;
    const impatient = createApp({ client: suite.stack.client, db: suite.stack.db, config: suite.stack.config({ callTimeoutMs: 1_500 }) });
    const started = await send(app, 'POST', '/api/v1/conversations', { customer: { name: 'Rui' } });
    expect(started.status).toBe(201);
    const { conversationId, token } = started.body;
    const auth = { authorization: `Bearer ${token}` };

    await suite.stack.stopWorker();
    const text = 'preciso da segunda via do boleto';
    const first = await send(impatient, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text, messageId: 'typed-1' }, auth);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'accepted', conversationId, messageId: 'typed-1' });
    expect(first.headers.get('location')).toBe(`/api/v1/conversations/${conversationId}/messages`);
    const resent = await send(impatient, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text, messageId: 'typed-1' }, auth);
    expect(resent.status).toBe(202);

    await suite.stack.startWorker();
    const answered = await send(app, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text, messageId: 'typed-1' }, auth);
    expect(answered.status).toBe(200);
    expect(answered.body.replies.map((reply: { text: string }) => reply.text).join('\n')).toMatch(/CPF/);
    expect(await customerTexts(conversationId, text)).toBe(1);
    await suite.stack.client.workflow.getHandle(conversationWorkflowId(conversationId)).signal(closeSignal, { reason: 'test' });
  });

  test('when a start with an Idempotency-Key is retried, then it is the same conversation, greeted once', async () => {
    const { app } = suite.stack;
    const impatient = createApp({ client: suite.stack.client, db: suite.stack.db, config: suite.stack.config({ callTimeoutMs: 1_500 }) });
    const key = { 'idempotency-key': `start-${Date.now()}` };
    await suite.stack.stopWorker();
    const held = await send(impatient, 'POST', '/api/v1/conversations', { message: 'quero cancelar o seguro' }, key);
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ status: 'accepted', conversationId: expect.any(String), token: expect.any(String) });

    await suite.stack.startWorker();
    const again = await send(app, 'POST', '/api/v1/conversations', { message: 'quero cancelar o seguro' }, key);
    expect(again.status).toBe(201);
    expect(again.body.conversationId).toBe(held.body.conversationId);
    const once = await send(app, 'POST', '/api/v1/conversations', { message: 'quero cancelar o seguro' }, key);
    expect(once.body.conversationId).toBe(held.body.conversationId);
    expect(once.body.replies).toEqual(again.body.replies);
    expect(await customerTexts(held.body.conversationId, 'quero cancelar o seguro')).toBe(1);
    const other = await send(app, 'POST', '/api/v1/conversations', { message: 'quero cancelar o seguro' }, { 'idempotency-key': `other-${Date.now()}` });
    expect(other.body.conversationId).not.toBe(held.body.conversationId);
    for (const id of [held.body.conversationId, other.body.conversationId]) {
      await suite.stack.client.workflow.getHandle(conversationWorkflowId(id)).signal(closeSignal, { reason: 'test' });
    }
  });

  test('when a seed chat client resends while the message is held, then the derived id makes it the same message', async () => {
    const { app } = suite.stack;
    const impatient = createApp({ client: suite.stack.client, db: suite.stack.db, config: suite.stack.config({ callTimeoutMs: 1_500 }) });
    const seed = await send(app, 'POST', '/initial-message', { message: 'Ana' });
    const cookie = { cookie: seed.headers.get('set-cookie')!.split(';')[0]! };
    await suite.stack.stopWorker();
    const held = await send(impatient, 'POST', '/chat', { message: 'quero a segunda via do boleto' }, cookie);
    expect(held).toMatchObject({ status: 202, body: { status: 'Accepted' } });
    expect((await send(impatient, 'POST', '/chat', { message: 'quero a segunda via do boleto' }, cookie)).status).toBe(202);
    await suite.stack.startWorker();
    const answered = await send(app, 'POST', '/chat', { message: 'quero a segunda via do boleto' }, cookie);
    expect(answered.status).toBe(200);
    expect(await customerTexts(seed.body.Session, 'quero a segunda via do boleto')).toBe(1);
    await suite.stack.client.workflow.getHandle(conversationWorkflowId(seed.body.Session)).signal(closeSignal, { reason: 'test' });
  });
});

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp } from '../api/app';
import { createLogger } from '../lib/log';
import { appStackFor } from './support/app-stack';

/** The access log: one JSON line per request, with its id, route, status, tenant and conversation, and no secret. */
const secret = randomUUID();
const app = appStackFor(secret);

test("one turn's lines carry the same conversation id, the request ids and the tenant; tokens never appear", async () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logged = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config(), logger: createLogger('info', { destination, pretty: false }) });
  const started = await logged.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-start-1' }, body: JSON.stringify({ message: 'preciso da segunda via do boleto' }) });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  const turn = await logged.request(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: 'não sei meu cpf' }) });
  expect(turn.status).toBe(200);
  const bad = await logged.request(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{' });
  expect(bad.status).toBe(400);
  await new Promise((resolve) => setImmediate(resolve));

  const requests = lines.filter((line) => line.msg === 'request');
  expect(requests[0]).toMatchObject({ level: 'info', service: 'atende', requestId: 'req-start-1', method: 'POST', route: '/api/v1/conversations', status: 201 });
  const onConversation = requests.filter((line) => line.conversationId === conversationId);
  expect(onConversation).toHaveLength(2);
  expect(onConversation[0]).toMatchObject({ route: '/api/v1/conversations/:id/messages', status: 200, tenant: app.stack.tenantId, workflowId: `conversation-${conversationId}`, requestId: expect.any(String) });
  expect(onConversation[1]).toMatchObject({ level: 'warn', status: 400 });
  expect(typeof onConversation[0]!.durationMs).toBe('number');
  expect(JSON.stringify(lines)).not.toContain(token);
});

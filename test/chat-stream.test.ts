import { randomUUID } from 'node:crypto';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { appStackFor } from './support/app-stack';
import { validCpf } from './support/stack';
import { eventReader } from './support/sse';

/**
 * The v2 streaming chat: one customer turn of a durable conversation in the seed's event grammar
 * (progress, answer, metadata, done — or error), started by a service token and continued with the
 * customer token it hands back.
 */
const secret = randomUUID();
const app = appStackFor(secret);

interface ChatEvent {
  event: string;
  data: any;
}

async function chat(body: unknown, token: string, agent = 'default'): Promise<{ status: number; events: ChatEvent[] }> {
  const response = await app.stack.app.request(`/api/v2/agents/${agent}/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) return { status: response.status, events: [] };
  const reader = eventReader(response.body!);
  const events: ChatEvent[] = [];
  for (;;) {
    const next = JSON.parse((await reader.next()).data) as ChatEvent;
    events.push(next);
    if (next.event === 'done' || next.event === 'error') return { status: 200, events };
  }
}

test('a service token starts a conversation: progress, the answer in pieces, metadata with a customer token, then done with the whole reply', async () => {
  const service = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'site' });
  const first = await chat({ messages: [{ role: 'user', content: 'Olá, preciso da segunda via do boleto' }], context_data: { user_info: { name: 'João', email: 'joao@email.com' } } }, service);
  expect(first.status).toBe(200);
  const names = first.events.map((event) => event.event);
  expect(names[0]).toBe('progress');
  expect(names.at(-1)).toBe('done');
  expect(names.indexOf('metadata')).toBeGreaterThan(names.lastIndexOf('answer'));
  expect(names.filter((name) => name === 'answer').length).toBeGreaterThan(1);
  const done = first.events.at(-1)!.data;
  // the pieces, put together, are the whole reply, line breaks included
  expect(first.events.filter((event) => event.event === 'answer').map((event) => event.data).join('')).toBe(done.answer);
  expect(done.answer).toMatch(/João/);
  expect(done.answer).toMatch(/CPF/);
  const metadata = first.events.find((event) => event.event === 'metadata')!.data;
  expect(metadata).toMatchObject({ conversation_id: done.conversation_id, stage: 'collecting', script: { id: 'boleto' }, pending: { stepId: 'cpf' }, token: expect.any(String) });

  // the customer continues with the token it was handed; only the last user message is the turn
  const next = await chat(
    { conversation_id: done.conversation_id, messages: [{ role: 'user', content: 'Olá' }, { role: 'assistant', content: done.answer }, { role: 'user', content: validCpf }] },
    metadata.token,
  );
  expect(next.events.at(-1)).toMatchObject({ event: 'done', data: { conversation_id: done.conversation_id } });
  expect(next.events.find((event) => event.event === 'metadata')!.data).toMatchObject({ stage: 'collecting', pending: { stepId: 'parcela' } });
  expect(next.events.find((event) => event.event === 'metadata')!.data.token).toBeUndefined();

  // the same message id again is the same turn: the same reply, the answer not applied twice
  const again = await chat({ conversation_id: done.conversation_id, message_id: 'm-1', messages: [{ role: 'user', content: 'março' }] }, metadata.token);
  const repeat = await chat({ conversation_id: done.conversation_id, message_id: 'm-1', messages: [{ role: 'user', content: 'março' }] }, metadata.token);
  expect(repeat.events.at(-1)!.data.answer).toBe(again.events.at(-1)!.data.answer);
  const transcript = await app.stack.app.request(`/api/v1/conversations/${done.conversation_id}/messages`, { headers: { authorization: `Bearer ${metadata.token}` } });
  const said = ((await transcript.json()) as { messages: { role: string; text: string }[] }).messages.filter((message) => message.role === 'customer' && message.text === 'março');
  expect(said).toHaveLength(1);
});

test('refusals come before the stream: no token 401, a body without a user message 422 naming it, another tenant 403, an unknown conversation 404', async () => {
  const service = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'site' });
  expect((await app.stack.app.request('/api/v2/agents/default/chat/stream', { method: 'POST', body: '{}' })).status).toBe(401);
  const empty = await app.stack.app.request('/api/v2/agents/default/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
    body: JSON.stringify({ messages: [{ role: 'assistant', content: 'oi' }] }),
  });
  expect(empty.status).toBe(422);
  expect(((await empty.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe('messages');
  const first = await chat({ messages: [{ role: 'user', content: 'oi' }] }, service);
  const conversationId = first.events.at(-1)!.data.conversation_id;
  const stranger = await mintToken(secret, { role: 'agent', tenant: 'someone-else', subject: 'x' });
  expect((await chat({ conversation_id: conversationId, messages: [{ role: 'user', content: 'oi' }] }, stranger)).status).toBe(403);
  expect((await chat({ conversation_id: randomUUID(), messages: [{ role: 'user', content: 'oi' }] }, service)).status).toBe(404);
  expect((await chat({ messages: [{ role: 'user', content: 'oi' }] }, service, 'not an id!')).status).toBe(404);
});

test('when no worker answers in time, the stream ends with an error event (the message is kept and answered later)', async () => {
  const impatient = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ callTimeoutMs: 1_500 }) });
  const service = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'site' });
  const first = await chat({ messages: [{ role: 'user', content: 'oi' }] }, service);
  const { conversation_id: conversationId } = first.events.at(-1)!.data;
  const token = first.events.find((event) => event.event === 'metadata')!.data.token;
  await app.stack.stopWorker();
  try {
    const response = await impatient.request('/api/v2/agents/default/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ conversation_id: conversationId, messages: [{ role: 'user', content: 'preciso da segunda via do boleto' }] }),
    });
    const reader = eventReader(response.body!);
    const events: ChatEvent[] = [];
    for (let next = JSON.parse((await reader.next(20_000)).data); ; next = JSON.parse((await reader.next(20_000)).data)) {
      events.push(next);
      if (next.event === 'done' || next.event === 'error') break;
    }
    expect(events.map((event) => event.event)).toEqual(['progress', 'error']);
    expect(events[1]!.data).toMatchObject({ code: 'accepted_later' });
  } finally {
    await app.stack.startWorker();
  }
});

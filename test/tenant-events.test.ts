import { randomUUID } from 'node:crypto';
import { mintToken } from '../api/auth';
import { listEvents } from '../db/events';
import { eventDataSchemas } from '../domain/schemas';
import { appStackFor } from './support/app-stack';
import { eventReader } from './support/sse';

/**
 * The outbox and the tenant event stream: events written with the turns that caused them, in a
 * per-conversation order, and GET /api/v2/events/dashboard resuming with Last-Event-ID.
 */
const secret = randomUUID();
const app = appStackFor(secret);

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await app.stack.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function start(message: string) {
  const started = await call('POST', '/api/v1/conversations', { message, customer: { name: 'Cliente Eventos' } });
  expect(started.status).toBe(201);
  return started.body as { conversationId: string; token: string };
}

test('a conversation writes its events with its turns: started, every message, escalated, claimed, resolved, rated, in order and valid', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'ana' });
  const { conversationId, token } = await start('quero falar com um atendente');
  expect((await call('POST', `/api/v1/conversations/${conversationId}/claim`, undefined, agent)).status).toBe(200);
  expect((await call('POST', `/api/v1/conversations/${conversationId}/agent-messages`, { text: 'Oi, sou a Ana.' }, agent)).status).toBe(201);
  expect((await call('POST', `/api/v1/conversations/${conversationId}/resolve`, { note: 'Resolvido.' }, agent)).status).toBe(200);
  expect((await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'obrigado!' }, token)).status).toBe(200);
  expect((await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: '5' }, token)).status).toBe(200);

  const events = (await listEvents(app.stack.db, app.stack.tenantId, 0)).filter((event) => event.conversationId === conversationId);
  const types = events.map((event) => event.type);
  expect(types[0]).toBe('conversation.started');
  expect(types[1]).toBe('message.created');
  expect(events[1]!.data).toMatchObject({ role: 'customer', text: 'quero falar com um atendente', seq: 1 });
  const inOrder = ['conversation.started', 'conversation.escalated', 'conversation.claimed', 'conversation.resolved', 'csat.received'];
  expect(inOrder.map((type) => types.indexOf(type as (typeof types)[number])).every((at, index, all) => at >= 0 && (index === 0 || at > all[index - 1]!))).toBe(true);
  expect(events.find((event) => event.type === 'conversation.escalated')!.data).toMatchObject({ reason: 'customer_asked_for_human', via: 'inbox' });
  expect(events.find((event) => event.type === 'conversation.claimed')!.data).toEqual({ agentId: 'ana' });
  expect(events.find((event) => event.type === 'conversation.resolved')!.data).toMatchObject({ by: 'agent', protocol: expect.any(String) });
  expect(events.find((event) => event.type === 'csat.received')!.data).toEqual({ score: 5, comment: expect.anything() });
  expect(events.some((event) => event.type === 'message.created' && event.data.role === 'agent' && event.data.text === 'Oi, sou a Ana.')).toBe(true);
  expect(types).toContain('conversation.stage_changed');
  // one message.created per transcript line, each event valid against its schema, the conversation's sequence 1…n
  const transcript = await call('GET', `/api/v1/conversations/${conversationId}/messages`, undefined, token);
  expect(events.filter((event) => event.type === 'message.created')).toHaveLength(transcript.body.messages.length);
  for (const event of events) expect([event.type, eventDataSchemas[event.type].safeParse(event.data).success]).toEqual([event.type, true]);
  expect(events.map((event) => event.conversationSeq)).toEqual(events.map((_, index) => index + 1));
  expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
});

test('the tenant stream sends what happens next in the seed\'s shape, and a reconnect with Last-Event-ID misses and repeats nothing', async () => {
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'bruno' });
  const response = await app.stack.app.request('/api/v2/events/dashboard', { headers: { authorization: `Bearer ${agent}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const stream = eventReader(response.body!);
  const { conversationId, token } = await start('preciso da segunda via do boleto');

  const seen: { id: number; type: string; event: string; conversationId: string }[] = [];
  const read = async (reader: ReturnType<typeof eventReader>) => {
    const next = await reader.next();
    if (next.event === 'ping') return;
    const parsed = JSON.parse(next.data) as { type: string; event: string; data: { conversationId: string; seq: number } };
    expect(Number(next.id)).toBe(parsed.data.seq);
    seen.push({ id: Number(next.id), type: parsed.type, event: parsed.event, conversationId: parsed.data.conversationId });
  };
  while (!seen.some((event) => event.type === 'message_received')) await read(stream);
  expect(seen[0]).toMatchObject({ type: 'conversation_started', event: 'conversation.started', conversationId });
  expect(seen.find((event) => event.type === 'message_received')).toMatchObject({ event: 'message.created', conversationId });
  // read the rest of that turn, then hang up
  while (!seen.some((event) => event.event === 'conversation.stage_changed')) await read(stream);
  await stream.cancel();
  const lastSeen = seen.at(-1)!.id;

  // while nobody listens, the customer answers
  expect((await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: '529.982.247-25' }, token)).status).toBe(200);
  const missed = (await listEvents(app.stack.db, app.stack.tenantId, lastSeen)).map((event) => event.seq);
  expect(missed.length).toBeGreaterThan(0);

  const again = await app.stack.app.request('/api/v2/events/dashboard', { headers: { authorization: `Bearer ${agent}`, 'last-event-id': String(lastSeen) } });
  const resumed = eventReader(again.body!);
  const before = seen.length;
  while (seen.length - before < missed.length) await read(resumed);
  await resumed.cancel();
  expect(seen.slice(before).map((event) => event.id)).toEqual(missed);
  const ids = seen.map((event) => event.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort((a, b) => a - b)).toEqual(ids);
});

test('the stream is for staff of the tenant: no token 401, a customer 403, a bad Last-Event-ID 422', async () => {
  expect((await app.stack.app.request('/api/v2/events/dashboard')).status).toBe(401);
  const { token } = await start('oi');
  expect((await app.stack.app.request('/api/v2/events/dashboard', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'carla' });
  const bad = await app.stack.app.request('/api/v2/events/dashboard', { headers: { authorization: `Bearer ${agent}`, 'last-event-id': 'ontem' } });
  expect(bad.status).toBe(422);
});

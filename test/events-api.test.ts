import { mintToken } from '../api/auth';
import { startAppStack, type AppStack } from './support/app-stack';
import { eventReader, type ServerEvent } from './support/sse';

const secret = 'test-secret-for-events';

describe('the conversation event stream', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack(secret);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function post(path: string, body: unknown, token: string) {
    const response = await stack.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  test('when a client listens, then it gets the messages so far, then each new one as it is written, with its sequence number as the event id', async () => {
    const started = await post('/api/v1/conversations', { message: 'quero falar com um atendente' }, '');
    expect(started.status).toBe(201);
    const { conversationId, token } = started.body as { conversationId: string; token: string };
    const base = `/api/v1/conversations/${conversationId}`;
    // a person was asked for at once; the bot tells the waiting customer the team will answer
    await post(`${base}/messages`, { text: 'problema com minha apólice' }, token);

    const ticket = await post(`${base}/events/ticket`, {}, token);
    expect(ticket).toMatchObject({ status: 201, body: { expiresInSeconds: 60 } });
    const response = await stack.app.request(`${base}/events?ticket=${ticket.body.ticket}&after=2`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = eventReader(response.body!);
    const first = await events.next();
    expect(first).toMatchObject({ event: 'message', id: '3' });
    const backlog: ServerEvent[] = [first];
    for (let event = await events.next(); event.event === 'message'; event = await events.next()) backlog.push(event);
    const seqs = backlog.map((event) => Number(event.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(JSON.parse(backlog.at(-1)!.data).text).toMatch(/equipe/);

    const agent = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'ana' });
    expect((await post(`${base}/claim`, {}, agent)).status).toBe(200);
    expect((await post(`${base}/agent-messages`, { text: 'Oi, aqui é a Ana.' }, agent)).status).toBe(201);
    const seen: ServerEvent[] = [];
    while (!seen.some((event) => event.event === 'message' && JSON.parse(event.data).text === 'Oi, aqui é a Ana.')) seen.push(await events.next());
    const agentMessage = JSON.parse(seen.at(-1)!.data);
    expect(agentMessage).toMatchObject({ role: 'agent', seq: Number(seen.at(-1)!.id) });
    expect(Number(seen.at(-1)!.id)).toBeGreaterThan(seqs.at(-1)!);
    await events.cancel();
  });

  test('when the ticket is missing, another conversation\'s, or a bearer token in the URL, then the stream is refused; a ticket is no bearer token', async () => {
    const a = (await post('/api/v1/conversations', { message: 'oi' }, '')).body as { conversationId: string; token: string };
    const b = (await post('/api/v1/conversations', { message: 'oi' }, '')).body as { conversationId: string; token: string };
    expect((await stack.app.request(`/api/v1/conversations/${a.conversationId}/events`)).status).toBe(401);
    expect((await post(`/api/v1/conversations/${a.conversationId}/events/ticket`, {}, b.token)).status).toBe(403);
    const ticketB = (await post(`/api/v1/conversations/${b.conversationId}/events/ticket`, {}, b.token)).body.ticket as string;
    expect((await stack.app.request(`/api/v1/conversations/${a.conversationId}/events?ticket=${ticketB}`)).status).toBe(403);
    expect((await stack.app.request(`/api/v1/conversations/${a.conversationId}/events?ticket=${a.token}`)).status).toBe(401);
    expect((await stack.app.request(`/api/v1/conversations/${a.conversationId}/events?token=${a.token}`)).status).toBe(401);
    expect((await post(`/api/v1/conversations/${b.conversationId}/messages`, { text: 'oi' }, ticketB)).status).toBe(401);
    const ticketA = (await post(`/api/v1/conversations/${a.conversationId}/events/ticket`, {}, a.token)).body.ticket as string;
    const bad = await stack.app.request(`/api/v1/conversations/${a.conversationId}/events?ticket=${ticketA}&after=-1`);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed', issues: [{ path: 'after' }] });
  });
});

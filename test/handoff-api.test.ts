import { MindchatClient } from '../adapters/mindchat';
import { mintToken } from '../api/auth';
import { conversationWorkflowId } from '../workflows/messages';
import { searchAttributes } from '../workflows/messages';
import { startAppStack, type AppStack } from './support/app-stack';
import { startFakeMindchat, type FakeMindchat } from './support/fake-mindchat';
import { validCpf } from './support/stack';

const secret = 'test-secret-for-handoff';

async function request(stack: AppStack, method: string, path: string, body?: unknown, token?: string) {
  const response = await stack.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function startConversation(stack: AppStack, customer: Record<string, string> = { name: 'Maria Souza' }) {
  const started = await request(stack, 'POST', '/api/v1/conversations', { customer });
  expect(started.status).toBe(201);
  return started.body as { conversationId: string; token: string };
}

const agentToken = (stack: AppStack, subject: string, tenant = stack.tenantId) => mintToken(secret, { role: 'agent', tenant, subject });

async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asks for a person: honoured at once, whatever the bot was doing. */
async function escalate(stack: AppStack, conversation: { conversationId: string; token: string }) {
  const path = `/api/v1/conversations/${conversation.conversationId}/messages`;
  const done = await request(stack, 'POST', path, { text: 'quero falar com um atendente' }, conversation.token);
  expect(done.body.state.stage).toBe('escalated');
  return done;
}

describe('escalation to Mindchat on the real stack', () => {
  let stack: AppStack;
  let mindchat: FakeMindchat;
  let agent: string;

  beforeAll(async () => {
    mindchat = await startFakeMindchat();
    stack = await startAppStack(secret, {
      mindchat: new MindchatClient({ baseUrl: mindchat.baseUrl, token: mindchat.token, timeoutMs: 1_000 }),
      mindchatPollMs: 1_000,
      publicUrl: 'https://atende.example',
    });
    agent = await agentToken(stack, 'ana');
  });

  afterAll(async () => {
    await stack?.stop();
    await mindchat?.close();
  });

  const state = (conversationId: string) => async () => (await request(stack, 'GET', `/api/v1/conversations/${conversationId}`, undefined, agent)).body.state;

  test('when Mindchat fails half of the calls, some after storing, then the escalation leaves exactly one customer, one ticket and one transcript', async () => {
    // every other call fails: a 500 that stores nothing, or a reply held past the client's 1 s timeout after storing
    mindchat.plan(({ n }) => (n % 4 === 1 ? { status: 500 } : n % 4 === 3 ? { commitThenHangMs: 2_500 } : 'ok'));
    const conversation = await startConversation(stack, { name: 'Maria Souza', email: 'maria@exemplo.com' });
    await escalate(stack, conversation);
    const opened = await eventually(state(conversation.conversationId), (current) => current.escalation?.via === 'mindchat', 'the ticket');
    mindchat.plan(() => 'ok');

    const reference = `atende:${conversation.conversationId}:1`;
    expect(mindchat.customers).toHaveLength(1);
    expect(mindchat.customers[0]).toMatchObject({ email: 'maria@exemplo.com', name: 'Maria Souza' });
    expect(mindchat.tickets).toHaveLength(1);
    const ticket = mindchat.tickets[0]!;
    expect(ticket).toMatchObject({ external_reference: reference, customer_id: String(mindchat.customers[0]!.id), priority: 'low' });
    expect(ticket.subject).toBe('Atendimento — Segurozinho Seguros');
    expect(ticket.message).toContain(`https://atende.example/inbox#${conversation.conversationId}`);
    expect(ticket.message).toMatch(/Motivo: O cliente pediu para falar com uma pessoa/);
    expect(opened.escalation.ticketId).toBe(String(ticket.id));
    const transcripts = mindchat.messages.filter((message) => message.external_reference === `${reference}:transcript`);
    expect(transcripts).toHaveLength(1);
    expect(transcripts[0]!.message).toMatch(/Cliente: quero falar com um atendente/);
    expect(transcripts[0]!.message).toMatch(/Bot: /);

    const failed = mindchat.requests.filter((request) => request.fault !== 'ok');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.some((request) => typeof request.fault === 'object' && 'commitThenHangMs' in request.fault && request.method === 'POST')).toBe(true);
    expect(mindchat.requests.every((request) => request.authorized)).toBe(true);
    console.log(`escalation under faults: ${mindchat.requests.length} Mindchat calls, ${failed.length} of them failed`);

    const described = await stack.client.workflow.getHandle(conversationWorkflowId(conversation.conversationId)).describe();
    expect(described.typedSearchAttributes.get(searchAttributes.Handoff)).toBe('mindchat');
  });

  test('when the ticket is open, then the customer and the Mindchat agent talk through it until Mindchat resolves it', async () => {
    mindchat.plan(() => 'ok');
    const before = mindchat.requests.length;
    const conversation = await startConversation(stack, { name: 'João' });
    await escalate(stack, conversation);
    const opened = await eventually(state(conversation.conversationId), (current) => current.escalation?.via === 'mindchat', 'the ticket');
    const creating = mindchat.requests.slice(before).filter((request) => !(request.method === 'GET' && /^\/api\/tickets\/\d+$/.test(request.path)));
    console.log(`escalation without faults: ${creating.length} Mindchat calls (${creating.map((request) => `${request.method} ${request.path}`).join(', ')})`);
    const ticketId = Number(opened.escalation.ticketId);
    const messagesPath = `/api/v1/conversations/${conversation.conversationId}/messages`;

    const customerMessage = await request(stack, 'POST', messagesPath, { text: 'Meu número de apólice é 12345' }, conversation.token);
    expect(customerMessage.body.replies.map((reply: { text: string }) => reply.text).join()).toMatch(/nossa equipe/);
    await eventually(
      async () => mindchat.messages.filter((message) => String(message.ticket_id) === String(ticketId) && message.sender === 'customer'),
      (relayed) => relayed.length === 1,
      'the relayed message',
    );
    expect(mindchat.messages.find((message) => message.sender === 'customer' && String(message.ticket_id) === String(ticketId))?.message).toBe('Meu número de apólice é 12345');

    mindchat.agentWrites(ticketId, 'Olá João, aqui é a Carla. Já localizei sua apólice.');
    const withReply = await eventually(
      async () => (await request(stack, 'GET', messagesPath, undefined, conversation.token)).body.messages as { role: string; text: string }[],
      (messages) => messages.some((message) => message.role === 'agent'),
      "the Mindchat agent's reply",
    );
    expect(withReply.filter((message) => message.role === 'agent').map((message) => message.text)).toEqual(['Olá João, aqui é a Carla. Já localizei sua apólice.']);

    mindchat.setTicketStatus(ticketId, 'resolved');
    const resolved = await eventually(state(conversation.conversationId), (current) => current.stage === 'resolved', 'the resolution');
    expect(resolved.escalation.outcome).toBe('resolved');
    // the query sees the resolution as soon as the workflow does; its turn reaches Postgres a moment later
    const messages = await eventually(
      async () => (await request(stack, 'GET', messagesPath, undefined, conversation.token)).body.messages as { role: string; text: string }[],
      (current) => new RegExp(`chamado #${ticketId} foi concluído`).test(current.at(-1)?.text ?? ''),
      'the closing line in the transcript',
    );
    // the reply was shown once, however many polls saw it
    expect(messages.filter((message) => message.role === 'agent')).toHaveLength(1);
  });

  test('when Mindchat refuses the ticket with a 4xx, then it is not retried and the conversation waits in the inbox with the failure shown', async () => {
    mindchat.plan(({ method, path }) => (method === 'POST' && path === '/api/tickets' ? { status: 422 } : 'ok'));
    const before = mindchat.requests.length;
    const conversation = await startConversation(stack, { name: 'Rita' });
    await escalate(stack, conversation);
    const fallen = await eventually(state(conversation.conversationId), (current) => current.escalation?.via === 'inbox', 'the fallback', 20_000);
    expect(fallen.escalation.failure).toMatch(/422/);
    const posts = mindchat.requests.slice(before).filter((request) => request.method === 'POST' && request.path === '/api/tickets');
    expect(posts).toHaveLength(1);

    const inbox = await request(stack, 'GET', '/api/v1/inbox', undefined, agent);
    const item = inbox.body.items.find((candidate: { conversationId: string }) => candidate.conversationId === conversation.conversationId);
    expect(item).toMatchObject({ status: 'waiting', reason: 'customer_asked_for_human', failure: expect.stringMatching(/422/) });
    const described = await stack.client.workflow.getHandle(conversationWorkflowId(conversation.conversationId)).describe();
    expect(described.typedSearchAttributes.get(searchAttributes.Handoff)).toBe('inbox_fallback');
    mindchat.plan(() => 'ok');
  });
});

describe('the built-in agent inbox on the real stack', () => {
  let stack: AppStack;
  let ana: string;
  let bruno: string;

  beforeAll(async () => {
    stack = await startAppStack(secret);
    ana = await agentToken(stack, 'ana');
    bruno = await agentToken(stack, 'bruno');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test('claim → the agent talks while the bot is silent → handback → the bot resumes → a new escalation → resolve', async () => {
    const conversation = await startConversation(stack);
    const id = conversation.conversationId;
    await escalate(stack, conversation);

    const queue = await request(stack, 'GET', '/api/v1/inbox', undefined, ana);
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((candidate: { conversationId: string }) => candidate.conversationId === id);
    expect(item).toMatchObject({ status: 'waiting', reason: 'customer_asked_for_human', customer: { name: 'Maria Souza' }, claimedBy: null });
    expect(item.detail).toMatch(/quero falar com um atendente/);
    expect(new Date(item.waitingSince).getTime()).toBeLessThanOrEqual(Date.now());

    const claimed = await request(stack, 'POST', `/api/v1/conversations/${id}/claim`, undefined, ana);
    expect(claimed.status).toBe(200);
    expect(claimed.body.state).toMatchObject({ stage: 'with_agent', agent: { agentId: 'ana' } });
    const afterClaim = await request(stack, 'GET', '/api/v1/inbox', undefined, ana);
    expect(afterClaim.body.items.find((candidate: { conversationId: string }) => candidate.conversationId === id)).toMatchObject({ status: 'claimed', claimedBy: 'ana' });

    const silent = await request(stack, 'POST', `/api/v1/conversations/${id}/messages`, { text: 'oi, alguém?' }, conversation.token);
    expect(silent.status).toBe(200);
    expect(silent.body.replies).toEqual([]);
    const spoken = await request(stack, 'POST', `/api/v1/conversations/${id}/agent-messages`, { text: 'Oi Maria, sou a Ana. Vou te ajudar.', messageId: 'ana-1' }, ana);
    expect(spoken.status).toBe(201);
    const repeated = await request(stack, 'POST', `/api/v1/conversations/${id}/agent-messages`, { text: 'Oi Maria, sou a Ana. Vou te ajudar.', messageId: 'ana-1' }, ana);
    expect(repeated.status).toBe(201);
    const bybruno = await request(stack, 'POST', `/api/v1/conversations/${id}/agent-messages`, { text: 'eu também' }, bruno);
    expect(bybruno.status).toBe(409);
    expect(bybruno.body.error).toBe('not_holding_conversation');

    const seen = (await request(stack, 'GET', `/api/v1/conversations/${id}/messages`, undefined, conversation.token)).body.messages as { role: string; text: string }[];
    expect(seen.filter((message) => message.role === 'agent').map((message) => message.text)).toEqual(['Oi Maria, sou a Ana. Vou te ajudar.']);
    expect(seen.some((message) => message.role === 'system' && /ana \(atendente\) entrou/.test(message.text))).toBe(true);

    const back = await request(stack, 'POST', `/api/v1/conversations/${id}/handback`, undefined, ana);
    expect(back.status).toBe(200);
    expect(back.body.state.stage).toBe('identifying');
    expect(back.body.replies.map((reply: { text: string }) => reply.text).join()).toMatch(/Posso ajudar/);
    const bot = await request(stack, 'POST', `/api/v1/conversations/${id}/messages`, { text: 'preciso da segunda via do boleto' }, conversation.token);
    expect(bot.body.replies.map((reply: { text: string }) => reply.text).join()).toMatch(/CPF/);
    const handedBack = await request(stack, 'GET', '/api/v1/inbox?status=handed_back', undefined, ana);
    expect(handedBack.body.items.map((candidate: { id: string }) => candidate.id)).toContain(`${id}:1`);

    await request(stack, 'POST', `/api/v1/conversations/${id}/messages`, { text: validCpf }, conversation.token);
    const again = await request(stack, 'POST', `/api/v1/conversations/${id}/messages`, { text: 'quero falar com uma pessoa' }, conversation.token);
    expect(again.body.state).toMatchObject({ status: 'escalated', withAgent: false });
    const escalatedView = await request(stack, 'GET', `/api/v1/conversations/${id}`, undefined, bruno);
    expect(escalatedView.body.state.escalation).toMatchObject({ number: 2, reason: 'customer_asked_for_human' });
    expect((await request(stack, 'POST', `/api/v1/conversations/${id}/claim`, undefined, bruno)).status).toBe(200);
    const resolved = await request(stack, 'POST', `/api/v1/conversations/${id}/resolve`, { note: 'Enviei a segunda via para o seu e-mail.' }, bruno);
    expect(resolved.status).toBe(200);
    expect(resolved.body.state).toMatchObject({ stage: 'resolved', status: 'resolved', agent: null });
    const done = await request(stack, 'GET', '/api/v1/inbox?status=resolved', undefined, ana);
    expect(done.body.items.find((candidate: { id: string }) => candidate.id === `${id}:2`)).toMatchObject({ status: 'resolved', claimedBy: null });
    const last = (await request(stack, 'GET', `/api/v1/conversations/${id}/messages`, undefined, conversation.token)).body.messages.slice(-2);
    expect(last.map((message: { role: string }) => message.role)).toEqual(['agent', 'bot']);
  });

  test('when two agents claim at once, then one wins and the other gets 409', async () => {
    const conversation = await startConversation(stack);
    await escalate(stack, conversation);
    const path = `/api/v1/conversations/${conversation.conversationId}/claim`;
    const [first, second] = await Promise.all([request(stack, 'POST', path, undefined, ana), request(stack, 'POST', path, undefined, bruno)]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(loser.body).toMatchObject({ error: 'already_claimed', message: expect.stringMatching(/already claimed by (ana|bruno)/) });
  });

  test('the holder passes the conversation to another agent, who holds it from then on; nobody else can pass it, an admin can', async () => {
    const conversation = await startConversation(stack);
    await escalate(stack, conversation);
    const base = `/api/v1/conversations/${conversation.conversationId}`;
    expect((await request(stack, 'POST', `${base}/claim`, undefined, ana)).status).toBe(200);
    const carla = await agentToken(stack, 'carla');
    const stranger = await request(stack, 'POST', `${base}/assign`, { agentId: 'carla' }, bruno);
    expect(stranger.status).toBe(409);
    expect(stranger.body.error).toBe('not_holding_conversation');
    const passed = await request(stack, 'POST', `${base}/assign`, { agentId: 'bruno' }, ana);
    expect(passed.status).toBe(200);
    expect(passed.body.state.agent.agentId).toBe('bruno');
    expect((await request(stack, 'POST', `${base}/agent-messages`, { text: 'ainda sou eu' }, ana)).status).toBe(409);
    expect((await request(stack, 'POST', `${base}/agent-messages`, { text: 'Oi, aqui é o Bruno.' }, bruno)).status).toBe(201);
    const admin = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'rita' });
    expect((await request(stack, 'POST', `${base}/assign`, { agentId: 'carla' }, admin)).body.state.agent.agentId).toBe('carla');
    expect((await request(stack, 'POST', `${base}/agent-messages`, { text: 'Carla assumiu.' }, carla)).status).toBe(201);
    const transcript = await request(stack, 'GET', `${base}/messages`, undefined, carla);
    expect(transcript.body.messages.filter((message: { role: string }) => message.role === 'system').map((message: { text: string }) => message.text)).toEqual(
      expect.arrayContaining(['ana passou a conversa para bruno (atendente).', 'rita passou a conversa para carla (atendente).']),
    );
    const inbox = await request(stack, 'GET', '/api/v1/inbox?status=claimed', undefined, carla);
    expect(inbox.body.items.find((item: { conversationId: string }) => item.conversationId === conversation.conversationId).claimedBy).toBe('carla');
    expect((await request(stack, 'POST', `${base}/assign`, {}, carla)).body.issues[0].path).toBe('agentId');
  });

  test("a customer's token reaches none of the agent endpoints, and another tenant's agent none of this tenant's conversations", async () => {
    const conversation = await startConversation(stack);
    await escalate(stack, conversation);
    const id = conversation.conversationId;
    const agentCalls: [string, string, unknown?][] = [
      ['GET', '/api/v1/inbox'],
      ['POST', `/api/v1/conversations/${id}/claim`],
      ['POST', `/api/v1/conversations/${id}/agent-messages`, { text: 'sou um cliente fingindo' }],
      ['POST', `/api/v1/conversations/${id}/handback`],
      ['POST', `/api/v1/conversations/${id}/resolve`],
    ];
    for (const [method, path, body] of agentCalls) {
      const refused = await request(stack, method, path, body, conversation.token);
      expect([path, refused.status]).toEqual([path, 403]);
    }
    const stranger = await agentToken(stack, 'eva', 'another-tenant');
    expect((await request(stack, 'POST', `/api/v1/conversations/${id}/claim`, undefined, stranger)).status).toBe(403);
    expect((await request(stack, 'POST', `/api/v1/conversations/${id}/claim`)).status).toBe(401);
    const state = (await request(stack, 'GET', `/api/v1/conversations/${id}`, undefined, ana)).body.state;
    expect(state.agent).toBeNull();
  });

  test('bad agent input gets a 4xx naming the field, and nothing is written', async () => {
    const conversation = await startConversation(stack);
    await escalate(stack, conversation);
    const id = conversation.conversationId;
    expect((await request(stack, 'POST', `/api/v1/conversations/${id}/claim`, undefined, ana)).status).toBe(200);
    const empty = await request(stack, 'POST', `/api/v1/conversations/${id}/agent-messages`, { text: '   ' }, ana);
    expect(empty.status).toBe(422);
    expect(empty.body.issues).toEqual([expect.objectContaining({ path: 'text' })]);
    const extra = await request(stack, 'POST', `/api/v1/conversations/${id}/resolve`, { note: 'ok', closeTicket: true }, ana);
    expect(extra.status).toBe(422);
    expect(JSON.stringify(extra.body.issues)).toMatch(/closeTicket/);
    const badStatus = await request(stack, 'GET', '/api/v1/inbox?status=waiting,lost', undefined, ana);
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.issues[0].path).toBe('status');
    const messages = (await request(stack, 'GET', `/api/v1/conversations/${id}/messages`, undefined, ana)).body.messages as { role: string }[];
    expect(messages.filter((message) => message.role === 'agent')).toEqual([]);
    const notEscalated = await startConversation(stack);
    const refused = await request(stack, 'POST', `/api/v1/conversations/${notEscalated.conversationId}/claim`, undefined, ana);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('not_waiting_for_agent');
  });

  test('an admin sets the escalation policy; agents read it; bad values are refused naming the field', async () => {
    const admin = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'root' });
    const initial = await request(stack, 'GET', '/api/v1/settings/escalation', undefined, ana);
    expect(initial.body.policy).toMatchObject({ urgencyAtLeast: 'high', humanRequest: true, maxMatchMisses: 2, claimNoticeMinutes: 10 });
    expect((await request(stack, 'PUT', '/api/v1/settings/escalation', { humanRequest: false }, ana)).status).toBe(403);
    const bad = await request(stack, 'PUT', '/api/v1/settings/escalation', { urgencyAtLeast: 'sometimes', claimNoticeMinutes: 0 }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['claimNoticeMinutes', 'urgencyAtLeast']);
    const saved = await request(stack, 'PUT', '/api/v1/settings/escalation', { humanRequest: false, claimNoticeMinutes: 3 }, admin);
    expect(saved.status).toBe(200);
    expect((await request(stack, 'GET', '/api/v1/settings/escalation', undefined, ana)).body.policy).toMatchObject({ humanRequest: false, claimNoticeMinutes: 3 });

    // a new conversation takes the policy: asking for a person mid-script no longer escalates
    const conversation = await startConversation(stack);
    const path = `/api/v1/conversations/${conversation.conversationId}/messages`;
    await request(stack, 'POST', path, { text: 'preciso da segunda via do boleto' }, conversation.token);
    const asked = await request(stack, 'POST', path, { text: 'quero falar com um atendente' }, conversation.token);
    expect(asked.body.state.stage).toBe('collecting');
    await request(stack, 'PUT', '/api/v1/settings/escalation', {}, admin);
  });
});

import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type pg from 'pg';
import { createApp, type AppConfig } from '../api/app';
import { mintToken } from '../api/auth';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { invalidCpf, validCpf } from './support/stack';
import { startAppStack, type AppStack } from './support/app-stack';
import { freePort } from '../lib/process';

const secret = 'test-secret-for-api-tests';
let stack: AppStack;
let db: pg.Pool;
let tenantId: string;
let client: Client;
let app: AppStack['app'];
const config = (overrides: Partial<AppConfig> = {}) => stack.config(overrides);

beforeAll(async () => {
  stack = await startAppStack(secret);
  ({ db, tenantId, client, app } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

async function request(method: string, path: string, body?: unknown, token?: string, target = app) {
  const response = await target.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function startConversation(message?: string) {
  const started = await request('POST', '/api/v1/conversations', { message, customer: { name: 'João' } });
  expect(started.status).toBe(201);
  return started.body as { conversationId: string; token: string; replies: { text: string }[]; state: any };
}

const say = (id: string, token: string, text: string, messageId?: string) =>
  request('POST', `/api/v1/conversations/${id}/messages`, { text, ...(messageId ? { messageId } : {}) }, token);

describe('conversation API end to end (API → Temporal → worker → Postgres)', () => {
  test('a conversation goes greet → match → collect with a re-ask → resolve, and every message is in Postgres', async () => {
    const { conversationId, token, replies, state } = await startConversation('oi, preciso da segunda via do boleto');
    expect(replies.map((reply) => reply.text).join('\n')).toMatch(/Olá, João![\s\S]*Segunda via do boleto[\s\S]*CPF/);
    expect(state).toMatchObject({ stage: 'collecting', script: { id: 'boleto', version: 1 } });

    const reasked = await say(conversationId, token, invalidCpf);
    expect(reasked.status).toBe(200);
    expect(reasked.body.replies[0].text).toMatch(/CPF não é válido/);
    expect(reasked.body.state.pending.stepId).toBe('cpf');

    expect((await say(conversationId, token, validCpf)).body.state.pending.stepId).toBe('parcela');
    expect((await say(conversationId, token, 'abril')).body.state.pending.stepId).toBe('email');
    expect((await say(conversationId, token, 'joao@example.com')).body.state.stage).toBe('confirming');
    const done = await say(conversationId, token, 'sim');
    expect(done.body.state).toMatchObject({ stage: 'resolved', status: 'resolved' });
    expect(done.body.state.answers).toEqual({ cpf: validCpf, parcela: 'abril', email: 'joao@example.com' });

    const rows = await db.query('SELECT seq, role, text FROM messages WHERE conversation_id = $1 ORDER BY seq', [conversationId]);
    const customerTexts = rows.rows.filter((row) => row.role === 'customer').map((row) => row.text);
    expect(customerTexts).toEqual(['oi, preciso da segunda via do boleto', invalidCpf, validCpf, 'abril', 'joao@example.com', 'sim']);
    expect(rows.rows.map((row) => row.seq)).toEqual(rows.rows.map((_, index) => index + 1));
    const projection = await db.query('SELECT status, stage, protocol, answers FROM conversations WHERE id = $1', [conversationId]);
    expect(projection.rows[0]).toMatchObject({ status: 'resolved', stage: 'resolved', protocol: done.body.state.protocol });

    const listed = await request('GET', `/api/v1/conversations/${conversationId}/messages?after=2`, undefined, token);
    expect(listed.status).toBe(200);
    expect(listed.body.messages[0].seq).toBe(3);
    expect(listed.body.messages).toHaveLength(rows.rowCount! - 2);

    const fetched = await request('GET', `/api/v1/conversations/${conversationId}`, undefined, token);
    expect(fetched.body.state.protocol).toBe(done.body.state.protocol);

    // Visibility is eventually consistent: poll briefly for the search attributes.
    let found = 0;
    for (let attempt = 0; attempt < 40 && found === 0; attempt++) {
      for await (const execution of client.workflow.list({ query: `ConversationStatus="resolved" AND TenantId="${tenantId}"` })) {
        if (execution.workflowId === conversationWorkflowId(conversationId)) found++;
      }
      if (!found) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found).toBe(1);
  });

  test('when a messageId repeats, then the first answer returns and nothing changes', async () => {
    const { conversationId, token } = await startConversation('quero cancelar meu seguro');
    const first = await say(conversationId, token, validCpf, 'client-msg-1');
    const again = await say(conversationId, token, validCpf, 'client-msg-1');
    expect(again.status).toBe(200);
    expect(again.body.replies).toEqual(first.body.replies);
    const count = await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [conversationId]);
    expect(count.rows[0].n).toBe(first.body.state.messageCount);
    const state = await request('GET', `/api/v1/conversations/${conversationId}`, undefined, token);
    expect(state.body.state.messageCount).toBe(first.body.state.messageCount);
    expect(state.body.state.customerTurns).toBe(2);
  });

  test('bad bodies get 400/422 naming the field, and nothing is written', async () => {
    const { conversationId, token } = await startConversation();
    const before = await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [conversationId]);

    const notJson = await request('POST', `/api/v1/conversations/${conversationId}/messages`, '{"text":', token);
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('invalid_json');

    const missing = await request('POST', `/api/v1/conversations/${conversationId}/messages`, { txt: 'oi' }, token);
    expect(missing.status).toBe(422);
    expect(missing.body.issues.map((issue: { path: string }) => issue.path)).toEqual(['text']);

    const tooLong = await say(conversationId, token, 'a'.repeat(4001));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.issues[0].path).toBe('text');

    const badStart = await request('POST', '/api/v1/conversations', { customer: { email: 'nope' } });
    expect(badStart.status).toBe(422);
    expect(badStart.body.issues[0].path).toBe('customer.email');

    const unknownTenant = await request('POST', '/api/v1/conversations', { tenant: 'no-such-tenant' });
    expect(unknownTenant.status).toBe(422);
    expect(unknownTenant.body.issues[0].path).toBe('tenant');

    const after = await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [conversationId]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  test('tokens: missing or forged → 401, another customer or tenant → 403, unknown conversation → 404', async () => {
    const mine = await startConversation('oi');
    const theirs = await startConversation('oi');

    expect((await request('GET', `/api/v1/conversations/${mine.conversationId}`)).status).toBe(401);
    const forged = await mintToken('not-the-secret', { role: 'admin', tenant: tenantId });
    expect((await request('GET', `/api/v1/conversations/${mine.conversationId}`, undefined, forged)).status).toBe(401);

    const crossed = await say(theirs.conversationId, mine.token, 'oi de novo');
    expect(crossed.status).toBe(403);
    const otherTenantAgent = await mintToken(secret, { role: 'agent', tenant: 'someone-else' });
    expect((await request('GET', `/api/v1/conversations/${mine.conversationId}`, undefined, otherTenantAgent)).status).toBe(403);

    const agent = await mintToken(secret, { role: 'agent', tenant: tenantId });
    expect((await request('GET', `/api/v1/conversations/${mine.conversationId}/messages`, undefined, agent)).status).toBe(200);
    expect((await request('GET', `/api/v1/conversations/${randomUUID()}`, undefined, agent)).status).toBe(404);
    expect((await say(randomUUID(), agent, 'oi')).status).toBe(404);
  });

  test('a customer\'s token sees the customer view; staff see the whole state', async () => {
    const { conversationId, token, state } = await startConversation('sofri um acidente e estou muito irritado, quero falar com um humano');
    const internal = ['analysis', 'escalation', 'agent', 'persona', 'actions', 'tenantId', 'matchMisses', 'scriptSource', 'recentUpdates'];
    for (const key of internal) expect(state).not.toHaveProperty(key);
    expect(state).toMatchObject({ conversationId, stage: 'escalated', status: 'escalated', withAgent: false, protocol: expect.any(String) });
    const mine = await request('GET', `/api/v1/conversations/${conversationId}`, undefined, token);
    for (const key of internal) expect(mine.body.state).not.toHaveProperty(key);
    expect(JSON.stringify(mine.body)).not.toMatch(/systemPrompt|sentiment|urgency/);
    const agent = await mintToken(secret, { role: 'agent', tenant: tenantId, subject: 'view-agent' });
    const staff = await request('GET', `/api/v1/conversations/${conversationId}`, undefined, agent);
    expect(staff.body.state).toMatchObject({ tenantId, escalation: { reason: expect.any(String) }, analysis: { urgency: expect.any(String) } });
    const said = await say(conversationId, token, 'alguém aí?');
    expect(said.status).toBe(200);
    for (const key of internal) expect(said.body.state).not.toHaveProperty(key);
    const staffSaid = await say(conversationId, agent, 'o cliente pergunta se alguém está aí');
    expect(staffSaid.body.state).toMatchObject({ tenantId, escalation: { reason: expect.any(String) } });
    await client.workflow.getHandle(conversationWorkflowId(conversationId)).signal(closeSignal, { reason: 'test' });
  });

  test('when the conversation is closed, then a new message gets 409', async () => {
    const { conversationId, token } = await startConversation('quero falar com um atendente');
    const handle = client.workflow.getHandle(conversationWorkflowId(conversationId));
    await handle.signal(closeSignal, { reason: 'test' });
    await handle.result();
    const late = await say(conversationId, token, 'alguém aí?');
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('conversation_closed');
    const state = await request('GET', `/api/v1/conversations/${conversationId}`, undefined, token);
    expect(state.body.state.stage).toBe('closed');
  });

  test('when Temporal is unreachable, then the API answers 503 within its deadline and /healthz says so', async () => {
    const deadPort = await freePort();
    const lazy = Connection.lazy({ address: `127.0.0.1:${deadPort}` });
    const offline = createApp({ client: new Client({ connection: lazy }), db, config: config({ callTimeoutMs: 1_500 }) });
    const started = Date.now();
    const response = await request('POST', '/api/v1/conversations', { message: 'oi' }, undefined, offline);
    expect(response.status).toBe(503);
    expect(response.body.error).toBe('temporal_unavailable');
    expect(Date.now() - started).toBeLessThan(10_000);
    const health = await request('GET', '/healthz', undefined, undefined, offline);
    expect(health.status).toBe(503);
    expect(health.body.checks).toEqual({ temporal: 'unreachable', postgres: 'ok', worker: 'unknown' });
    // pgvector: whether this PostgreSQL has the extension (.ci/run builds it; db/vector.ts)
    const { rows: [vector] } = await db.query<{ on: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS on`);
    expect((await request('GET', '/healthz')).body).toEqual({ status: 'ok', checks: { temporal: 'ok', postgres: 'ok', worker: 'ok' }, details: { knowledgeSearch: 'fulltext', pgvector: vector!.on } });
    // a task queue nobody polls: Temporal is up, and the health check names what is missing
    const unpolled = createApp({ client, db, config: config({ taskQueue: `nobody-${randomUUID()}` }) });
    const lonely = await request('GET', '/healthz', undefined, undefined, unpolled);
    expect(lonely).toMatchObject({ status: 503, body: { status: 'degraded', checks: { temporal: 'ok', postgres: 'ok', worker: 'not_polling' } } });
    await lazy.close().catch(() => {});
  });

  test('the chat page is served at /', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('/api/v1/conversations');
  });
});

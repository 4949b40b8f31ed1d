import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { mintToken } from '../api/auth';
import { seguroCatalog } from '../eval/datasets';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { startAppStack, type AppStack } from './support/app-stack';
import { validCpf } from './support/stack';

const secret = 'test-secret-for-script-api';
let stack: AppStack;
let db: pg.Pool;
let tenantId: string;
let admin: string;
let agent: string;

beforeAll(async () => {
  stack = await startAppStack(secret);
  ({ db, tenantId } = stack);
  admin = await mintToken(secret, { role: 'admin', tenant: tenantId, subject: 'root' });
  agent = await mintToken(secret, { role: 'agent', tenant: tenantId, subject: 'ana' });
});

afterAll(async () => {
  await stack?.stop();
});

async function request(method: string, path: string, body?: unknown, token?: string, cookie?: string) {
  const response = await stack.app.request(path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(cookie ? { cookie } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any, headers: response.headers };
}

const script = (id: string, question = 'Qual é o seu CPF?') => ({
  id,
  title: 'Troca de titularidade',
  description: 'Passar a apólice para outra pessoa',
  examples: ['quero passar o seguro para o nome da minha esposa'],
  steps: [{ id: 'cpf', question, type: 'cpf' }],
});

async function tenantWithAdmin(): Promise<string> {
  const tenant = `t_${randomUUID().slice(0, 8)}`;
  await db.query(`INSERT INTO tenants (id, name) VALUES ($1, $1)`, [tenant]);
  return mintToken(secret, { role: 'admin', tenant, subject: 'root' });
}

describe('script admin API', () => {
  test('when an admin creates, edits and deletes a script, then every edit is a version and history stays', async () => {
    const created = await request('POST', '/api/v1/scripts', script('titularidade'), admin);
    expect(created.status).toBe(201);
    expect(created.body.script).toMatchObject({ id: 'titularidade', version: 1, active: true, onComplete: { action: 'resolve' } });
    expect((await request('POST', '/api/v1/scripts', script('titularidade'), admin)).status).toBe(409);

    const edited = await request('PUT', '/api/v1/scripts/titularidade', script('titularidade', 'Qual o CPF do novo titular?'), admin);
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ changed: true, script: { version: 2 } });
    const same = await request('PUT', '/api/v1/scripts/titularidade', { ...script('titularidade', 'Qual o CPF do novo titular?'), id: undefined }, admin);
    expect(same.body).toMatchObject({ changed: false, script: { version: 2 } });

    const versions = await request('GET', '/api/v1/scripts/titularidade/versions', undefined, agent);
    expect(versions.body.versions.map((version: any) => [version.version, version.steps[0].question])).toEqual([
      [2, 'Qual o CPF do novo titular?'],
      [1, 'Qual é o seu CPF?'],
    ]);
    expect((await request('GET', '/api/v1/scripts/titularidade', undefined, agent)).body.script.version).toBe(2);

    expect((await request('DELETE', '/api/v1/scripts/titularidade', undefined, admin)).status).toBe(204);
    expect((await request('GET', '/api/v1/scripts/titularidade', undefined, admin)).status).toBe(404);
    const listed = await request('GET', '/api/v1/scripts', undefined, admin);
    expect(listed.body.scripts.map((item: any) => item.id)).not.toContain('titularidade');
    expect(listed.body.scripts.map((item: any) => item.id)).toContain('boleto');
    expect((await request('GET', '/api/v1/scripts/titularidade/versions', undefined, admin)).body.versions[0]).toMatchObject({ version: 3, deleted: true });
  });

  test('when the caller is not an admin or the body is bad, then nothing is written and the error names the field', async () => {
    expect((await request('POST', '/api/v1/scripts', script('x1'), agent)).status).toBe(403);
    expect((await request('GET', '/api/v1/scripts')).status).toBe(401);
    const customer = await mintToken(secret, { role: 'customer', tenant: tenantId, conversation: randomUUID() });
    expect((await request('GET', '/api/v1/scripts', undefined, customer)).status).toBe(403);

    const bad = await request('POST', '/api/v1/scripts', { ...script('x2'), steps: [{ id: 'a', question: 'q?', type: 'rg' }] }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((issue: any) => issue.path)).toContain('steps.0.type');
    const choice = await request('POST', '/api/v1/scripts', { ...script('x3'), steps: [{ id: 'a', question: 'q?', type: 'choice' }] }, admin);
    expect(choice.body.issues.map((issue: any) => issue.path)).toContain('steps.0.options');
    const followUp = await request('POST', '/api/v1/scripts', { ...script('x4'), followUps: [{ after: 'logo', message: 'Deu certo?', onReply: 'sumir' }] }, admin);
    expect(followUp.status).toBe(422);
    expect(followUp.body.issues.map((issue: any) => issue.path)).toEqual(expect.arrayContaining(['followUps.0.after', 'followUps.0.onReply']));
    const mismatch = await request('PUT', '/api/v1/scripts/boleto', script('outro'), admin);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.issues[0].path).toBe('id');
    expect((await request('PUT', '/api/v1/scripts/nao-existe', script('nao-existe'), admin)).status).toBe(404);
    const rows = await db.query(`SELECT count(*)::int AS n FROM scripts WHERE tenant_id = $1 AND id IN ('x1', 'x2', 'x3', 'x4', 'outro', 'nao-existe')`, [tenantId]);
    expect(rows.rows[0].n).toBe(0);
  });

  test('when a script declares follow-ups, then they are stored with it and read back with their defaults', async () => {
    const created = await request('POST', '/api/v1/scripts', { ...script('com-retorno'), followUps: [{ after: '2h', message: 'Conseguiu pagar?' }] }, admin);
    expect(created.status).toBe(201);
    const read = await request('GET', '/api/v1/scripts/com-retorno', undefined, agent);
    expect(read.body.script.followUps).toEqual([{ after: '2h', message: 'Conseguiu pagar?', onReply: 'match' }]);
  });

  test('when a catalog is imported, then export returns it and a second import changes nothing; a bad catalog writes nothing', async () => {
    const token = await tenantWithAdmin();
    const catalog = seguroCatalog();
    const imported = await request('POST', '/api/v1/scripts/import', catalog, token);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 14, changed: 14 });
    const again = await request('POST', '/api/v1/scripts/import', catalog, token);
    expect(again.body).toMatchObject({ imported: 14, changed: 0 });

    const exported = await request('GET', '/api/v1/scripts/export', undefined, token);
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe('script-catalog/v1');
    expect(exported.body.business.name).toBe('Segurozinho Seguros');
    const byId = (list: any[]) => Object.fromEntries(list.map((item) => [item.id, item]));
    expect(byId(exported.body.scripts)).toEqual(byId(catalog.scripts));

    const broken = { ...catalog, scripts: [...catalog.scripts.slice(0, 2).map((item) => ({ ...item, title: `${item.title} (novo)` })), { id: 'Bad Id', title: '', steps: [] }] };
    const rejected = await request('POST', '/api/v1/scripts/import', broken, token);
    expect(rejected.status).toBe(422);
    expect(rejected.body.issues.map((issue: any) => issue.path)).toEqual(expect.arrayContaining(['scripts.2.id', 'scripts.2.title', 'scripts.2.steps']));
    const after = await request('GET', '/api/v1/scripts/export', undefined, token);
    expect(byId(after.body.scripts)).toEqual(byId(catalog.scripts));
  });

  test('when a script is edited mid-conversation, then the live conversation keeps the version it matched', async () => {
    const demand = 'quero fazer uma cotação de seguro viagem';
    const started = await request('POST', '/api/v1/conversations', { message: demand });
    expect(started.body.state.script).toMatchObject({ id: 'cotacao', version: 1 });
    expect(started.body.state.answers).toEqual({ tipo: 'viagem' });
    const { version: _v, createdAt: _c, deleted: _d, ...current } = (await request('GET', '/api/v1/scripts/cotacao', undefined, admin)).body.script;
    const edited = await request('PUT', '/api/v1/scripts/cotacao', { ...current, steps: [{ id: 'email', question: 'Seu e-mail?', type: 'email' }] }, admin);
    expect(edited.body.script.version).toBe(2);
    const next = await request('POST', `/api/v1/conversations/${started.body.conversationId}/messages`, { text: 'ana@exemplo.com' }, started.body.token);
    expect(next.body.state.script.version).toBe(1);
    expect(next.body.state.pending.stepId).toBe('whatsapp');
    const fresh = await request('POST', '/api/v1/conversations', { message: demand });
    expect(fresh.body.state.script).toMatchObject({ id: 'cotacao', version: 2 });
    for (const id of [started.body.conversationId, fresh.body.conversationId]) {
      await stack.client.workflow.getHandle(conversationWorkflowId(id)).signal(closeSignal, { reason: 'test' });
    }
  });

  test('when an agent re-scripts a conversation, then it continues with the new script; customers may not', async () => {
    const started = await request('POST', '/api/v1/conversations', { message: 'segunda via do boleto' });
    const { conversationId, token } = started.body;
    await request('POST', `/api/v1/conversations/${conversationId}/messages`, { text: validCpf }, token);
    expect((await request('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId: 'cancelamento' }, token)).status).toBe(403);
    const unknown = await request('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId: 'nope' }, agent);
    expect(unknown.status).toBe(422);
    expect(unknown.body.issues[0].path).toBe('scriptId');
    const changed = await request('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId: 'cancelamento' }, agent);
    expect(changed.status).toBe(200);
    expect(changed.body.state).toMatchObject({ scriptSource: 'agent', answers: { cpf: validCpf }, pending: { stepId: 'motivo' } });
    const messages = await request('GET', `/api/v1/conversations/${conversationId}/messages`, undefined, token);
    expect(messages.body.messages.some((message: any) => message.role === 'system' && /agent:ana/.test(message.text))).toBe(true);
    await stack.client.workflow.getHandle(conversationWorkflowId(conversationId)).signal(closeSignal, { reason: 'test' });
  });
});

describe('learning from agents', () => {
  test('when an agent re-scripts a conversation, then the customer\'s demand becomes an example of the chosen script, once', async () => {
    const before = await request('GET', '/api/v1/scripts/sinistro/versions', undefined, agent);
    // words the catalog has never seen: the matcher cannot place them yet
    const demand = 'o portão automático desceu em cima do capô';
    const started = await request('POST', '/api/v1/conversations', { message: `oi, ${demand}` });
    const { conversationId } = started.body;
    expect(started.body.state.script).toBeNull();
    const changed = await request('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId: 'sinistro' }, agent);
    expect(changed.status).toBe(200);
    expect(changed.body.learned).toMatchObject({ scriptId: 'sinistro', example: expect.stringContaining(demand) });
    const after = await request('GET', '/api/v1/scripts/sinistro', undefined, agent);
    expect(after.body.script.version).toBe(before.body.versions[0].version + 1);
    expect(after.body.script.examples).toContainEqual(expect.stringContaining(demand));
    // the next customer who says it that way is understood at once; the same demand teaches nothing new
    const second = await request('POST', '/api/v1/conversations', { message: `oi, ${demand}` });
    expect(second.body.state.script?.id).toBe('sinistro');
    const again = await request('POST', `/api/v1/conversations/${second.body.conversationId}/script`, { scriptId: 'sinistro' }, agent);
    expect(again.body.learned).toBeNull();
    for (const id of [conversationId, second.body.conversationId]) await stack.client.workflow.getHandle(conversationWorkflowId(id)).signal(closeSignal, { reason: 'test' });
  });

  test('when the tenant opts out, then a re-script teaches nothing; only admins may change it', async () => {
    expect((await request('GET', '/api/v1/settings/learning', undefined, agent)).body).toEqual({ learning: { fromAgents: true } });
    expect((await request('PUT', '/api/v1/settings/learning', { fromAgents: false }, agent)).status).toBe(403);
    const bad = await request('PUT', '/api/v1/settings/learning', { fromAgents: 'no' }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body.issues[0].path).toBe('fromAgents');
    expect((await request('PUT', '/api/v1/settings/learning', { fromAgents: false }, admin)).status).toBe(200);
    const before = await request('GET', '/api/v1/scripts/cancelamento', undefined, agent);
    const started = await request('POST', '/api/v1/conversations', { message: 'quero desfazer o contrato do carro que vendi' });
    const changed = await request('POST', `/api/v1/conversations/${started.body.conversationId}/script`, { scriptId: 'cancelamento' }, agent);
    expect(changed.status).toBe(200);
    expect(changed.body.learned).toBeNull();
    expect((await request('GET', '/api/v1/scripts/cancelamento', undefined, agent)).body.script.version).toBe(before.body.script.version);
    await request('PUT', '/api/v1/settings/learning', { fromAgents: true }, admin);
    await stack.client.workflow.getHandle(conversationWorkflowId(started.body.conversationId)).signal(closeSignal, { reason: 'test' });
  });
});

describe('seed contracts', () => {
  test('when a chat client follows the seed flow, then the session cookie carries the conversation', async () => {
    const started = await request('POST', '/initial-message', { message: 'Ana Lima' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ Name: 'Ana Lima', Session: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(started.body.answer).toMatch(/Olá, Ana!/);
    const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
    expect(started.headers.get('set-cookie')).toMatch(/HttpOnly/);

    const first = await request('POST', '/chat', { message: 'quero a segunda via do boleto' }, undefined, cookie);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ steps: '0/3', is_final_step: 'False' });
    expect(first.body.answer).toMatch(/CPF/);
    const ai = await request('POST', '/chat_ai', { message: validCpf }, undefined, cookie);
    expect(ai.status).toBe(200);
    expect(Object.keys(ai.body)).toEqual(['answer']);
    await request('POST', '/chat', { message: 'março' }, undefined, cookie);
    const last = await request('POST', '/chat', { message: 'ana@exemplo.com' }, undefined, cookie);
    expect(last.body).toMatchObject({ steps: '3/3', is_final_step: 'True' });
    await stack.client.workflow.getHandle(conversationWorkflowId(started.body.Session)).signal(closeSignal, { reason: 'test' });
  });

  test('when a seed request is malformed, then it gets 400 { status: "Error", message } naming the field', async () => {
    const noName = await request('POST', '/initial-message', {});
    expect(noName).toMatchObject({ status: 400, body: { status: 'Error', message: expect.stringContaining('message') } });
    expect((await request('POST', '/initial-message', 'not json')).body.status).toBe('Error');
    const noSession = await request('POST', '/chat', { message: 'oi' });
    expect(noSession).toMatchObject({ status: 401, body: { status: 'Error' } });
    const started = await request('POST', '/initial-message', { message: 'Ana' });
    const cookie = started.headers.get('set-cookie')!.split(';')[0]!;
    const empty = await request('POST', '/chat', { message: '' }, undefined, cookie);
    expect(empty).toMatchObject({ status: 400, body: { status: 'Error', message: expect.stringContaining('message') } });
    await stack.client.workflow.getHandle(conversationWorkflowId(started.body.Session)).signal(closeSignal, { reason: 'test' });
  });

  test('the seed script endpoints list and insert scripts for the token tenant', async () => {
    const listed = await request('GET', '/api/v1/script', undefined, admin);
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.body.scripts).map((item: any) => item.id)).toContain('boleto');
    const inserted = await request('POST', '/api/v1/script', { args: script('seed_insert') }, admin);
    expect(inserted.status).toBe(201);
    expect(inserted.body).toMatchObject({ status: 'Success', script: { id: 'seed_insert', version: 1 } });
    const bad = await request('POST', '/api/v1/script', { args: { ...script('seed_bad'), steps: [] } }, admin);
    expect(bad).toMatchObject({ status: 400, body: { status: 'Error', message: expect.stringContaining('args.steps') } });
    expect((await request('POST', '/api/v1/script', { args: script('seed_x') }, agent)).status).toBe(403);
  });
});

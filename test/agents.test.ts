import { randomUUID } from 'node:crypto';
import { mintToken } from '../api/auth';
import { caller } from './support/api';
import { appStackFor } from './support/app-stack';
import { eventReader } from './support/sse';
import { until } from './support/until';

/**
 * Agents (/api/v2/agents): bot profiles a conversation keeps — the scripts it may start, the
 * knowledge collections it answers from, its escalation overrides. `default` always exists.
 */
const secret = randomUUID();
const app = appStackFor(secret);

const call = caller(() => app.stack.app);

let admin: string;
beforeAll(async () => {
  admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
});

async function start(message: string, agentId?: string) {
  return call('POST', '/api/v1/conversations', { message, ...(agentId ? { agentId } : {}) }, admin);
}

test('the default agent always exists; admins create others, named by a slug of their name', async () => {
  const listed = await call('GET', '/api/v2/agents', undefined, admin);
  expect(listed.body.agents[0]).toMatchObject({ id: 'default', scripts: 'all', collections: 'all', language: 'pt-BR' });
  const created = await call('POST', '/api/v2/agents', { name: 'Só Boletos', scripts: ['boleto'], collections: ['financeiro'] }, admin);
  expect(created.status).toBe(201);
  expect(created.body.agent).toMatchObject({ id: 'so-boletos', scripts: ['boleto'], collections: ['financeiro'], model: null });
  expect((await call('POST', '/api/v2/agents', { name: 'Só Boletos' }, admin)).status).toBe(409);
  expect((await call('POST', '/api/v2/agents', { id: 'default', name: 'Outro' }, admin)).status).toBe(409);
  const badModel = await call('POST', '/api/v2/agents', { name: 'Com modelo', model: randomUUID() }, admin);
  expect(badModel.status).toBe(422);
  expect(JSON.stringify(badModel.body)).toContain('model');
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'agent' });
  expect((await call('POST', '/api/v2/agents', { name: 'X' }, agent)).status).toBe(403);
  expect((await call('GET', '/api/v2/agents/so-boletos', undefined, agent)).body.agent.name).toBe('Só Boletos');
});

test("an agent starts only its own scripts: a crash report is not taken by the billing agent, a boleto is", async () => {
  const crash = await start('bati o carro no poste agora há pouco', 'so-boletos');
  expect(crash.status).toBe(201);
  expect(crash.body.state.script).toBeNull();
  expect(crash.body.replies.map((reply: { text: string }) => reply.text).join('\n')).not.toMatch(/sinistro/i);
  const boleto = await start('preciso da segunda via do boleto', 'so-boletos');
  expect(boleto.body.state.script).toMatchObject({ id: 'boleto' });
  const general = await start('bati o carro no poste agora há pouco');
  expect(general.body.state.script).toMatchObject({ id: 'sinistro' });
  // the settings' default agent takes the conversations that name none
  expect((await call('PATCH', '/api/v2/settings', { defaultAgent: 'so-boletos' }, admin)).status).toBe(200);
  expect((await start('bati o carro no poste agora há pouco')).body.state.script).toBeNull();
  expect((await start('bati o carro no poste agora há pouco', 'default')).body.state.script).toMatchObject({ id: 'sinistro' });
  expect((await call('PATCH', '/api/v2/settings', { defaultAgent: 'default' }, admin)).status).toBe(200);
});

test('an agent answers only from its own knowledge collections', async () => {
  const data = new FormData();
  data.set('file', new File([new TextEncoder().encode('# Ouvidoria\n\nA ouvidoria atende pelo telefone 0800 777 1234.\n')], 'ouvidoria.md'));
  data.set('collection', 'atendimento');
  const uploaded = await call('POST', '/api/v2/knowledge/upload', data, admin);
  await until(async () => (await call('GET', `/api/v2/knowledge/documents/${uploaded.body.document.id}`, undefined, admin)).body.document.status, (status) => status === 'ready', 'the document');
  const general = await start('qual o telefone da ouvidoria?');
  expect(general.body.replies.map((reply: { text: string }) => reply.text).join('\n')).toMatch(/0800 777 1234/);
  const billing = await start('qual o telefone da ouvidoria?', 'so-boletos');
  expect(billing.body.replies.map((reply: { text: string }) => reply.text).join('\n')).not.toMatch(/0800 777 1234/);
});

test("the v2 chat's agent_id is the agent: the billing agent's stream refuses the crash too", async () => {
  const service = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'site' });
  const response = await app.stack.app.request('/api/v2/agents/so-boletos/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'bati o carro no poste agora há pouco' }] }),
  });
  const reader = eventReader(response.body!);
  let metadata: any;
  for (;;) {
    const next = JSON.parse((await reader.next(20_000)).data);
    if (next.event === 'metadata') metadata = next.data;
    if (next.event === 'done' || next.event === 'error') break;
  }
  expect(metadata).toMatchObject({ agent_id: 'so-boletos', script: null });
});

test("an agent's escalation override holds for its conversations; the default cannot be deleted, another can", async () => {
  expect((await call('PATCH', '/api/v2/agents/so-boletos', { escalation: { humanRequest: false } }, admin)).body.agent.escalation).toEqual({ humanRequest: false });
  const kept = await start('quero falar com um atendente', 'so-boletos');
  expect(kept.body.state.stage).not.toBe('escalated');
  const handed = await start('quero falar com um atendente');
  expect(handed.body.state.stage).toBe('escalated');

  expect((await call('DELETE', '/api/v2/agents/default', undefined, admin)).status).toBe(409);
  expect((await call('DELETE', '/api/v2/agents/so-boletos', undefined, admin)).body).toEqual({ deleted: true });
  const gone = await start('oi', 'so-boletos');
  expect(gone.status).toBe(422);
  expect(JSON.stringify(gone.body)).toContain('agentId');
});

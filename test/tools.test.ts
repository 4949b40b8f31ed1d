import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../api/app';
import { mintToken } from '../api/auth';
import { ensureWebhookDispatcher } from '../api/webhooks';
import { parseSecretKeys, secretBox } from '../lib/secrets';
import { webhookDispatcherWorkflowId } from '../workflows/messages';
import { appStackFor } from './support/app-stack';
import { webhookReceiver } from './support/receiver';
import { validCpf } from './support/stack';
import { until } from './support/until';

/**
 * Agent tools through real conversations: a script's onComplete.tools run when the customer
 * confirms — a calculator over the answers, an http call to a local service (with a secret
 * header), a lead stored and listed, a signed webhook, a knowledge search, a form collected next —
 * and a tool that times out is told to the customer while the conversation goes on.
 */
const secret = randomUUID();
const app = appStackFor(secret, { secrets: secretBox(parseSecretKeys(undefined, secret)), webhooksAllowPrivate: true, warn: () => undefined });
const serviceKey = 'svc-key-9f8e7d6c';
/** A second valid CPF (check digits computed) for the lookup test. */
const otherCpf = '12345678909';

/** The insurer's policy service: answers a lookup by CPF; /slow never answers in time. */
const calls: { path: string; method: string; authorization?: string; idempotencyKey?: string; body: string }[] = [];
let service: http.Server;
let serviceBase = '';
beforeAll(async () => {
  service = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push({ path: request.url ?? '', method: request.method ?? '', authorization: request.headers.authorization, idempotencyKey: request.headers['idempotency-key'] as string | undefined, body });
      if (request.url?.startsWith('/slow')) return void setTimeout(() => response.end('{}'), 5_000);
      if (request.url?.startsWith('/apolices/')) {
        // by CPF: one customer has a policy (its plate well formed), another one whose plate is not
        const cpf = decodeURIComponent(request.url.slice('/apolices/'.length));
        if (cpf === validCpf) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ policies: [{ number: 'AUTO-7781', vehicle: { plate: 'BRA2E19' } }] }));
        if (cpf === otherCpf) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ policies: [{ number: 'AUTO-9000', vehicle: { plate: 'não informada' } }] }));
        return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
      if (request.headers.authorization !== `Bearer ${serviceKey}`) return void response.writeHead(401).end('{}');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ policy: { number: 'AUTO-123', status: 'ativa' } }));
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceBase = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});
afterAll(async () => {
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

let signingSecret = '';
const received: { type: string; body: any; verified: boolean }[] = [];
const receiver = webhookReceiver(({ headers, body }) => {
  const parsed = JSON.parse(body);
  let verified = false;
  try {
    new Webhook(signingSecret).verify(body, { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) });
    verified = true;
  } catch {
    verified = false;
  }
  received.push({ type: parsed.type, body: parsed, verified });
  return 200;
});

let api: ReturnType<typeof createApp>;
let admin: string;
beforeAll(async () => {
  api = createApp({ client: app.stack.client, db: app.stack.db, config: app.stack.config({ webhooksAllowPrivate: true }) });
  admin = await mintToken(secret, { role: 'admin', tenant: app.stack.tenantId, subject: 'admin' });
  await ensureWebhookDispatcher(app.stack.client, app.stack.taskQueue, { scheduleMs: [0, 300, 300], waitMs: 2_000 });
});
afterAll(async () => {
  await app.stack.client.workflow.getHandle(webhookDispatcherWorkflowId(app.stack.taskQueue)).terminate('the test is over').catch(() => undefined);
});

async function call(method: string, path: string, body?: unknown, token: string | undefined = admin) {
  const response = await api.request(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

async function tool(definition: Record<string, unknown>): Promise<string> {
  const created = await call('POST', '/api/v2/agents/default/tools', definition);
  expect(created.status).toBe(201);
  return created.body.tool.id as string;
}

/** A script whose completion runs `tools`, saved under a fresh id. */
async function scriptWith(tools: string[]): Promise<string> {
  const id = `simulacao-${randomUUID().slice(0, 8)}`;
  const saved = await call('POST', '/api/v1/scripts', {
    id,
    title: `Simulação de parcelamento ${id.slice(-8)}`,
    description: 'Simular o parcelamento do seguro',
    examples: ['quero simular o parcelamento do seguro'],
    steps: [
      { id: 'cpf', question: 'Qual é o seu CPF?', type: 'cpf' },
      { id: 'valor', question: 'Qual o valor total do seguro?', type: 'money' },
      { id: 'parcelas', question: 'Em quantas parcelas?', type: 'text', label: 'parcelas' },
      { id: 'email', question: 'Qual é o seu e-mail?', type: 'email' },
    ],
    onComplete: { action: 'resolve', tools },
  });
  expect(saved.status).toBe(201);
  return id;
}

/** Starts the script by an agent's re-script (no matcher guesswork), answers it, confirms; the replies to "sim". */
async function runScript(scriptId: string, name = 'Cliente Ferramentas') {
  const started = await call('POST', '/api/v1/conversations', { customer: { name } }, undefined);
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  expect((await call('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId })).status).toBe(200);
  for (const text of [validCpf, 'R$ 1.500,00', '12', 'maria@exemplo.com']) await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text }, token);
  const done = await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'sim' }, token);
  return { conversationId, token, reply: (done.body.replies as { text: string; sources?: unknown[] }[]).map((line) => line.text).join('\n'), replies: done.body.replies as { text: string; sources?: { title: string }[] }[], state: done.body.state };
}

test('a calculator, an http lookup with a secret header, a lead and a signed webhook run when the customer confirms', async () => {
  const endpoint = await call('POST', '/api/v2/webhooks', { url: `${receiver.base}/crm`, events: ['conversation.resolved'] });
  signingSecret = endpoint.body.secret;
  const calculator = await tool({ name: 'Valor da parcela', type: 'calculator', config: { expression: 'round(valor / parcelas, 2)', say: 'Cada parcela fica em R$ {{result}}.' } });
  const lookup = await tool({
    name: 'Consulta de apólice',
    type: 'http',
    config: { method: 'GET', url: `${serviceBase}/policies?cpf={{answers.cpf}}`, headers: { Authorization: 'Bearer {{secrets.SERVICE_KEY}}' }, say: 'Sua apólice {{response.policy.number}} está {{response.policy.status}}.' },
    secrets: { SERVICE_KEY: serviceKey },
  });
  const lead = await tool({ name: 'Lead', type: 'lead_capture', config: {} });
  const webhook = await tool({ name: 'Avisar o CRM', type: 'webhook', config: { webhookId: endpoint.body.webhook.id } });
  const { conversationId, reply, state } = await runScript(await scriptWith([calculator, lookup, lead, webhook]));

  expect(reply).toContain('Cada parcela fica em R$ 125,00.');
  expect(reply).toContain('Sua apólice AUTO-123 está ativa.');
  expect(reply).toMatch(/protocolo/);
  expect(state.stage).toBe('resolved');
  // the secret went to the service and nowhere else
  expect(calls.find((entry) => entry.path.startsWith('/policies'))).toMatchObject({ method: 'GET', authorization: `Bearer ${serviceKey}`, path: `/policies?cpf=${encodeURIComponent(validCpf)}` });
  const listed = await call('GET', '/api/v2/agents/default/tools');
  expect(listed.text).not.toContain(serviceKey);
  expect(listed.body.tools.find((entry: { id: string }) => entry.id === lookup).secrets).toEqual(['SERVICE_KEY']);

  const leads = (await call('GET', '/api/v2/leads')).body.leads as { conversationId: string; name: string; email: string; fields: Record<string, string> }[];
  expect(leads.find((entry) => entry.conversationId === conversationId)).toMatchObject({ name: 'Cliente Ferramentas', email: 'maria@exemplo.com', fields: { parcelas: '12' } });

  const sent = await until(() => received.filter((entry) => entry.type === 'tool.webhook'), (entries) => entries.length === 1, 'the tool webhook');
  expect(sent[0]).toMatchObject({ verified: true, body: { data: { conversationId, data: { toolId: webhook, answers: { cpf: validCpf, parcelas: '12' } } } } });

  const log = (await call('GET', `/api/v2/agents/default/tools/${lookup}/calls`)).body.calls as { status: string; durationMs: number; conversationId: string }[];
  expect(log[0]).toMatchObject({ status: 'succeeded', conversationId });
  expect(JSON.stringify(log)).not.toContain(serviceKey);
});

test('a tool that times out is told to the customer, logged as failed, and the conversation still resolves', async () => {
  const slow = await tool({ name: 'Sistema lento', type: 'http', config: { method: 'POST', url: `${serviceBase}/slow`, body: { cpf: '{{answers.cpf}}', valor: '{{answers.valor}}' }, timeoutMs: 1_000 } });
  const started = Date.now();
  const { reply, state } = await runScript(await scriptWith([slow]));
  expect(Date.now() - started).toBeLessThan(12_000);
  expect(reply).toMatch(/Não consegui concluir "Sistema lento" agora/);
  expect(state.stage).toBe('resolved');
  // POST is tried once, with an idempotency key, and its JSON body built from the answers
  const posted = calls.filter((entry) => entry.path === '/slow');
  expect(posted).toHaveLength(1);
  expect(JSON.parse(posted[0]!.body)).toEqual({ cpf: validCpf, valor: expect.any(String) });
  expect(posted[0]!.idempotencyKey).toMatch(/:/);
  const log = (await call('GET', `/api/v2/agents/default/tools/${slow}/calls`)).body.calls;
  expect(log[0]).toMatchObject({ status: 'failed', error: 'no answer within 1 s' });
});

test('a search tool quotes the knowledge base; a form tool collects its fields next, then the conversation resolves', async () => {
  const data = new FormData();
  data.set('file', new File([new TextEncoder().encode('# Parcelamento\n\nO parcelamento no cartão vai até 10 vezes sem juros; no boleto, até 4 parcelas.\n')], 'parcelamento.md'));
  const uploaded = await call('POST', '/api/v2/knowledge/upload', data);
  await until(async () => (await call('GET', `/api/v2/knowledge/documents/${uploaded.body.document.id}`)).body.document.status, (status) => status === 'ready', 'the document');
  const search = await tool({ name: 'Regras de parcelamento', type: 'search', config: { query: 'parcelamento cartão boleto' } });
  const form = await tool({ name: 'Contato', type: 'form', config: { title: 'Melhor contato', steps: [{ id: 'horario', question: 'Qual o melhor horário para falarmos com você?', type: 'text', label: 'horário' }] } });
  const { conversationId, token, reply, replies, state } = await runScript(await scriptWith([search, form]));
  expect(reply).toMatch(/Segundo o documento “Parcelamento”: O parcelamento no cartão vai até 10 vezes/);
  expect(replies.flatMap((line) => line.sources ?? [])[0]).toMatchObject({ title: 'Parcelamento' });
  expect(reply).toMatch(/melhor horário/);
  expect(state.stage).toBe('collecting');
  const answered = await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'depois das 18h' }, token);
  expect(answered.body.state.stage).toBe('confirming');
  const confirmed = await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'sim' }, token);
  expect(confirmed.body.state.stage).toBe('resolved');
});

test('a step\'s lookup fills the later steps from the tool\'s result: found ones are not asked, a value that does not fit or a failed call leaves them asked', async () => {
  const lookupTool = await tool({ name: 'Apólice por CPF', type: 'http', config: { method: 'GET', url: `${serviceBase}/apolices/{{answers.cpf}}` } });
  const id = `sinistro-${randomUUID().slice(0, 8)}`;
  const saved = await call('POST', '/api/v1/scripts', {
    id,
    title: `Aviso de sinistro ${id.slice(-8)}`,
    steps: [
      { id: 'cpf', question: 'Qual é o seu CPF?', type: 'cpf', lookup: { tool: lookupTool, fill: { apolice: '{{response.policies.0.number}}', placa: '{{response.policies.0.vehicle.plate}}' } } },
      { id: 'apolice', question: 'Qual é o número da apólice?', type: 'text', label: 'apólice' },
      { id: 'placa', question: 'Qual é a placa do veículo?', type: 'plate' },
      { id: 'descricao', question: 'O que aconteceu?', type: 'text', label: 'o que aconteceu' },
    ],
  });
  expect(saved.status).toBe(201);

  async function answerCpf(cpf: string) {
    const started = await call('POST', '/api/v1/conversations', { customer: { name: 'Cliente Consulta' } }, undefined);
    const { conversationId, token } = started.body as { conversationId: string; token: string };
    expect((await call('POST', `/api/v1/conversations/${conversationId}/script`, { scriptId: id })).status).toBe(200);
    const answered = await call('POST', `/api/v1/conversations/${conversationId}/messages`, { text: cpf }, token);
    return { conversationId, token, reply: (answered.body.replies as { text: string }[]).map((line) => line.text).join('\n'), state: answered.body.state };
  }

  // found: both filled, said, and the next question is the first one left
  const found = await answerCpf(validCpf);
  expect(found.reply).toContain('Encontrei nos nossos registros: apólice: AUTO-7781; Placa: BRA2E19.');
  expect(found.reply).toContain('O que aconteceu?');
  expect(found.reply).not.toContain('número da apólice');
  expect(found.state.answers).toMatchObject({ apolice: 'AUTO-7781', placa: 'BRA2E19' });
  const confirmation = await call('POST', `/api/v1/conversations/${found.conversationId}/messages`, { text: 'bati o carro no estacionamento' }, found.token);
  expect((confirmation.body.replies as { text: string }[]).map((line) => line.text).join('\n')).toContain('AUTO-7781');
  expect(calls.filter((entry) => entry.path === `/apolices/${encodeURIComponent(validCpf)}`)).toHaveLength(1);

  // a plate that does not pass the plate step's validation is asked; the policy number is kept
  const partly = await answerCpf(otherCpf);
  expect(partly.state.answers).toMatchObject({ apolice: 'AUTO-9000' });
  expect(partly.state.answers.placa).toBeUndefined();
  expect(partly.reply).toContain('Qual é a placa do veículo?');

  // not found (404): nothing filled, nothing said about it, the next step is asked
  const missing = await answerCpf('111.444.777-35');
  expect(missing.reply).not.toContain('Encontrei');
  expect(missing.reply).toContain('Qual é o número da apólice?');
  const logged = await call('GET', `/api/v2/agents/default/tools/${lookupTool}/calls`);
  expect(logged.status).toBe(200);
  expect((logged.body.calls as { status: string }[]).map((entry) => entry.status).sort()).toEqual(['failed', 'succeeded', 'succeeded']);
});

test('a lookup may only fill steps after its own', async () => {
  const saved = await call('POST', '/api/v1/scripts', {
    id: `invalido-${randomUUID().slice(0, 8)}`,
    title: 'Lookup para trás',
    steps: [
      { id: 'apolice', question: 'Qual é a apólice?', type: 'text' },
      { id: 'cpf', question: 'Qual é o seu CPF?', type: 'cpf', lookup: { tool: randomUUID(), fill: { apolice: '{{response.number}}' } } },
    ],
  });
  expect(saved.status).toBe(422);
  expect(saved.text).toContain('steps.1.lookup.fill.apolice');
});

test('tools are checked when saved: a bad expression, a secret the headers name but the tool lacks, an unknown endpoint; agents cannot write', async () => {
  const expression = await call('POST', '/api/v2/agents/default/tools', { name: 'x', type: 'calculator', config: { expression: 'valor * (2' } });
  expect(expression.status).toBe(422);
  expect(expression.text).toContain('config.expression');
  const header = await call('POST', '/api/v2/agents/default/tools', { name: 'x', type: 'http', config: { url: 'https://api.example.com/x', headers: { Authorization: 'Bearer {{secrets.NOPE}}' } } });
  expect(header.text).toContain('config.headers.Authorization');
  const hook = await call('POST', '/api/v2/agents/default/tools', { name: 'x', type: 'webhook', config: { webhookId: randomUUID() } });
  expect(hook.text).toContain('config.webhookId');
  const kind = await call('POST', '/api/v2/agents/default/tools', { name: 'x', type: 'teleport', config: {} });
  expect(kind.status).toBe(422);
  const agent = await mintToken(secret, { role: 'agent', tenant: app.stack.tenantId, subject: 'agent' });
  expect((await call('POST', '/api/v2/agents/default/tools', { name: 'x', type: 'calculator', config: { expression: '1+1' } }, agent)).status).toBe(403);
  expect((await call('GET', '/api/v2/agents/nobody/tools')).status).toBe(404);
});

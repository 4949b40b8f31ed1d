import { randomUUID } from 'node:crypto';
import { createApp } from '../api/app';
import { createActivities } from '../activities';
import { mintToken } from '../api/auth';
import { parseSecretKeys, secretBox } from '../lib/secrets';
import { startAppStack, type AppStack } from './support/app-stack';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';
import { validCpf } from './support/stack';

/**
 * The v2 models and settings APIs: a tenant's own model endpoint (key sealed, never shown) answers
 * its conversations instead of the server's, and its settings document changes what new
 * conversations do.
 */
const secret = randomUUID();
const tenantKey = 'sk-tenant-own-key-123456';
let fake: FakeOpenAi;
let stack: AppStack;
let app: ReturnType<typeof createApp>;
let admin: string;
let agent: string;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.reply((body) => (body?.response_format ? { status: 500 } : { content: 'Aceitamos Pix e cartão.' }));
  // the worker opens keys with the same derivation the API seals with
  stack = await startAppStack(secret, { secrets: secretBox(parseSecretKeys(undefined, secret)), warn: () => undefined });
  app = createApp({ client: stack.client, db: stack.db, config: stack.config({ webhooksAllowPrivate: true }) });
  admin = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'admin' });
  agent = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'agent' });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});

async function call(method: string, path: string, body?: unknown, token = admin) {
  const response = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

async function conversation(first: string) {
  const started = await app.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: first }) });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  return async (text: string) => {
    const response = await app.request(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text }) });
    return ((await response.json()) as { replies: { text: string }[] }).replies.map((reply) => reply.text).join('\n');
  };
}

describe('models', () => {
  test('a model endpoint keeps its key sealed: the answer says only that one is set and how it ends', async () => {
    const created = await call('POST', '/api/v2/models', { name: 'Próprio', provider: 'openai_compatible', baseUrl: fake.baseURL, model: 'tenant-model', apiKey: tenantKey, isDefault: true });
    expect(created.status).toBe(201);
    expect(created.body.model).toMatchObject({ provider: 'openai_compatible', model: 'tenant-model', purpose: 'chat', isDefault: true, apiKey: { set: true, hint: '…3456' } });
    expect(created.text).not.toContain(tenantKey);
    expect((await call('GET', '/api/v2/models', undefined, agent)).text).not.toContain(tenantKey);
    const stored = await stack.db.query('SELECT api_key FROM model_endpoints WHERE id = $1', [created.body.model.id]);
    expect(stored.rows[0].api_key).toMatch(/^v1\.jwt\./);
    expect(stored.rows[0].api_key).not.toContain(tenantKey);
  });

  test("the tenant's default chat model answers its conversations, with its own key", async () => {
    const say = await conversation('preciso da segunda via do boleto');
    const reply = await say('Quais formas de pagamento vocês aceitam?');
    expect(reply).toContain('Aceitamos Pix e cartão.');
    const used = fake.requests.filter((request) => request.body?.model === 'tenant-model');
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((request) => request.authorization === `Bearer ${tenantKey}`)).toBe(true);
  });

  test('bad models are refused naming the field; agents read but do not write; one default per purpose', async () => {
    const noUrl = await call('POST', '/api/v2/models', { name: 'x', provider: 'openai_compatible', model: 'm' });
    expect(noUrl.status).toBe(422);
    expect(noUrl.body.errors?.[0]?.path ?? noUrl.body.issues?.[0]?.path).toBe('baseUrl');
    const provider = await call('POST', '/api/v2/models', { name: 'x', provider: 'acme', model: 'm' });
    expect(JSON.stringify(provider.body)).toMatch(/provider/);
    expect((await call('POST', '/api/v2/models', { name: 'x', provider: 'openai', model: 'gpt-4o-mini' }, agent)).status).toBe(403);
    const second = await call('POST', '/api/v2/models', { name: 'Mistral', provider: 'mistral', model: 'mistral-small-latest', apiKey: 'mk-1234567890', isDefault: true });
    expect(second.body.model.baseUrl).toBeNull();
    const models = (await call('GET', '/api/v2/models')).body.models as { id: string; isDefault: boolean }[];
    expect(models.filter((model) => model.isDefault).map((model) => model.id)).toEqual([second.body.model.id]);
    // back to the local one, and the key can be removed
    const first = models.find((model) => model.id !== second.body.model.id)!;
    expect((await call('PATCH', `/api/v2/models/${first.id}`, { isDefault: true })).body.model.isDefault).toBe(true);
    expect((await call('PATCH', `/api/v2/models/${second.body.model.id}`, { apiKey: null })).body.model.apiKey).toEqual({ set: false, hint: null });
    expect((await call('DELETE', `/api/v2/models/${second.body.model.id}`)).body).toEqual({ deleted: true });
    expect((await call('GET', `/api/v2/models/${second.body.model.id}`)).status).toBe(404);
  });
});

describe('settings', () => {
  test('the document shows every section, the server defaults filled in', async () => {
    const { status, body } = await call('GET', '/api/v2/settings', undefined, agent);
    expect(status).toBe(200);
    expect(body.settings).toMatchObject({ defaultAgent: 'default', csat: { enabled: true }, followUp: { delayMinutes: 60, closeAfterHours: 24 }, escalation: { humanRequest: true }, learning: { fromAgents: true } });
    expect(body.settings.business.timezone).toBe('America/Sao_Paulo');
  });

  test('a bad field is a 422 naming it, and nothing is written', async () => {
    const before = (await call('GET', '/api/v2/settings')).body.settings;
    const bad = await call('PATCH', '/api/v2/settings', { csat: { enabled: false }, business: { timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('business.timezone');
    expect((await call('GET', '/api/v2/settings')).body.settings).toEqual(before);
    expect((await call('PATCH', '/api/v2/settings', { followUp: { delayMinutes: 0 } })).status).toBe(422);
    expect((await call('PATCH', '/api/v2/settings', { csat: { enabled: false } }, agent)).status).toBe(403);
  });

  test('turning the satisfaction survey off in the settings means the next conversation ends without asking for a score', async () => {
    const finish = async () => {
      const say = await conversation('preciso da segunda via do boleto');
      for (const text of [validCpf, 'março', 'maria@exemplo.com', 'sim']) await say(text);
      return say('obrigado!');
    };
    const off = await call('PATCH', '/api/v2/settings', { csat: { enabled: false }, followUp: { delayMinutes: 90 } });
    expect(off.body.settings).toMatchObject({ csat: { enabled: false }, followUp: { delayMinutes: 90, closeAfterHours: 24 } });
    expect(await finish()).not.toMatch(/de 1 a 5/);
    await call('PATCH', '/api/v2/settings', { csat: { enabled: true } });
    expect(await finish()).toMatch(/de 1 a 5/);
  });
});

describe('retention', () => {
  test('closed conversations past the retention the settings name are deleted with their transcript, events and deliveries; newer ones stay', async () => {
    expect((await call('PATCH', '/api/v2/settings', { retention: { closedConversationDays: 3 } })).body.issues?.[0]?.path ?? '').toMatch(/retention/);
    expect((await call('PATCH', '/api/v2/settings', { retention: { closedConversationDays: 30 } })).body.settings.retention).toEqual({ closedConversationDays: 30 });
    const old = await conversation('preciso da segunda via do boleto');
    const recent = await conversation('preciso da segunda via do boleto');
    await old('tchau');
    await recent('tchau');
    const ids = (await stack.db.query<{ id: string }>(`SELECT id FROM conversations WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 2`, [stack.tenantId])).rows.map((row) => row.id);
    const [recentId, oldId] = ids as [string, string];
    await stack.db.query(`UPDATE conversations SET closed_at = now() - interval '31 days' WHERE id = $1`, [oldId]);
    await stack.db.query(`UPDATE conversations SET closed_at = now() - interval '1 day' WHERE id = $1`, [recentId]);
    const purged = await createActivities({ db: stack.db, warn: () => undefined }).purgeExpiredConversations();
    expect(purged.find((entry) => entry.tenantId === stack.tenantId)?.conversations).toBeGreaterThanOrEqual(1);
    expect((await stack.db.query('SELECT 1 FROM conversations WHERE id = $1', [oldId])).rowCount).toBe(0);
    expect((await stack.db.query('SELECT 1 FROM messages WHERE conversation_id = $1', [oldId])).rowCount).toBe(0);
    expect((await stack.db.query('SELECT 1 FROM events WHERE conversation_id = $1', [oldId])).rowCount).toBe(0);
    expect((await stack.db.query('SELECT 1 FROM conversations WHERE id = $1', [recentId])).rowCount).toBe(1);
  });

  test('the default models are part of the settings document, and moving them moves the endpoints\' default', async () => {
    const models = (await call('GET', '/api/v2/models')).body.models as { id: string; purpose: string; isDefault: boolean }[];
    const chat = models.find((model) => model.purpose === 'chat')!;
    expect((await call('PATCH', '/api/v2/settings', { defaultModels: { chat: null } })).body.settings.defaultModels.chat).toBeNull();
    expect(((await call('GET', '/api/v2/models')).body.models as { isDefault: boolean }[]).some((model) => model.isDefault)).toBe(false);
    expect((await call('PATCH', '/api/v2/settings', { defaultModels: { chat: chat.id } })).body.settings.defaultModels.chat).toBe(chat.id);
    expect(((await call('GET', `/api/v2/models/${chat.id}`)).body.model as { isDefault: boolean }).isDefault).toBe(true);
    const wrong = await call('PATCH', '/api/v2/settings', { defaultModels: { embedding: chat.id } });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('defaultModels.embedding');
    expect((await call('GET', '/api/v2/settings')).body.settings.language).toBe('pt-BR');
  });
});

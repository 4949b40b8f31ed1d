import type pg from 'pg';
import { createActivities } from '../activities';
import { saveScript } from '../db/scripts';
import { createLlmClient } from '../adapters/llm';
import { DEFAULT_MATCH_THRESHOLD } from '../domain/matcher';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';
import { freshTenant } from './support/stack';

let fake: FakeOpenAi;
let db: pg.Pool;
let tenantId: string;
const warnings: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  ({ db, tenantId } = await freshTenant());
});

afterAll(async () => {
  await fake?.close();
  await db?.end();
});

function activities(timeoutMs = 2_000) {
  const llm = createLlmClient({ apiKey: 'sk-test-not-a-real-key', baseURL: fake.baseURL, model: 'test-model', timeoutMs });
  return createActivities({ db, llm, warn: (message) => warnings.push(message) });
}

// Offline leans to the claim script without being sure; the model is asked.
const vague = 'tive um problema com o carro';

describe('LLM matcher against an OpenAI-compatible server', () => {
  test('when the model picks an offered script, then the match is the model\'s, with its reason', async () => {
    fake.reply({ content: JSON.stringify({ scriptId: 'sinistro', confidence: 0.93, reason: 'colisão com poste' }) });
    const before = fake.requests.length;
    const { match, script } = await activities().matchScript({ tenantId, text: vague, threshold: DEFAULT_MATCH_THRESHOLD });
    expect(match).toMatchObject({ scriptId: 'sinistro', verdict: 'confident', source: 'llm', reason: 'colisão com poste' });
    expect(script?.id).toBe('sinistro');
    const request = fake.requests[before]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test-not-a-real-key');
    expect(request.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } });
    const offered = JSON.parse(request.body.messages[1].content).scripts.map((item: { id: string }) => item.id);
    expect(offered).toContain('sinistro');
    expect(offered.length).toBeLessThanOrEqual(5);
  });

  test('when the model says nothing fits, then the conversation hears "no script"', async () => {
    fake.reply({ content: JSON.stringify({ scriptId: null, confidence: 0.9, reason: 'conversa fiada' }) });
    const { match, script } = await activities().matchScript({ tenantId, text: 'vocês acham que vai chover no seguro?', threshold: DEFAULT_MATCH_THRESHOLD });
    expect(match).toMatchObject({ scriptId: null, verdict: 'none', source: 'llm' });
    expect(script).toBeNull();
  });

  test.each([
    ['a reply that is not JSON', { content: 'Claro! O script certo é o de sinistro.' }, /not JSON/],
    ['a reply outside the schema', { content: JSON.stringify({ script: 'sinistro' }) }, /schema/],
    ['a script it was not offered', { content: JSON.stringify({ scriptId: 'inventado', confidence: 1, reason: 'x' }) }, /not offered/],
    ['a server error', { status: 500 }, /500/],
  ])('when the model gives %s, then the offline match answers', async (_label, reply, warning) => {
    fake.reply(reply);
    warnings.length = 0;
    const { match, script } = await activities().matchScript({ tenantId, text: vague, threshold: DEFAULT_MATCH_THRESHOLD });
    expect(match).toMatchObject({ scriptId: 'sinistro', source: 'offline', reason: expect.stringMatching(/^llm_failed/) });
    expect(script?.id).toBe('sinistro');
    expect(warnings.join('\n')).toMatch(warning);
  });

  test('when the model is slower than the timeout, then the offline match answers within it', async () => {
    fake.reply({ delayMs: 3_000, content: JSON.stringify({ scriptId: 'boleto', confidence: 1, reason: 'tarde demais' }) });
    warnings.length = 0;
    const started = Date.now();
    const { match } = await activities(300).matchScript({ tenantId, text: vague, threshold: DEFAULT_MATCH_THRESHOLD });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(match).toMatchObject({ scriptId: 'sinistro', source: 'offline' });
    expect(warnings.join('\n')).toMatch(/LLM matcher failed/);
  });

  test('when the offline match is already sure, then the model is not called', async () => {
    const before = fake.requests.length;
    const { match } = await activities().matchScript({ tenantId, text: 'preciso da segunda via do boleto', threshold: DEFAULT_MATCH_THRESHOLD });
    expect(match).toMatchObject({ scriptId: 'boleto', source: 'offline' });
    expect(fake.requests.length).toBe(before);
  });
});

describe('offline matching in the activity', () => {
  test('when the catalog changes between messages, then the next match sees the new version', async () => {
    const offline = createActivities({ db, warn: (message) => warnings.push(message) });
    const text = 'quero proteger meu cachorro, tem plano pet?';
    const before = await offline.matchScript({ tenantId, text, threshold: DEFAULT_MATCH_THRESHOLD });
    expect(before.match.candidates.map((candidate) => candidate.scriptId)).not.toContain('pet');
    await saveScript(db, tenantId, {
      id: 'pet',
      title: 'Plano pet',
      description: 'Seguro saúde para cachorro ou gato',
      examples: ['quero um plano pet para meu cachorro', 'seguro para gato'],
      steps: [{ id: 'email', question: 'Seu e-mail?', type: 'email' }],
    });
    const after = await offline.matchScript({ tenantId, text, threshold: DEFAULT_MATCH_THRESHOLD });
    expect(after.match).toMatchObject({ scriptId: 'pet', verdict: 'confident' });
    expect(after.script).toMatchObject({ id: 'pet', version: 1 });
  });
});

describe('LLM answers to questions asked mid-script', () => {
  const faq = [{ question: 'Vocês aceitam pix?', answer: 'Aceitamos pix e boleto.' }];

  test('when the FAQ has no answer, then the model answers from what the business told us', async () => {
    fake.reply({ content: 'Sim, temos estacionamento gratuito para clientes.' });
    const before = fake.requests.length;
    const entry = await activities().answerFaq({ faq, text: 'vocês têm estacionamento?', business: 'Loja na Rua A, 10, com estacionamento gratuito.' });
    expect(entry).toEqual({ question: 'vocês têm estacionamento?', answer: 'Sim, temos estacionamento gratuito para clientes.' });
    const system = fake.requests[before]!.body.messages[0].content as string;
    expect(system).toMatch(/estacionamento gratuito/);
    expect(system).toMatch(/Aceitamos pix e boleto/);
  });

  test('when the FAQ answers, then the model is not asked', async () => {
    const before = fake.requests.length;
    expect(await activities().answerFaq({ faq, text: 'vocês aceitam pix?' })).toEqual(faq[0]);
    expect(fake.requests.length).toBe(before);
  });

  test('when the model does not know or fails, then there is no answer (the bot says it does not know)', async () => {
    fake.reply({ content: 'NAO_SEI' });
    expect(await activities().answerFaq({ faq: [], text: 'vocês abrem no carnaval?' })).toBeNull();
    fake.reply({ status: 500 });
    warnings.length = 0;
    expect(await activities().answerFaq({ faq: [], text: 'vocês abrem no carnaval?' })).toBeNull();
    expect(warnings.join('\n')).toMatch(/LLM answer failed/);
  });
});

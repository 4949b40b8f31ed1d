import type pg from 'pg';
import { createActivities } from '../activities';
import { createLlmClient } from '../adapters/llm';
import { analysisSchema } from '../domain/schemas';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';
import { freshTenant } from './support/stack';

/** The LLM analyzer, line phrasing and assistant against an OpenAI-compatible server on 127.0.0.1. */
let fake: FakeOpenAi;
let db: pg.Pool;
const warnings: string[] = [];
const now = new Date('2026-05-04T13:00:00Z');

beforeAll(async () => {
  fake = await startFakeOpenAi();
  ({ db } = await freshTenant());
});

afterAll(async () => {
  await fake?.close();
  await db?.end();
});

function activities(timeoutMs = 2_000) {
  const llm = createLlmClient({ apiKey: 'sk-test-not-a-real-key', baseURL: fake.baseURL, model: 'test-model', timeoutMs });
  return createActivities({ db, llm, clock: () => now, warn: (message) => warnings.push(message) });
}

const conversation = {
  customerMessages: ['bati o carro ontem', 'ninguém se machucou'],
  customerName: 'João Lima',
  scriptId: 'sinistro',
  scriptTitle: 'Aviso de sinistro',
  collected: [
    { label: 'CPF', value: '529.982.247-25' },
    { label: 'Placa', value: 'ABC1D23' },
  ],
  businessContext: 'Você é um assistente virtual da Segurozinho.',
};

const modelAnalysis = {
  sentiment: 'negative',
  urgency: 'medium',
  intent: 'claim_report',
  topics: ['sinistro', 'colisão'],
  summary: 'João Lima relatou uma colisão sem feridos e informou a placa ABC1D23.',
  suggestedActions: [{ type: 'OPEN_CLAIM', description: 'Abrir o aviso de sinistro' }],
  frustration: 2,
};

describe('LLM analysis', () => {
  test('when the model answers in the schema, then its analysis is used, stamped by the worker', async () => {
    fake.reply({ content: JSON.stringify(modelAnalysis) });
    const before = fake.requests.length;
    const analysis = await activities().analyzeConversation(conversation);
    expect(analysis).toEqual({ ...modelAnalysis, analyzedAt: now.toISOString(), engine: 'llm' });
    expect(analysisSchema.parse(analysis)).toEqual(analysis);
    const request = fake.requests[before]!;
    expect(request.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } });
    const system = request.body.messages[0].content as string;
    expect(system).toContain('Você é um assistente virtual da Segurozinho.');
    const sent = JSON.parse(request.body.messages[1].content);
    expect(sent.customerMessages).toEqual(conversation.customerMessages);
    // the model never sees a whole CPF, nor the API key in any message
    expect(sent.collected).toEqual([
      { label: 'CPF', value: '***25' },
      { label: 'Placa', value: 'ABC1D23' },
    ]);
    expect(JSON.stringify(request.body)).not.toContain('sk-test-not-a-real-key');
  });

  test.each([
    ['invalid JSON', { content: 'O cliente parece chateado.' }, /not JSON/],
    ['an urgency outside the schema', { content: JSON.stringify({ ...modelAnalysis, urgency: 'extreme' }) }, /schema: urgency/],
    ['a missing field', { content: JSON.stringify({ ...modelAnalysis, summary: undefined }) }, /schema: summary/],
    ['a server error', { status: 503 }, /503/],
  ])('when the model gives %s, then the offline analyzer answers and a warning says why', async (_label, reply, warning) => {
    fake.reply(reply);
    warnings.length = 0;
    const analysis = await activities().analyzeConversation(conversation);
    expect(analysis).toMatchObject({ engine: 'offline', sentiment: 'negative', analyzedAt: now.toISOString() });
    expect(analysis.summary).toContain('Dados: CPF: 529.982.247-25; Placa: ABC1D23.');
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  test('when the model is slower than OPENAI_TIMEOUT, then the offline analysis answers in time', async () => {
    fake.reply({ delayMs: 1_500, content: JSON.stringify(modelAnalysis) });
    warnings.length = 0;
    const started = Date.now();
    const analysis = await activities(300).analyzeConversation(conversation);
    expect(analysis.engine).toBe('offline');
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(warnings).toEqual([expect.stringMatching(/timed out|timeout/i)]);
  });
});

describe('LLM phrasing and assistant', () => {
  test('when prompts apply, then the model writes the line under the onboarding prompt and the prompts', async () => {
    fake.reply({ content: 'Olá, João! Que bom falar com você. Como posso ajudar?' });
    const before = fake.requests.length;
    const line = await activities().composeLine({
      systemPrompt: 'Você é um assistente virtual da Segurozinho.',
      prompts: [{ name: 'Boas-vindas', prompt: 'Cumprimente pelo nome.' }],
      purpose: 'a saudação',
      customerText: 'oi, sou o João',
      fallback: 'Olá!',
    });
    expect(line).toBe('Olá, João! Que bom falar com você. Como posso ajudar?');
    const system = fake.requests[before]!.body.messages[0].content as string;
    expect(system).toContain('Você é um assistente virtual da Segurozinho.');
    expect(system).toContain('- Boas-vindas: Cumprimente pelo nome.');
    expect(fake.requests[before]!.body.messages[1]).toEqual({ role: 'user', content: 'oi, sou o João' });
  });

  test('when the model fails or rambles, then the offline line is kept', async () => {
    const input = { systemPrompt: null, prompts: [{ name: 'x', prompt: 'y' }], purpose: 'a saudação', customerText: null, fallback: 'Olá!' };
    fake.reply({ status: 500 });
    expect(await activities().composeLine(input)).toBe('Olá!');
    fake.reply({ content: 'a'.repeat(1_000) });
    expect(await activities().composeLine(input)).toBe('Olá!');
  });

  test('the assistant answers with the model over the matching help articles, and from the index when it fails', async () => {
    fake.reply({ content: 'Defina FOLLOW_UP_DELAY e crie um prompt FOLLOW_UP.' });
    const before = fake.requests.length;
    const answered = await activities().answerAssistant({ question: 'como configuro um follow-up automático?', history: [{ role: 'user', content: 'Olá' }] });
    expect(answered).toEqual({ answer: 'Defina FOLLOW_UP_DELAY e crie um prompt FOLLOW_UP.', articleTitle: 'Configuração de Follow-ups', engine: 'llm' });
    const body = fake.requests[before]!.body;
    expect(body.messages[0].content).toContain('## Configuração de Follow-ups');
    expect(body.messages.slice(1)).toEqual([
      { role: 'user', content: 'Olá' },
      { role: 'user', content: 'como configuro um follow-up automático?' },
    ]);
    fake.reply({ content: '' });
    const fallback = await activities().answerAssistant({ question: 'como configuro um follow-up automático?', history: [] });
    expect(fallback).toMatchObject({ engine: 'offline', articleTitle: 'Configuração de Follow-ups', answer: expect.stringContaining('FOLLOW_UP_DELAY') });
  });
});

import { randomUUID } from 'node:crypto';
import { mintToken } from '../api/auth';
import { createLlmClient } from '../adapters/llm';
import { startAppStack, type AppStack } from './support/app-stack';
import { startFakeOpenAi, type FakeOpenAi } from './support/fake-openai';
import { eventReader } from './support/sse';

/**
 * The v2 streaming chat with a model: the model's words reach the stream while the turn is still
 * running (activity → Postgres NOTIFY → API), never through workflow history, and the stream still
 * ends with `done` holding the whole reply.
 */
const secret = randomUUID();
const modelAnswer = 'Aceitamos Pix, cartão de crédito e boleto bancário, à vista ou parcelado.';
let fake: FakeOpenAi;
let stack: AppStack;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  // JSON calls (matching, analysis) fail, so the offline matcher and analyzer answer; free text streams slowly
  fake.reply((body) => (body?.response_format ? { status: 500 } : { content: modelAnswer, chunkDelayMs: 40 }));
  stack = await startAppStack(secret, { llm: createLlmClient({ apiKey: 'sk-test-not-a-real-key', baseURL: fake.baseURL, model: 'test-model', timeoutMs: 10_000 }), warn: () => undefined });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});

interface ChatEvent {
  event: string;
  data: any;
}

async function chat(body: unknown, token: string): Promise<ChatEvent[]> {
  const response = await stack.app.request('/api/v2/agents/default/chat/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  const reader = eventReader(response.body!);
  const events: ChatEvent[] = [];
  for (;;) {
    const next = JSON.parse((await reader.next(20_000)).data) as ChatEvent;
    events.push(next);
    if (next.event === 'done' || next.event === 'error') return events;
  }
}

test("a question mid-script is answered by the model, whose words stream as they arrive, before the turn's end", async () => {
  const service = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'site' });
  const first = await chat({ messages: [{ role: 'user', content: 'preciso da segunda via do boleto' }] }, service);
  const { token } = first.find((event) => event.event === 'metadata')!.data;
  const conversationId = first.at(-1)!.data.conversation_id;

  const events = await chat({ conversation_id: conversationId, messages: [{ role: 'user', content: 'Quais formas de pagamento vocês aceitam?' }] }, token);
  const names = events.map((event) => event.event);
  expect(names.at(-1)).toBe('done');
  const done = events.at(-1)!.data;
  expect(done.answer).toContain(modelAnswer);
  expect(done.answer).toMatch(/Voltando:/);

  // the model's pieces came before the turn was over (the progress event that follows the update)
  const afterTurn = names.indexOf('progress', 1);
  const streamed = events.slice(0, afterTurn).filter((event) => event.event === 'answer').map((event) => event.data as string);
  expect(streamed.length).toBeGreaterThan(1);
  expect(streamed.join('').trim()).toBe(modelAnswer);
  // the rest of the reply (the step asked again) follows, and nothing is said twice
  const all = events.filter((event) => event.event === 'answer').map((event) => event.data as string).join('');
  expect(all).toBe(done.answer);

  // the model was asked to stream; the history holds the whole answer once, as one activity's result
  expect(fake.requests.some((request) => request.body?.stream === true)).toBe(true);
  const history = await stack.client.workflow.getHandle(`conversation-${conversationId}`).fetchHistory();
  const results = (history.events ?? []).flatMap((event) => event.activityTaskCompletedEventAttributes?.result?.payloads ?? []).map((payload) => Buffer.from(payload.data ?? []).toString('utf8'));
  expect(results.filter((result) => result.includes(modelAnswer))).toHaveLength(1);
  expect(results.filter((result) => result.includes('Aceitamos Pix,') && !result.includes(modelAnswer))).toHaveLength(0);
});

test("the model's \"I do not know\" never reaches the stream: the customer hears the honest offline line", async () => {
  fake.reply((body) => (body?.response_format ? { status: 500 } : { content: 'NAO_SEI', chunkDelayMs: 5 }));
  const service = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'site' });
  const first = await chat({ messages: [{ role: 'user', content: 'preciso da segunda via do boleto' }] }, service);
  const { token } = first.find((event) => event.event === 'metadata')!.data;
  const events = await chat({ conversation_id: first.at(-1)!.data.conversation_id, messages: [{ role: 'user', content: 'Vocês vendem seguro de celular?' }] }, token);
  const answers = events.filter((event) => event.event === 'answer').map((event) => event.data as string).join('');
  expect(answers).not.toMatch(/NAO_SEI/);
  expect(events.at(-1)!.data.answer).not.toMatch(/NAO_SEI/);
  expect(answers.replace(/\s+/g, ' ').trim()).toBe(events.at(-1)!.data.answer.replace(/\s+/g, ' ').trim());
});

test("with a model, the agent's tools are offered as functions: the model calls the calculator, the stream says so, the call is logged", async () => {
  const admin = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'admin' });
  const created = await stack.app.request('/api/v2/agents/default/tools', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ name: 'Valor da parcela', description: 'Divide o valor do seguro pelo número de parcelas', type: 'calculator', config: { expression: 'round(valor / parcelas, 2)' } }),
  });
  expect(created.status).toBe(201);
  const toolId = ((await created.json()) as { tool: { id: string } }).tool.id;
  fake.reply((body) => {
    if (body?.response_format) return { status: 500 };
    const offered = body?.tools?.[0]?.function;
    const last = body?.messages?.at(-1);
    if (last?.role === 'tool') return { content: `Fica em R$ ${JSON.parse(last.content).result.result.toFixed(2).replace('.', ',')} por mês.` };
    if (offered) return { toolCalls: [{ name: offered.name, arguments: { valor: 1500, parcelas: 12 } }] };
    return { content: 'NAO_SEI' };
  });
  const service = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'site' });
  const first = await chat({ messages: [{ role: 'user', content: 'preciso da segunda via do boleto' }] }, service);
  const { token } = first.find((event) => event.event === 'metadata')!.data;
  const events = await chat({ conversation_id: first.at(-1)!.data.conversation_id, messages: [{ role: 'user', content: 'Quanto fica cada parcela se eu parcelar 1500 em 12 vezes?' }] }, token);
  expect(events.at(-1)!.data.answer).toContain('Fica em R$ 125,00 por mês.');
  expect(events.find((event) => event.event === 'progress' && event.data.stage === 'calling_tool')).toBeDefined();
  const offeredRequest = fake.requests.find((request) => request.body?.tools?.length)!;
  expect(offeredRequest.body.tools[0].function).toMatchObject({ name: 'calculator_Valor_da_parcela', parameters: { type: 'object', properties: { valor: { type: 'number' }, parcelas: { type: 'number' } } } });
  const calls = await stack.app.request(`/api/v2/agents/default/tools/${toolId}/calls`, { headers: { authorization: `Bearer ${admin}` } });
  expect(((await calls.json()) as { calls: { status: string; input: unknown }[] }).calls[0]).toMatchObject({ status: 'succeeded', input: { args: { valor: 1500, parcelas: 12 } } });
});

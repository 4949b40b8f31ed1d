import { randomUUID } from 'node:crypto';
import { mintToken } from '../api/auth';
import { closeSignal, conversationWorkflowId } from '../workflows/messages';
import { startAppStack, type AppStack } from './support/app-stack';

/** The /api/ai contract of seeds/ai-prompts-api-contract.md, driven with the document's example bodies. */
const secret = 'test-secret-for-ai-api';
let stack: AppStack;
let admin: string;
let agent: string;
let otherAgent: string;
let foreignAdmin: string;

beforeAll(async () => {
  stack = await startAppStack(secret);
  admin = await mintToken(secret, { role: 'admin', tenant: stack.tenantId, subject: 'root' });
  agent = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'ana' });
  otherAgent = await mintToken(secret, { role: 'agent', tenant: stack.tenantId, subject: 'bia' });
  foreignAdmin = await mintToken(secret, { role: 'admin', tenant: 'someone-else', subject: 'x' });
});

afterAll(async () => {
  await stack?.stop();
});

async function request(method: string, path: string, body?: unknown, token?: string) {
  const response = await stack.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
}

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);

async function startConversation(message: string): Promise<string> {
  const started = await request('POST', '/api/v1/conversations', { message, customer: { name: 'Carla Dias' } });
  expect(started.status).toBe(201);
  return started.body.conversationId;
}

describe('/api/ai authentication', () => {
  test.each([
    ['GET', '/api/ai/prompts'],
    ['POST', '/api/ai/analyze'],
    ['POST', '/api/ai/conversations/states'],
    ['GET', '/api/ai/onboarding/loja-1'],
    ['POST', '/api/ai/assistant/chat'],
    ['GET', '/api/ai/assistant/conversations'],
  ])('when %s %s has no token, then 401 "Não autenticado"', async (method, path) => {
    expect(await request(method, path, method === 'GET' ? undefined : {})).toEqual({ status: 401, body: expect.objectContaining({ success: false, error: 'Não autenticado' }) });
  });

  test('when an agent tries to create a prompt, then 403 and nothing is stored', async () => {
    const denied = await request('POST', '/api/ai/prompts', { name: 'x', actionType: 'CUSTOM', prompt: 'y' }, agent);
    expect(denied).toEqual({ status: 403, body: expect.objectContaining({ success: false, error: 'Acesso negado' }) });
    expect((await request('GET', '/api/ai/prompts', undefined, agent)).body.data).toEqual([]);
  });
});

describe('action prompts', () => {
  test('the seed example round-trips: create 201, list, update, toggle, delete', async () => {
    const created = await request(
      'POST',
      '/api/ai/prompts',
      {
        name: 'Qualificação de Lead',
        actionType: 'LEAD_QUALIFICATION',
        prompt: 'Identifique o interesse do cliente e faça perguntas para qualificar...',
        isActive: true,
        priority: 3,
        conditions: { funnelStage: 'Novo', triggerOnKeywords: ['interessado', 'orçamento', 'preço'] },
      },
      admin,
    );
    expect(created).toEqual({
      status: 201,
      body: { success: true, data: { id: uuid, name: 'Qualificação de Lead', actionType: 'LEAD_QUALIFICATION', isActive: true, createdAt: iso } },
    });
    const id = created.body.data.id;
    const welcome = await request(
      'POST',
      '/api/ai/prompts',
      { name: 'Resposta de Boas-Vindas', actionType: 'WELCOME', prompt: 'Você é um assistente virtual amigável...', priority: 1, conditions: { triggerOnFirstMessage: true } },
      admin,
    );
    expect(welcome.status).toBe(201);

    const listed = await request('GET', '/api/ai/prompts', undefined, agent);
    expect(listed.status).toBe(200);
    expect(listed.body.success).toBe(true);
    expect(listed.body.data.map((prompt: any) => prompt.name)).toEqual(['Resposta de Boas-Vindas', 'Qualificação de Lead']);
    expect(listed.body.data[1]).toEqual({
      id,
      name: 'Qualificação de Lead',
      actionType: 'LEAD_QUALIFICATION',
      prompt: 'Identifique o interesse do cliente e faça perguntas para qualificar...',
      isActive: true,
      priority: 3,
      conditions: { funnelStage: 'Novo', triggerOnKeywords: ['interessado', 'orçamento', 'preço'] },
      createdAt: iso,
    });

    const updated = await request('PUT', `/api/ai/prompts/${id}`, { name: 'Qualificação de Lead (Atualizado)', prompt: 'Novo texto do prompt...', isActive: false }, admin);
    expect(updated).toEqual({ status: 200, body: { success: true, data: { id, name: 'Qualificação de Lead (Atualizado)', isActive: false, updatedAt: iso } } });

    const toggled = await request('POST', `/api/ai/prompts/${id}/toggle`, undefined, admin);
    expect(toggled).toEqual({ status: 200, body: { success: true, data: { id, name: 'Qualificação de Lead (Atualizado)', isActive: true, updatedAt: iso } } });

    expect(await request('DELETE', `/api/ai/prompts/${id}`, undefined, admin)).toEqual({ status: 200, body: { success: true, message: 'Prompt removido' } });
    expect(await request('DELETE', `/api/ai/prompts/${id}`, undefined, admin)).toEqual({ status: 404, body: { success: false, error: 'Prompt não encontrado' } });
    expect((await request('GET', '/api/ai/prompts', undefined, admin)).body.data).toHaveLength(1);
    // another tenant sees none of it
    expect((await request('GET', '/api/ai/prompts', undefined, foreignAdmin)).body.data).toEqual([]);
    await request('DELETE', `/api/ai/prompts/${welcome.body.data.id}`, undefined, admin);
  });

  test('when a prompt is invalid, then 400 names each field and nothing is stored', async () => {
    const bad = await request('POST', '/api/ai/prompts', { name: '', actionType: 'SHOUT', conditions: { sentimentTrigger: 'angry', tone: 'x' } }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
    expect(bad.body.fields.map((field: any) => field.path).sort()).toEqual(['actionType', 'conditions', 'conditions.sentimentTrigger', 'name', 'prompt']);
    expect(bad.body.error).toMatch(/^Dados inválidos: /);
    expect((await request('GET', '/api/ai/prompts', undefined, admin)).body.data).toEqual([]);
    expect((await request('PUT', `/api/ai/prompts/${randomUUID()}`, {}, admin)).status).toBe(400);
    expect(await request('PUT', `/api/ai/prompts/${randomUUID()}`, { name: 'x' }, admin)).toEqual({ status: 404, body: { success: false, error: 'Prompt não encontrado' } });
    expect((await request('POST', '/api/ai/prompts/not-a-uuid/toggle', undefined, admin)).status).toBe(404);
  });
});

describe('onboarding', () => {
  const seedGenerate = {
    onboardingData: {
      businessName: 'Minha Empresa',
      businessType: 'ECOMMERCE',
      businessDescription: 'Loja de produtos eletrônicos',
      targetAudience: 'Consumidores finais',
      tone: 'professional_friendly',
      mainProducts: ['Smartphones', 'Notebooks'],
      faq: [{ question: 'Qual o prazo de entrega?', answer: 'Até 5 dias úteis' }],
    },
  };

  test('generate turns the seed example into a system prompt with its length and token estimate', async () => {
    const generated = await request('POST', '/api/ai/onboarding/generate', seedGenerate, admin);
    expect(generated.status).toBe(200);
    const { generatedPrompt, promptLength, estimatedTokens } = generated.body.data;
    expect(generated.body).toEqual({ success: true, data: { generatedPrompt: expect.any(String), promptLength: generatedPrompt.length, estimatedTokens: Math.ceil(promptLength / 4) } });
    expect(generatedPrompt).toBe(
      'Você é um assistente virtual da Minha Empresa: loja de produtos eletrônicos, especializada em Smartphones e Notebooks.\n\n' +
        'Seu tom deve ser profissional mas amigável. Você atende consumidores finais.\n\n' +
        'Perguntas Frequentes:\n- Qual o prazo de entrega: Até 5 dias úteis\n\n' +
        'Sempre seja educado, objetivo e ajude o cliente a resolver o que precisa. Nunca invente preços, prazos ou coberturas que não estejam acima.',
    );
  });

  test('when generate gets no onboarding data, then 400 "Dados de onboarding obrigatórios"', async () => {
    const missing = await request('POST', '/api/ai/onboarding/generate', {}, admin);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ success: false, error: 'Dados de onboarding obrigatórios: onboardingData' });
    const noName = await request('POST', '/api/ai/onboarding/generate', { onboardingData: { tone: 'casual' } }, admin);
    expect(noName.body.error).toBe('Dados de onboarding obrigatórios: onboardingData.businessName');
  });

  test('saving step by step keeps earlier answers, completes with the required fields and GET returns the whole onboarding', async () => {
    const instanceId = randomUUID();
    expect(await request('GET', `/api/ai/onboarding/${instanceId}`, undefined, agent)).toEqual({ status: 404, body: { success: false, error: 'Onboarding não encontrado' } });
    const step1 = await request('POST', `/api/ai/onboarding/${instanceId}`, { businessName: 'Minha Empresa', currentStep: 1 }, admin);
    expect(step1).toEqual({ status: 200, body: { success: true, data: { instanceId, currentStep: 1, updatedAt: iso, isComplete: false } } });
    const step3 = await request(
      'POST',
      `/api/ai/onboarding/${instanceId}`,
      {
        businessName: 'Minha Empresa',
        businessType: 'ECOMMERCE',
        businessDescription: 'Loja de produtos eletrônicos online',
        targetAudience: 'Consumidores finais interessados em tecnologia',
        tone: 'professional_friendly',
        mainProducts: ['Smartphones', 'Notebooks'],
        currentStep: 3,
      },
      admin,
    );
    expect(step3.body.data).toMatchObject({ currentStep: 3, isComplete: true });
    await request(
      'POST',
      `/api/ai/onboarding/${instanceId}`,
      { faq: [{ question: 'Qual o prazo de entrega?', answer: 'Entregamos em até 5 dias úteis' }], workingHours: { start: '09:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] } },
      admin,
    );
    const read = await request('GET', `/api/ai/onboarding/${instanceId}`, undefined, agent);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      success: true,
      data: {
        instanceId,
        businessName: 'Minha Empresa',
        businessType: 'ECOMMERCE',
        businessDescription: 'Loja de produtos eletrônicos online',
        targetAudience: 'Consumidores finais interessados em tecnologia',
        tone: 'professional_friendly',
        mainProducts: ['Smartphones', 'Notebooks'],
        faq: [{ question: 'Qual o prazo de entrega?', answer: 'Entregamos em até 5 dias úteis' }],
        workingHours: { start: '09:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] },
        generatedPrompt: expect.stringContaining('Você é um assistente virtual da Minha Empresa'),
        isComplete: true,
        completedAt: iso,
        currentStep: 3,
        updatedAt: iso,
      },
    });
    expect(read.body.data.generatedPrompt).toContain('Horário de atendimento humano: de segunda a sexta, das 09:00 às 18:00 (America/Sao_Paulo).');
  });

  test('when an onboarding answer is invalid, then 400 names it and the stored onboarding is unchanged', async () => {
    const instanceId = `loja-${randomUUID().slice(0, 8)}`;
    await request('POST', `/api/ai/onboarding/${instanceId}`, { businessName: 'Loja', tone: 'casual' }, admin);
    const bad = await request('POST', `/api/ai/onboarding/${instanceId}`, { tone: 'grumpy', workingHours: { start: '18:00', end: '09:00', timezone: 'Mars/Olympus', workDays: [8] } }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((field: any) => field.path).sort()).toEqual(['tone', 'workingHours.end', 'workingHours.timezone', 'workingHours.workDays.0']);
    expect((await request('GET', `/api/ai/onboarding/${instanceId}`, undefined, admin)).body.data.tone).toBe('casual');
  });
});

describe('analysis', () => {
  test('analyze runs once and returns the stored result until forced; state and batch states read it', async () => {
    const conversationId = await startConversation('roubaram meu carro agora há pouco, estou desesperada');
    expect(await request('GET', `/api/ai/conversations/${conversationId}/state`, undefined, agent)).toEqual({
      status: 404,
      body: { success: false, error: 'Estado não encontrado' },
    });

    const analyzed = await request('POST', '/api/ai/analyze', { conversationId, force: false }, agent);
    expect(analyzed.status).toBe(200);
    expect(analyzed.body).toEqual({
      success: true,
      data: {
        analysis: {
          sentiment: 'negative',
          urgency: 'high',
          intent: expect.any(String),
          topics: expect.arrayContaining(['roubo/furto']),
          suggestedActions: expect.arrayContaining([{ type: 'PRIORITIZE', description: expect.any(String) }]),
          summary: expect.stringContaining('Carla Dias'),
          frustration: expect.any(Number),
          analyzedAt: iso,
          engine: 'offline',
        },
      },
      analysis: { sentiment: 'negative', urgency: 'high' },
    });
    const again = await request('POST', '/api/ai/analyze', { conversationId }, agent);
    expect(again.body.data.analysis.analyzedAt).toBe(analyzed.body.data.analysis.analyzedAt);
    const forced = await request('POST', '/api/ai/analyze', { conversationId, force: true }, agent);
    expect(forced.body.data.analysis.analyzedAt > analyzed.body.data.analysis.analyzedAt).toBe(true);

    const state = await request('GET', `/api/ai/conversations/${conversationId}/state`, undefined, agent);
    expect(state.status).toBe(200);
    expect(state.body.data).toEqual(
      expect.objectContaining({
        conversationId,
        sentiment: 'negative',
        urgency: 'high',
        intent: expect.any(String),
        topics: expect.any(Array),
        lastAnalyzedAt: forced.body.data.analysis.analyzedAt,
        messageCount: expect.any(Number),
        aiEnabled: true,
        isPaused: false,
        summary: expect.any(String),
        suggestedResponse: expect.stringMatching(/^Sinto muito pelo transtorno/),
        actionsPerformed: expect.arrayContaining([{ action: 'ANALYZED', tag: 'negative/high', timestamp: iso }]),
      }),
    );
    expect(state.body.data.messageCount).toBeGreaterThanOrEqual(3);

    const unknown = randomUUID();
    const batch = await request('POST', '/api/ai/conversations/states', { conversationIds: [conversationId, unknown, 'uuid-3'] }, agent);
    expect(batch).toEqual({
      status: 200,
      body: { success: true, data: { [conversationId]: { sentiment: 'negative', urgency: 'high', lastAnalyzedAt: forced.body.data.analysis.analyzedAt }, [unknown]: null, 'uuid-3': null } },
    });
    // another tenant's token sees nothing
    expect((await request('GET', `/api/ai/conversations/${conversationId}/state`, undefined, foreignAdmin)).status).toBe(404);
    expect((await request('POST', '/api/ai/conversations/states', { conversationIds: [conversationId] }, foreignAdmin)).body.data[conversationId]).toBeNull();
  });

  test('when the conversation has ended, then a forced analysis reads its stored transcript', async () => {
    const conversationId = await startConversation('o app é ótimo mas o boleto veio errado');
    await stack.client.workflow.getHandle(conversationWorkflowId(conversationId)).signal(closeSignal, { reason: 'test' });
    await stack.client.workflow.getHandle(conversationWorkflowId(conversationId)).result();
    const analyzed = await request('POST', '/api/ai/analyze', { conversationId, force: true }, admin);
    expect(analyzed.status).toBe(200);
    expect(analyzed.body.analysis).toEqual({ sentiment: 'mixed', urgency: expect.any(String) });
    const state = await request('GET', `/api/ai/conversations/${conversationId}/state`, undefined, admin);
    expect(state.body.data).toMatchObject({ sentiment: 'mixed', lastAnalyzedAt: analyzed.body.data.analysis.analyzedAt });
  });

  test('when analyze gets a bad body or an unknown conversation, then 400 names the field or 404', async () => {
    const bad = await request('POST', '/api/ai/analyze', { force: 'yes' }, agent);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: 'Erro na análise: conversationId, force' });
    expect(await request('POST', '/api/ai/analyze', { conversationId: randomUUID() }, agent)).toEqual({ status: 404, body: { success: false, error: 'Conversa não encontrada' } });
    expect((await request('POST', '/api/ai/conversations/states', { conversationIds: [] }, agent)).status).toBe(400);
  });
});

describe('internal assistant', () => {
  test('the assistant answers from the help index, keeps the history per agent and deletes it', async () => {
    const first = await request(
      'POST',
      '/api/ai/assistant/chat',
      { message: 'Como configuro um follow-up automático?', history: [{ role: 'user', content: 'Olá' }, { role: 'assistant', content: 'Olá! Como posso ajudar?' }] },
      agent,
    );
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, data: { response: expect.stringContaining('FOLLOW_UP_DELAY'), conversationId: uuid, messageId: uuid } });
    const { conversationId } = first.body.data;
    const second = await request('POST', '/api/ai/assistant/chat', { message: 'e como gero um token de atendente?', conversationId }, agent);
    expect(second.body.data).toMatchObject({ conversationId, response: expect.stringContaining('npx atende token') });

    const list = await request('GET', '/api/ai/assistant/conversations', undefined, agent);
    expect(list).toEqual({ status: 200, body: { success: true, data: [{ id: conversationId, title: 'Configuração de Follow-ups', lastMessageAt: iso, messageCount: 4 }] } });
    const messages = await request('GET', `/api/ai/assistant/conversations/${conversationId}/messages`, undefined, agent);
    expect(messages.body.data.map((message: any) => [message.role, message.content.slice(0, 20)])).toEqual([
      ['user', 'Como configuro um fo'],
      ['assistant', first.body.data.response.slice(0, 20)],
      ['user', 'e como gero um token'],
      ['assistant', second.body.data.response.slice(0, 20)],
    ]);
    expect(messages.body.data[1]).toEqual({ id: first.body.data.messageId, role: 'assistant', content: first.body.data.response, createdAt: iso });

    // another agent neither sees nor continues it
    expect((await request('GET', '/api/ai/assistant/conversations', undefined, otherAgent)).body.data).toEqual([]);
    expect((await request('GET', `/api/ai/assistant/conversations/${conversationId}/messages`, undefined, otherAgent)).status).toBe(404);
    expect((await request('POST', '/api/ai/assistant/chat', { message: 'oi', conversationId }, otherAgent)).status).toBe(404);

    expect(await request('DELETE', `/api/ai/assistant/conversations/${conversationId}`, undefined, agent)).toEqual({ status: 200, body: { success: true } });
    expect((await request('GET', `/api/ai/assistant/conversations/${conversationId}/messages`, undefined, agent)).status).toBe(404);
  });

  test('when the question is outside the help index, then it says so and lists what it knows', async () => {
    const reply = await request('POST', '/api/ai/assistant/chat', { message: 'qual a capital da frança?' }, admin);
    expect(reply.body.data.response).toMatch(/^Não encontrei isso na ajuda do Atende/);
    expect((await request('POST', '/api/ai/assistant/chat', { message: '' }, admin)).body).toMatchObject({ success: false, fields: [{ path: 'message' }] });
  });
});

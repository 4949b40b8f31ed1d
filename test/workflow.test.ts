import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ConversationInput, type SendMessageResult } from '../domain/conversation';
import { analyzeUpdate, changeScriptUpdate, closeSignal, conversationWorkflowId, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { conversationWorkflow } from '../workflows';
import { invalidCpf, testStack, validCpf } from './support/stack';
import { sayAndRead, timeSkippingSuite } from './support/time-skipping';
import { demoScripts, fakeActivities, input, prompt } from './support/workflow-fakes';

const suite = timeSkippingSuite('wf');
const { withWorker } = suite;

const started = new Set<string>();

/**
 * Starts on first use, then sends an update. The time-skipping test server has no
 * update-with-start (a multi-operation); the API's use of it is covered on the dev server.
 */
async function send(taskQueue: string, conversation: ConversationInput, text: string): Promise<SendMessageResult> {
  const workflowId = conversationWorkflowId(conversation.conversationId);
  if (!started.has(workflowId)) {
    await suite.env.client.workflow.start(conversationWorkflow, { workflowId, taskQueue, args: [conversation] });
    started.add(workflowId);
  }
  return sayAndRead(suite.env.client.workflow.getHandle(workflowId), text);
}

function handleOf(conversation: ConversationInput): WorkflowHandle<typeof conversationWorkflow> {
  return suite.env.client.workflow.getHandle(conversationWorkflowId(conversation.conversationId));
}

const texts = (result: SendMessageResult) => result.replies.map((reply) => reply.text).join('\n');

describe('conversation workflow', () => {
  test('when the customer states a demand, then the bot greets, matches the script and asks its first question', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'bom dia, preciso da segunda via do boleto');
      expect(texts(first)).toMatch(/Olá, Maria!/);
      expect(texts(first)).toMatch(/Segunda via do boleto/);
      expect(texts(first)).toMatch(/CPF/);
      expect(first.state.stage).toBe('collecting');
      expect(first.state.script?.id).toBe('boleto');
      expect(first.state.pending?.stepId).toBe('cpf');
      expect(activities.matchScript).toHaveBeenCalledTimes(1);
      // one write per turn: the customer's message and the three bot replies together
      expect(activities.recordTurn).toHaveBeenCalledTimes(1);
      const written = activities.recordTurn.mock.calls[0]![0].messages;
      expect(written.map((message) => [message.seq, message.role])).toEqual([
        [1, 'customer'],
        [2, 'bot'],
        [3, 'bot'],
        [4, 'bot'],
      ]);
    });
  });

  test('when the customer writes, then the update answers with the customer view only, not the staff state', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'preciso da segunda via do boleto');
      const handle = handleOf(conversation);
      const result = await handle.executeUpdate(sendMessageUpdate, { args: [{ text: 'quero falar com um atendente' }] });
      expect(result.state).toMatchObject({ conversationId: conversation.conversationId, stage: 'escalated', withAgent: false, script: { id: 'boleto', steps: 3 } });
      for (const staffOnly of ['tenantId', 'customer', 'analysis', 'escalation', 'persona', 'actions']) expect(result.state).not.toHaveProperty(staffOnly);
      // the whole state is still there for staff, through the query
      expect((await handle.query(stateQuery)).escalation?.reason).toBe('customer_asked_for_human');
      await handle.signal(closeSignal, { reason: 'test' });
      await handle.result();
    });
  });

  test('when the customer gives an invalid CPF, then the bot asks again and keeps the step', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'quero a segunda via do boleto');
      const retry = await send(taskQueue, conversation, invalidCpf);
      expect(texts(retry)).toMatch(/CPF não é válido/);
      expect(retry.state.pending).toMatchObject({ stepId: 'cpf', attempts: 1 });
      expect(retry.state.answers).toEqual({});
      const next = await send(taskQueue, conversation, `meu cpf é ${validCpf}`);
      expect(next.state.answers).toEqual({ cpf: validCpf });
      expect(next.state.pending?.stepId).toBe('parcela');
    });
  });

  test('when every answer is collected, then it analyzes, resolves with a protocol, follows up after the delay and closes', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input({ followUpDelayMs: 3_600_000, closeAfterFollowUpMs: 86_400_000 });
      await send(taskQueue, conversation, 'quero a segunda via do boleto');
      await send(taskQueue, conversation, validCpf);
      await send(taskQueue, conversation, 'março');
      const bad = await send(taskQueue, conversation, 'maria arroba exemplo');
      expect(texts(bad)).toMatch(/e-mail não parece válido/);
      const summary = await send(taskQueue, conversation, 'Maria@Exemplo.com');
      expect(summary.state.stage).toBe('confirming');
      expect(texts(summary)).toMatch(/529\.982\.247-25/);
      expect(texts(summary)).toMatch(/maria@exemplo\.com/);
      const done = await send(taskQueue, conversation, 'sim');
      expect(done.state.stage).toBe('resolved');
      expect(done.state.status).toBe('resolved');
      expect(done.state.protocol).toMatch(/^ATD-\d{8}-[0-9A-F]{6}$/);
      expect(done.state.answers).toEqual({ cpf: validCpf, parcela: 'março', email: 'maria@exemplo.com' });
      expect(done.state.analysis).toMatchObject({ sentiment: 'neutral', urgency: 'low' });
      expect(texts(done)).toContain(done.state.protocol!);
      expect(activities.analyzeConversation).toHaveBeenCalledTimes(1);
      expect(activities.escalateToInbox).not.toHaveBeenCalled();

      const handle = handleOf(conversation);
      await suite.env.sleep('61 minutes');
      const afterFollowUp = await handle.query(stateQuery);
      expect(afterFollowUp.followUp?.sentAt).not.toBeNull();
      const followUpWrite = activities.recordTurn.mock.calls.at(-1)![0];
      expect(followUpWrite.messages.map((message) => message.text).join()).toMatch(/ficou tudo certo/);

      const final = await handle.result();
      expect(final.stage).toBe('closed');
      expect(final.status).toBe('resolved');
      const closing = activities.recordTurn.mock.calls.at(-1)![0];
      expect(closing.state.stage).toBe('closed');
    });
  });

  test('when the customer writes before the follow-up is due, then the follow-up is not sent and thanks close the conversation', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'quero cancelar meu seguro');
      await send(taskQueue, conversation, validCpf);
      await send(taskQueue, conversation, 'preco');
      await send(taskQueue, conversation, 's');
      const done = await send(taskQueue, conversation, 'pode confirmar');
      expect(done.state.answers).toEqual({ cpf: validCpf, motivo: 'preço', confirma: 'true' });
      expect(done.state.stage).toBe('resolved');
      await suite.env.sleep('30 minutes');
      const bye = await send(taskQueue, conversation, 'obrigado!');
      expect(texts(bye)).toMatch(/Até logo/);
      const final = await handleOf(conversation).result();
      expect(final.stage).toBe('closed');
      expect(final.followUp?.sentAt ?? null).toBeNull();
      const allBotTexts = activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map((message) => message.text));
      expect(allBotTexts.join('\n')).not.toMatch(/ficou tudo certo/);
    });
  });

  test('when the script says so, then completion escalates into the inbox once and the bot acknowledges the wait once', async () => {
    // the boleto script, set by its admin to end with a person
    const scripts = demoScripts.map((script) => (script.id === 'boleto' ? { ...script, onComplete: { action: 'escalate' as const }, version: 2 } : script));
    const activities = fakeActivities({ scripts });
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      for (const text of ['preciso da segunda via do boleto', validCpf, 'março', 'maria@exemplo.com']) await send(taskQueue, conversation, text);
      const done = await send(taskQueue, conversation, 'sim');
      expect(done.state.stage).toBe('escalated');
      expect(done.state.status).toBe('escalated');
      expect(done.state.escalation).toMatchObject({ reason: 'script_requires_agent', number: 1, via: 'inbox', inboxItemId: `${conversation.conversationId}:1` });
      expect(done.state.protocol).toMatch(/^ATD-/);
      // the inbox row is written with the turn that escalated, from its state
      const written = activities.recordTurn.mock.calls.map(([call]) => call.state.escalation).filter(Boolean);
      expect(written.length).toBeGreaterThan(0);
      expect(new Set(written.map((escalation) => escalation!.inboxItemId))).toEqual(new Set([`${conversation.conversationId}:1`]));
      expect(activities.escalateToInbox).not.toHaveBeenCalled();
      const waiting = await send(taskQueue, conversation, 'alô?');
      expect(texts(waiting)).toMatch(/nossa equipe/);
      const again = await send(taskQueue, conversation, 'alguém aí?');
      expect(again.replies).toEqual([]);
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
      expect((await handleOf(conversation).result()).stage).toBe('closed');
    });
  });

  test('when no script fits twice, then the bot offers a person and escalates', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'qual a previsão do tempo em Recife');
      expect(first.state.stage).toBe('identifying');
      expect(texts(first)).toMatch(/não consegui entender seu pedido[\s\S]*Posso te ajudar com: Segunda via do boleto/);
      const second = await send(taskQueue, conversation, 'me indica um restaurante');
      expect(second.state.stage).toBe('escalated');
      expect(second.state.escalation).toMatchObject({ reason: 'no_script_matched', via: 'inbox' });
      expect(second.state.escalation?.detail).toMatch(/2 tentativas/);
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when a message is empty after the greeting, then the update is rejected before it reaches history', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const greeting = await send(taskQueue, conversation, '');
      expect(texts(greeting)).toMatch(/como posso te ajudar/);
      expect(greeting.state.customerTurns).toBe(0);
      const rejected = await send(taskQueue, conversation, '   ').catch((error: Error) => error);
      expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((rejected as WorkflowUpdateFailedError).cause?.message).toMatch(/must not be empty/);
      const state = await handleOf(conversation).query(stateQuery);
      expect(state.messageCount).toBe(1);
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when the demand already carries a CPF, then that step is taken and skipped', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'roubaram meu carro ontem à noite, meu CPF é 529.982.247-25');
      expect(first.state.script?.id).toBe('sinistro');
      expect(first.state.answers).toEqual({ cpf: validCpf });
      expect(first.state.pending?.stepId).toBe('ocorrencia');
      expect(texts(first)).toMatch(/Já anotei o CPF 529\.982\.247-25/);
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when the demand fits two scripts, then the bot asks which one and accepts a number', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const question = await send(taskQueue, conversation, 'perdi o boleto e quero cancelar o seguro');
      expect(question.state.stage).toBe('clarifying');
      expect(question.state.options?.map((option) => option.scriptId).sort()).toEqual(['boleto', 'cancelamento']);
      expect(texts(question)).toMatch(/1\. .*\n2\. /);
      const position = question.state.options!.findIndex((option) => option.scriptId === 'cancelamento') + 1;
      const picked = await send(taskQueue, conversation, String(position));
      expect(picked.state).toMatchObject({ stage: 'collecting', scriptSource: 'clarification', options: null });
      expect(picked.state.script?.id).toBe('cancelamento');
      expect(picked.state.pending?.stepId).toBe('cpf');
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when the customer answers the options in words, then the words pick the script; "nenhum" asks again', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const byWords = input();
      await send(taskQueue, byWords, 'perdi o boleto e quero cancelar o seguro');
      const picked = await send(taskQueue, byWords, 'é o do boleto');
      expect(picked.state.script?.id).toBe('boleto');
      expect(activities.matchScript).toHaveBeenLastCalledWith(expect.objectContaining({ among: expect.arrayContaining(['boleto', 'cancelamento']) }));

      const none = input();
      await send(taskQueue, none, 'perdi o boleto e quero cancelar o seguro');
      const neither = await send(taskQueue, none, 'nenhum');
      expect(neither.state).toMatchObject({ stage: 'identifying', options: null, script: null });
      expect(texts(neither)).toMatch(/outras palavras/);
      for (const conversation of [byWords, none]) await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when the customer corrects an earlier answer, then it is replaced and the current question is asked again', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'segunda via do boleto');
      await send(taskQueue, conversation, validCpf);
      await send(taskQueue, conversation, 'de março');
      const corrected = await send(taskQueue, conversation, 'errei o CPF, o certo é 111.444.777-35');
      expect(corrected.state.answers).toEqual({ cpf: '11144477735', parcela: 'de março' });
      expect(corrected.state.pending?.stepId).toBe('email');
      expect(texts(corrected)).toMatch(/Corrigido: o CPF 111\.444\.777-35/);
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when the customer says "não" to the summary, then they pick an item, answer it again and see the summary again', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'segunda via do boleto');
      await send(taskQueue, conversation, validCpf);
      await send(taskQueue, conversation, 'março');
      await send(taskQueue, conversation, 'maria@exemplo.com');
      const which = await send(taskQueue, conversation, 'não');
      expect(texts(which)).toMatch(/O que você quer corrigir/);
      const asked = await send(taskQueue, conversation, '3');
      expect(asked.state).toMatchObject({ stage: 'collecting', pending: { stepId: 'email', correcting: true } });
      const again = await send(taskQueue, conversation, 'maria.souza@exemplo.com');
      expect(again.state.stage).toBe('confirming');
      expect(texts(again)).toMatch(/maria\.souza@exemplo\.com/);
      const done = await send(taskQueue, conversation, 'sim');
      expect(done.state.stage).toBe('resolved');
      expect(done.state.answers.email).toBe('maria.souza@exemplo.com');
    });
  });

  test('when the customer cancels mid-collection, then the answers are dropped and the bot asks for a new demand', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'segunda via do boleto');
      await send(taskQueue, conversation, validCpf);
      const cancelled = await send(taskQueue, conversation, 'deixa pra lá');
      expect(cancelled.state).toMatchObject({ stage: 'identifying', script: null, answers: {}, pending: null });
      const next = await send(taskQueue, conversation, 'quero cancelar meu seguro');
      expect(next.state.script?.id).toBe('cancelamento');
      await handleOf(conversation).signal(closeSignal, { reason: 'test' });
    });
  });

  test('when an agent re-scripts the conversation, then collection restarts keeping answers of the same id and type', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'segunda via do boleto');
      await send(taskQueue, conversation, validCpf);
      const handle = handleOf(conversation);
      const changed = await handle.executeUpdate(changeScriptUpdate, { args: [{ scriptId: 'cancelamento', by: 'agent:ana' }] });
      expect(changed.state).toMatchObject({ stage: 'collecting', scriptSource: 'agent', answers: { cpf: validCpf } });
      expect(changed.state.script?.id).toBe('cancelamento');
      expect(changed.state.pending?.stepId).toBe('motivo');
      expect(texts(changed)).toMatch(/ajustou seu atendimento para: Cancelamento do seguro/);
      const written = activities.recordTurn.mock.calls.at(-1)![0].messages;
      expect(written.find((message) => message.role === 'system')?.text).toMatch(/agent:ana/);
      const unknown = await handle.executeUpdate(changeScriptUpdate, { args: [{ scriptId: 'nope', by: 'agent:ana' }] }).catch((error: Error) => error);
      expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((await handle.query(stateQuery)).script?.id).toBe('cancelamento');
      await handle.signal(closeSignal, { reason: 'test' });
    });
  });
});


describe('onboarding and action prompts in the conversation', () => {
  test('when the business chose a casual tone and has a WELCOME prompt, then the greeting uses its name, products and hours, once', async () => {
    const welcome = prompt({ actionType: 'WELCOME', name: 'Boas-vindas', conditions: { triggerOnFirstMessage: true } });
    const activities = fakeActivities({
      persona: {
        businessName: 'Corretora Boa Vista',
        tone: 'casual',
        mainProducts: ['Seguro Auto', 'Seguro Vida'],
        workingHours: { start: '09:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] },
        prompts: [welcome],
      },
    });
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'quero a segunda via do boleto');
      expect(first.replies[0]!.text).toBe(
        'Oi, Maria! Aqui é da Corretora Boa Vista 😊 Atendemos Seguro Auto e Seguro Vida. Nossa equipe atende de segunda a sexta, das 09:00 às 18:00; eu respondo a qualquer hora. Me conta, do que você precisa?',
      );
      expect(first.state.actions).toEqual([expect.objectContaining({ action: 'PROMPT_APPLIED', promptId: welcome.id, actionType: 'WELCOME' })]);
      const second = await send(taskQueue, conversation, validCpf);
      expect(texts(second)).not.toMatch(/Corretora Boa Vista/);
      expect(second.state.actions.filter((action) => action.action === 'PROMPT_APPLIED')).toHaveLength(1);
      expect(activities.loadPersona).toHaveBeenCalledTimes(1);
    });
  });

  test('when the customer turns negative, then COMPLAINT_HANDLING opens the reply with empathy, and not again while it stays negative', async () => {
    const complaint = prompt({ actionType: 'COMPLAINT_HANDLING', name: 'Reclamação', conditions: { sentimentTrigger: 'negative' } });
    await withWorker(fakeActivities({ persona: { prompts: [complaint] } }), async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'quero a segunda via do boleto');
      expect(texts(first)).not.toMatch(/Sinto muito/);
      const upset = await send(taskQueue, conversation, 'que absurdo, já mandei meu documento ontem');
      expect(upset.replies[0]!.text).toBe('Sinto muito pelo transtorno. Vou fazer o possível para resolver isso com você.');
      expect(texts(upset)).toMatch(/CPF/);
      const stillUpset = await send(taskQueue, conversation, 'péssimo atendimento');
      expect(texts(stillUpset)).not.toMatch(/Sinto muito/);
      expect(stillUpset.state.actions.filter((action) => action.promptId === complaint.id)).toHaveLength(1);
    });
  });

  test('when a keyword prompt is limited to the Novo funnel stage, then it applies to a new demand and not during collection', async () => {
    const lead = prompt({ actionType: 'LEAD_QUALIFICATION', conditions: { funnelStage: 'Novo', triggerOnKeywords: ['cotação', 'preço'] } });
    await withWorker(fakeActivities({ persona: { prompts: [lead] } }), async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'quero fazer uma cotação de seguro auto');
      expect(first.replies.map((reply) => reply.text)).toContain('Que bom que você se interessou!');
      expect(first.state.stage).toBe('collecting');
      const later = await send(taskQueue, conversation, 'qual o preço?');
      expect(texts(later)).not.toMatch(/interessou/);
    });
  });

  test('when the customer asks an FAQ question, then the bot answers it directly and a demand still starts its script', async () => {
    const faq = [{ question: 'Qual o horário de atendimento?', answer: 'Atendemos de segunda a sexta, das 9h às 18h.' }];
    const activities = fakeActivities({ persona: { faq } });
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const answered = await send(taskQueue, conversation, 'qual é o horário de atendimento de vocês?');
      expect(texts(answered)).toMatch(/Atendemos de segunda a sexta, das 9h às 18h\./);
      expect(answered.state.stage).toBe('identifying');
      expect(answered.state.actions.at(-1)).toMatchObject({ action: 'FAQ_ANSWERED', name: faq[0]!.question });
      expect(activities.matchScript.mock.calls[0]![0].faq).toEqual(faq);
      const demand = await send(taskQueue, conversation, 'quero a segunda via do boleto');
      expect(demand.state.script?.id).toBe('boleto');
    });
  });

  test('when the worker has a model, then applied prompts are phrased by it under the onboarding prompt', async () => {
    const welcome = prompt({ actionType: 'WELCOME', name: 'Boas-vindas', prompt: 'Cumprimente com entusiasmo.' });
    const activities = fakeActivities({
      persona: { systemPrompt: 'Você é um assistente virtual da Boa Vista.', prompts: [welcome] },
      llmLine: (line) => `[modelo] ${line.prompts.map((applied) => applied.name).join(', ')}`,
    });
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      const first = await send(taskQueue, conversation, 'quero a segunda via do boleto');
      expect(first.replies[0]!.text).toBe('[modelo] Boas-vindas');
      expect(activities.composeLine).toHaveBeenCalledTimes(1);
      expect(activities.composeLine.mock.calls[0]![0]).toMatchObject({
        systemPrompt: 'Você é um assistente virtual da Boa Vista.',
        prompts: [{ name: 'Boas-vindas', prompt: 'Cumprimente com entusiasmo.' }],
        customerText: 'quero a segunda via do boleto',
      });
      await send(taskQueue, conversation, validCpf);
      // nothing applied on the second message: no model call
      expect(activities.composeLine).toHaveBeenCalledTimes(1);
    });
  });

  test('when an agent asks for analysis mid-conversation, then the analyze update returns it and the state keeps it', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'roubaram meu carro agora há pouco');
      const analysis = await handleOf(conversation).executeUpdate(analyzeUpdate, { args: [{ by: 'agent:ana' }] });
      expect(analysis).toMatchObject({ sentiment: 'negative', urgency: 'high', engine: 'offline' });
      const state = await handleOf(conversation).query(stateQuery);
      expect(state.analysis).toEqual(analysis);
      expect(state.actions.at(-1)).toMatchObject({ action: 'ANALYZED', tag: 'negative/high' });
      expect(activities.analyzeConversation.mock.calls[0]![0]).toMatchObject({ customerMessages: ['roubaram meu carro agora há pouco'], customerName: 'Maria Souza' });
      await expect(handleOf(conversation).executeUpdate(analyzeUpdate, { args: [{ by: '' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    });
  });
});

import type { WorkflowHandle } from '@temporalio/client';
import type { ConversationState } from '../domain/conversation';
import { conversationWorkflow } from '../workflows';
import { closeSignal, conversationWorkflowId, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { validCpf } from './support/stack';
import { timeSkippingSuite } from './support/time-skipping';
import { fakeActivities, input } from './support/workflow-fakes';

/** The competence patch: the bot in realistic dialogues, each behaviour through the real workflow. */
const suite = timeSkippingSuite('competence');
const { withWorker } = suite;

const HOUR = 3_600_000;
const aftercare = { inactivity: { nudgeAfterMs: HOUR, abandonAfterMs: HOUR, resumeWithinMs: 24 * HOUR }, csat: true };

const running: WorkflowHandle[] = [];
afterEach(async () => {
  for (const handle of running.splice(0)) {
    await handle.signal(closeSignal, { reason: 'test over' }).catch(() => undefined);
    await handle.terminate('test over').catch(() => undefined);
  }
});

async function start(taskQueue: string) {
  const conversation = input(aftercare);
  const handle = await suite.env.client.workflow.start(conversationWorkflow, {
    workflowId: conversationWorkflowId(conversation.conversationId),
    taskQueue,
    args: [conversation],
  });
  running.push(handle);
  const say = async (text: string) => (await handle.executeUpdate(sendMessageUpdate, { args: [{ text }] })).replies.map((reply) => reply.text).join('\n');
  const state = (): Promise<ConversationState> => handle.query(stateQuery);
  return { handle, say, state };
}

describe('conversation competence', () => {
  test('when the customer greets and makes small talk, then the bot answers in kind, counts no miss and never escalates', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      expect(await say('oi')).not.toMatch(/não entendi/);
      expect(await say('bom dia, tudo bem?')).toMatch(/Tudo ótimo por aqui/);
      expect(await say('boa tarde!')).toMatch(/Em que posso te ajudar/);
      expect(await state()).toMatchObject({ stage: 'identifying', status: 'active', matchMisses: 0, escalation: null });
      expect(await say('oi, preciso da segunda via do boleto')).toMatch(/CPF/);
      expect((await state()).script?.id).toBe('boleto');
    });
  });

  test('when the customer asks for a person on the first message, then the conversation is escalated at once, without running a script', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      expect(await say('quero conversar com alguém de carne e osso')).toMatch(/pessoa da nossa equipe/);
      expect(await state()).toMatchObject({ stage: 'escalated', status: 'escalated', escalation: { reason: 'customer_asked_for_human' } });
    });
  });

  test('when the customer refuses a step and asks for a person mid-script, then the request is honoured instead of asking the CPF again', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('preciso da segunda via do boleto');
      expect(await say('não vou passar cpf nenhum, me passa pra um humano agora')).not.toMatch(/CPF/);
      expect((await state()).status).toBe('escalated');
    });
  });

  test('when someone is hurt, then the emergency numbers come first and a person is called at once with critical urgency', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      const reply = await say('sofri um acidente agora, tem gente ferida');
      expect(reply.split('\n')[0]).toMatch(/SAMU 192.*Bombeiros 193.*Polícia 190/);
      const current = await state();
      expect(current).toMatchObject({ status: 'escalated', script: null });
      expect(current.analysis?.urgency).toBe('critical');
      expect(activities.analyzeConversation).toHaveBeenCalledTimes(1);
    });
  });

  test('when the customer asks a question while a CPF is pending, then it is answered and the CPF asked again without counting an attempt', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('preciso da segunda via do boleto');
      const hours = await say('antes, qual o horário de atendimento de vocês?');
      expect(hours).not.toMatch(/Não encontrei um CPF/);
      expect(hours).toMatch(/qualquer hora|atende/);
      expect(hours).toMatch(/CPF/);
      const why = await say('por que vocês precisam do meu cpf?');
      expect(why).toMatch(/localizar sua apólice/);
      expect((await state()).pending).toMatchObject({ stepId: 'cpf', attempts: 0 });
      await say(validCpf);
      expect((await state()).answers.cpf).toBe(validCpf);
    });
  });

  test('when a question mid-script is in the business\'s FAQ, then the FAQ answers it and the step is asked again', async () => {
    const activities = fakeActivities({ persona: { faq: [{ question: 'Vocês aceitam pagamento por pix?', answer: 'Aceitamos pix, boleto e cartão.' }] } });
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('preciso da segunda via do boleto');
      const reply = await say('vocês aceitam pagamento por pix?');
      expect(reply).toMatch(/Aceitamos pix, boleto e cartão\.[\s\S]*CPF/);
      expect(activities.answerFaq).toHaveBeenCalledTimes(1);
      expect((await state()).pending).toMatchObject({ stepId: 'cpf', attempts: 0 });
    });
  });

  test('when a model is configured and the FAQ has no answer, then the model answers the mid-script question and the step is asked again', async () => {
    const modelAnswer = jest.fn((text: string) => (/estacionamento/.test(text) ? { question: text, answer: 'Temos estacionamento gratuito na loja.' } : null));
    const activities = fakeActivities({ modelAnswer });
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('preciso da segunda via do boleto');
      expect(await say('vocês têm estacionamento?')).toMatch(/Temos estacionamento gratuito na loja\.[\s\S]*CPF/);
      expect(await say('a franquia é cobrada à parte?')).toMatch(/Não tenho essa resposta aqui[\s\S]*CPF/);
      expect(modelAnswer).toHaveBeenCalledTimes(2);
      expect((await state()).pending).toMatchObject({ stepId: 'cpf', attempts: 0 });
    });
  });

  test('when nothing in the catalog fits, then the bot says so politely and lists what it can do, starting no script', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      const reply = await say('vocês vendem celular?');
      expect(reply).toMatch(/Posso te ajudar com: .*Segunda via/);
      expect(reply).not.toMatch(/CPF/);
      expect(await state()).toMatchObject({ stage: 'identifying', script: null, escalation: null });
    });
  });

  test('when choices and yes/no come in the customer\'s own words, then they are read ("foi uma batida" = colisão, "graças a deus não" = não)', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('quero abrir um sinistro do meu carro');
      await say(validCpf);
      await say('foi uma batida');
      await say('graças a deus ninguém');
      expect((await state()).answers).toMatchObject({ ocorrencia: 'colisão', feridos: 'false' });
    });
  });

  test('when the customer gives up in words of their own, then the script is left and the next message is a new demand', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say, state } = await start(taskQueue);
      await say('quero fazer uma cotação de seguro');
      expect(await say('ah, esquece, deixa pra lá')).toMatch(/cancelei/);
      expect(await state()).toMatchObject({ stage: 'identifying', script: null });
      await say('preciso da segunda via do boleto');
      expect((await state()).script?.id).toBe('boleto');
    });
  });

  test('when the summary is shown, then steps are named by a short label, not by the whole question', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { say } = await start(taskQueue);
      await say('preciso da segunda via do boleto');
      await say(validCpf);
      await say('março');
      const summary = await say('maria@exemplo.com');
      expect(summary).toMatch(/1\. CPF: 529\.982\.247-25/);
      expect(summary).toMatch(/3\. E-mail: maria@exemplo\.com/);
    });
  });
});

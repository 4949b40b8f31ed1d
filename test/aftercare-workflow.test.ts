import type { WorkflowHandle } from '@temporalio/client';
import { type Script, type ScriptFollowUp } from '../domain/scripts';
import { scriptInputSchema } from '../domain/schemas';
import { type ConversationInput } from '../domain/conversation';
import { claimUpdate, closeSignal, conversationWorkflowId, resolveUpdate, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { conversationWorkflow } from '../workflows';
import { validCpf } from './support/stack';
import { timeSkippingSuite } from './support/time-skipping';
import { demoScripts, fakeActivities, input } from './support/workflow-fakes';

const suite = timeSkippingSuite('aftercare');
const { withWorker } = suite;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const inactivity = { nudgeAfterMs: 10 * MINUTE, abandonAfterMs: 20 * MINUTE, resumeWithinMs: 24 * HOUR };

type Activities = ReturnType<typeof fakeActivities>;

/** Workflows of the running test: a failed test must not leave one behind, or the next test's timers never skip. */
const running: WorkflowHandle[] = [];
afterEach(async () => {
  for (const handle of running.splice(0)) {
    await handle.terminate('test over').catch(() => undefined);
    await handle.result().catch(() => undefined);
  }
});

async function start(taskQueue: string, settings: Partial<ConversationInput['settings']>) {
  const conversation = input(settings);
  const handle = await suite.env.client.workflow.start(conversationWorkflow, {
    workflowId: conversationWorkflowId(conversation.conversationId),
    taskQueue,
    args: [conversation],
  });
  running.push(handle);
  const say = async (text: string, messageId?: string) => {
    const result = await handle.executeUpdate(sendMessageUpdate, { args: [{ text, ...(messageId ? { messageId } : {}) }] });
    return result.replies.map((reply) => reply.text).join('\n');
  };
  return { handle, say };
}

async function resolveBoleto(say: (text: string) => Promise<string>): Promise<void> {
  await say('preciso da segunda via do boleto');
  await say(validCpf);
  await say('março');
  await say('maria@exemplo.com');
  expect(await say('sim')).toMatch(/protocolo/);
}

const written = (activities: Activities) => activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map((message) => message.text));

async function finish(handle: WorkflowHandle): Promise<void> {
  await handle.signal(closeSignal, { reason: 'test' });
  await handle.result();
}

function withFollowUps(followUps: ScriptFollowUp[]): Script[] {
  return demoScripts.map((script) => (script.id === 'boleto' ? { ...scriptInputSchema.parse({ ...script, followUps }), version: 2 } : script));
}

describe('inactivity', () => {
  test('when a question stays unanswered, then the bot nudges at 10 minutes and closes as abandoned 20 minutes later, keeping the answers', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { inactivity });
      await say('preciso da segunda via do boleto');
      await say(validCpf);
      const asked = await suite.env.currentTimeMs();

      await suite.env.sleep(9 * MINUTE);
      expect((await handle.query(stateQuery)).inactivity ?? null).toBeNull();
      await suite.env.sleep(2 * MINUTE);
      const nudged = await handle.query(stateQuery);
      // the test server's clock runs on a little while the update returns
      expect(Date.parse(nudged.inactivity!.nudgedAt!) - asked).toBeGreaterThan(10 * MINUTE - 5_000);
      expect(Date.parse(nudged.inactivity!.nudgedAt!) - asked).toBeLessThan(11 * MINUTE);
      expect(written(activities).filter((text) => text.startsWith('Ainda está por aí?'))).toEqual(['Ainda está por aí? Qual parcela você quer pagar? (por exemplo: março)']);
      expect(nudged.stage).toBe('collecting');

      await suite.env.sleep(18 * MINUTE); // 29 minutes after the question: not yet
      expect((await handle.query(stateQuery)).stage).toBe('collecting');
      await suite.env.sleep(2 * MINUTE);
      const abandoned = await handle.query(stateQuery);
      expect(abandoned.stage).toBe('abandoned');
      expect(abandoned.status).toBe('abandoned');
      expect(Date.parse(abandoned.inactivity!.abandonedAt!) - asked).toBeGreaterThan(30 * MINUTE - 5_000);
      expect(Date.parse(abandoned.inactivity!.abandonedAt!) - asked).toBeLessThan(31 * MINUTE);
      expect(abandoned.answers).toEqual({ cpf: validCpf });
      expect(written(activities).at(-1)).toMatch(/Suas respostas ficam guardadas: se você voltar em até 24 horas, continuamos de onde paramos/);
      await finish(handle);
    });
  });

  test('when the customer comes back within the resume window, then the conversation continues at the pending question', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { inactivity });
      await say('preciso da segunda via do boleto');
      await say(validCpf);
      await suite.env.sleep(31 * MINUTE);
      expect((await handle.query(stateQuery)).stage).toBe('abandoned');
      await suite.env.sleep(20 * HOUR);

      const back = await say('oi, voltei');
      expect(back).toBe('Que bom que você voltou! Vamos continuar de onde paramos.\nQual parcela você quer pagar? (por exemplo: março)');
      const resumed = await handle.query(stateQuery);
      expect(resumed).toMatchObject({ stage: 'collecting', status: 'active', answers: { cpf: validCpf }, inactivity: null });
      expect(await say('março')).toMatch(/e-mail/);
      await say('maria@exemplo.com');
      expect(await say('sim')).toMatch(/protocolo/);
      await finish(handle);
    });
  });

  test('when the customer answers the pending question on coming back, then the answer is taken at once', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { inactivity });
      await say('preciso da segunda via do boleto');
      await say(validCpf);
      await suite.env.sleep(31 * MINUTE);
      const back = await say('março');
      expect(back).toMatch(/^Que bom que você voltou!.*\nEm qual e-mail/s);
      expect((await handle.query(stateQuery)).answers).toEqual({ cpf: validCpf, parcela: 'março' });
      await finish(handle);
    });
  });

  test('when the resume window passes, then the conversation closes as abandoned with its answers', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { inactivity });
      await say('preciso da segunda via do boleto');
      await say(validCpf);
      const final = await handle.result();
      expect(final).toMatchObject({ stage: 'closed', status: 'abandoned', answers: { cpf: validCpf } });
      expect(Date.parse(final.closedAt!) - Date.parse(final.inactivity!.abandonedAt!)).toBeGreaterThanOrEqual(24 * HOUR);
      expect(Date.parse(final.closedAt!) - Date.parse(final.inactivity!.abandonedAt!)).toBeLessThan(24 * HOUR + MINUTE);
    });
  });
});

describe('satisfaction survey', () => {
  test('when the customer thanks after a resolution, then the bot asks for a score once and "ótimo" is kept as 5', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true, inactivity });
      await resolveBoleto(say);
      expect(await say('obrigada!')).toMatch(/de 1 a 5, que nota você dá para este atendimento\?$/);
      expect((await handle.query(stateQuery)).stage).toBe('rating');
      expect(await say('ótimo!')).toMatch(/obrigado pela avaliação/i);
      const final = await handle.result();
      expect(final).toMatchObject({ stage: 'closed', status: 'resolved', csat: { score: 5, comment: 'ótimo!' } });
      expect(written(activities).filter((text) => /que nota você dá/.test(text))).toHaveLength(1);
    });
  });

  test('when the reply is unclear twice, then the bot asks once more and never again, even after a second resolution', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      await resolveBoleto(say);
      await say('obrigado');
      expect(await say('hmm')).toMatch(/Responda com um número de 1 \(muito ruim\) a 5 \(excelente\)/);
      const second = await say('quero a segunda via do boleto de abril');
      expect(second).not.toMatch(/nota|número de 1/);
      expect((await handle.query(stateQuery)).csat).toMatchObject({ score: null, askedAgain: true });
      await say(validCpf);
      await say('abril');
      await say('maria@exemplo.com');
      expect(await say('sim')).toMatch(/protocolo/);
      expect(await say('obrigado')).toBe('Eu que agradeço! Se precisar, é só chamar. Até logo!');
      const final = await handle.result();
      expect(final.stage).toBe('closed');
      expect(written(activities).filter((text) => /que nota você dá/.test(text))).toHaveLength(1);
    });
  });

  test('when an agent resolves the conversation, then the customer is surveyed too', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      await say('quero falar com um atendente');
      await say('problema com o boleto');
      await say('sim');
      expect((await handle.query(stateQuery)).stage).toBe('escalated');
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      await handle.executeUpdate(resolveUpdate, { args: [{ by: 'agent:ana', agentId: 'ana' }] });
      expect(await say('valeu')).toMatch(/que nota você dá/);
      await say('4');
      expect((await handle.result()).csat).toMatchObject({ score: 4 });
    });
  });
});

describe('closing', () => {
  test('when the customer thanks after an FAQ answer, then the conversation ends instead of searching for a script', async () => {
    const faq = [{ question: 'Qual o horário de atendimento?', answer: 'Atendemos de segunda a sexta, das 9h às 18h.' }];
    const activities = fakeActivities({ persona: { faq } });
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      expect(await say('qual o horário de atendimento?')).toMatch(/das 9h às 18h/);
      expect(await say('obrigado')).toBe('Eu que agradeço! Se precisar, é só chamar. Até logo!');
      expect((await handle.result()).stage).toBe('closed');
      expect(activities.matchScript).toHaveBeenCalledTimes(1);
    });
  });
});

describe('declared follow-ups', () => {
  test('when the script declares a follow-up that reopens, then it is sent after its delay and a "não" reopens the request', async () => {
    const activities = fakeActivities({ scripts: withFollowUps([{ after: '2h', message: 'Conseguiu pagar o boleto?', onReply: 'reopen' }]) });
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      await resolveBoleto(say);
      const resolvedAt = await suite.env.currentTimeMs();
      const planned = await handle.query(stateQuery);
      expect(planned.followUpPlan).toEqual([{ afterMs: 2 * HOUR, message: 'Conseguiu pagar o boleto?', onReply: 'reopen' }]);
      expect(Date.parse(planned.followUp!.dueAt) - resolvedAt).toBeGreaterThan(2 * HOUR - MINUTE);
      expect(Date.parse(planned.followUp!.dueAt) - resolvedAt).toBeLessThanOrEqual(2 * HOUR);

      await suite.env.sleep(2 * HOUR + MINUTE);
      expect(written(activities).at(-1)).toBe('Conseguiu pagar o boleto?');
      const reopened = await say('não, o código deu erro');
      expect(reopened).toMatch(/Vamos retomar sua solicitação: .*\n.*Confere se está tudo certo/s);
      expect(await handle.query(stateQuery)).toMatchObject({ stage: 'confirming', status: 'active', answers: { cpf: validCpf } });
      expect(await say('sim')).toMatch(/protocolo/);
      await finish(handle);
    });
  });

  test('when the follow-up escalates on reply, then a complaint to it goes to a person', async () => {
    const activities = fakeActivities({ scripts: withFollowUps([{ after: '30m', message: 'O boleto chegou no seu e-mail?', onReply: 'escalate' }]) });
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      await resolveBoleto(say);
      await suite.env.sleep(31 * MINUTE);
      await say('não chegou nada até agora');
      const state = await handle.query(stateQuery);
      expect(state.stage).toBe('escalated');
      expect(state.escalation).toMatchObject({ reason: 'follow_up_reply' });
      await finish(handle);
    });
  });

  test('when the customer confirms to a check-in that all went well, then the survey follows, and a second check-in is never sent', async () => {
    const activities = fakeActivities({
      scripts: withFollowUps([
        { after: '1h', message: 'Conseguiu pagar?', onReply: 'reopen' },
        { after: '1d', message: 'Ainda precisa de algo com o boleto?', onReply: 'match' },
      ]),
    });
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { csat: true });
      await resolveBoleto(say);
      await suite.env.sleep(HOUR + MINUTE);
      expect((await handle.query(stateQuery)).followUp).toMatchObject({ index: 1, onReply: 'reopen' });
      expect(await say('sim, deu certo')).toMatch(/que nota você dá/);
      await say('5');
      await handle.result();
      expect(written(activities).filter((text) => text === 'Ainda precisa de algo com o boleto?')).toHaveLength(0);
    });
  });
});

describe('long conversations', () => {
  test('when the history passes its bound, then the conversation continues as new with its state, and a retried message is not applied twice', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, say } = await start(taskQueue, { maxHistoryEvents: 40 });
      const first = await say('preciso da segunda via do boleto', 'm-1');
      let state = await handle.query(stateQuery);
      for (let turn = 0; (state.run ?? 1) < 2 && turn < 10; turn++) {
        await say(turn % 2 ? 'desisto' : 'preciso da segunda via do boleto');
        state = await handle.query(stateQuery);
      }
      expect(state.run).toBe(2);
      const before = state.messageCount;
      expect(await say('preciso da segunda via do boleto', 'm-1')).toBe(first);
      expect((await handle.query(stateQuery)).messageCount).toBe(before);

      if (state.stage !== 'collecting') await say('preciso da segunda via do boleto');
      expect(await say(validCpf)).toMatch(/Qual parcela/);
      expect(activities.recordTurn.mock.calls.at(-1)![0].state.run).toBe(2);
      await finish(handle);
    });
  });
});

import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { PollTicketResult } from '../activities/handoff';
import { escalationPolicySchema } from '../domain/schemas';
import { failureTypes, type ConversationInput, type ConversationState, type SendMessageResult } from '../domain/conversation';
import { agentMessageUpdate, changeScriptUpdate, claimUpdate, closeSignal, conversationWorkflowId, handbackUpdate, resolveUpdate, stateQuery } from '../workflows/messages';
import { conversationWorkflow } from '../workflows';
import { searchAttributes } from '../workflows/messages';
import { validCpf } from './support/stack';
import { sayAndRead, timeSkippingSuite } from './support/time-skipping';
import { fakeActivities, input, prompt } from './support/workflow-fakes';

const suite = timeSkippingSuite('handoff');
const { withWorker } = suite;

async function start(taskQueue: string, conversation: ConversationInput): Promise<WorkflowHandle<typeof conversationWorkflow>> {
  return suite.env.client.workflow.start(conversationWorkflow, {
    workflowId: conversationWorkflowId(conversation.conversationId),
    taskQueue,
    args: [conversation],
  });
}

const say = sayAndRead;
const texts = (result: SendMessageResult) => result.replies.map((reply) => reply.text).join('\n');

/** Queries until `check` holds: the handoff runs beside the conversation, after the turn that escalated. */
async function eventually(handle: WorkflowHandle, check: (state: ConversationState) => boolean, what: string): Promise<ConversationState> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await handle.query(stateQuery);
    if (check(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** The fake's view of the transcript the workflow wrote, through recordTurn. */
function transcript(activities: ReturnType<typeof fakeActivities>): { role: string; text: string }[] {
  return activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map(({ role, text }) => ({ role, text })));
}

/** Asks for a person: handed over at once. */
async function escalateBySubject(handle: WorkflowHandle): Promise<SendMessageResult> {
  return say(handle, 'quero falar com um atendente');
}

/**
 * Closes and waits for the end: a workflow task left pending when the worker stops would keep
 * the time-skipping server from skipping time in the next test.
 */
async function close(handle: WorkflowHandle): Promise<void> {
  await handle.signal(closeSignal, { reason: 'test' });
  await handle.result();
}

async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause;
    return { type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined, message: cause?.message ?? '' };
  }
  throw new Error('the update was accepted');
}

describe('handoff to the built-in inbox', () => {
  test('when an agent claims, then the bot is silent, the agent talks, hands back and the bot resumes; then the agent resolves', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      const escalated = await escalateBySubject(handle);
      expect(escalated.state.stage).toBe('escalated');

      const claimed = await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      expect(claimed.state.stage).toBe('with_agent');
      expect(claimed.state.agent?.agentId).toBe('ana');

      const customer = await say(handle, 'oi, tem alguém aí?');
      expect(customer.replies).toEqual([]);
      await handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'ana', text: 'Oi! Sou a Ana, vou cuidar da sua apólice.' }] });
      expect(transcript(activities)).toEqual(
        expect.arrayContaining([
          { role: 'system', text: 'ana (atendente) entrou na conversa.' },
          { role: 'customer', text: 'oi, tem alguém aí?' },
          { role: 'agent', text: 'Oi! Sou a Ana, vou cuidar da sua apólice.' },
        ]),
      );

      const other = await rejection(handle.executeUpdate(agentMessageUpdate, { args: [{ agentId: 'bruno', text: 'oi' }] }));
      expect(other.type).toBe(failureTypes.notHolding);

      const back = await handle.executeUpdate(handbackUpdate, { args: [{ agentId: 'ana' }] });
      expect(back.state.stage).toBe('identifying');
      expect(back.state.agent).toBeNull();
      expect(back.state.escalation?.outcome).toBe('handed_back');
      expect(texts(back)).toMatch(/Posso ajudar em mais alguma coisa/);

      const resumed = await say(handle, 'preciso da segunda via do boleto');
      expect(texts(resumed)).toMatch(/CPF/);
      expect(resumed.state.stage).toBe('collecting');

      const second = await say(handle, 'quero falar com um atendente agora');
      expect(second.state.stage).toBe('escalated');
      expect(second.state.escalation).toMatchObject({ reason: 'customer_asked_for_human', number: 2, inboxItemId: expect.stringMatching(/:2$/) });
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'bruno' }] });
      const resolved = await handle.executeUpdate(resolveUpdate, { args: [{ by: 'agent:bruno', agentId: 'bruno', note: 'Segunda via enviada por e-mail.' }] });
      expect(resolved.state.stage).toBe('resolved');
      expect(resolved.state.status).toBe('resolved');
      expect(resolved.state.escalation?.outcome).toBe('resolved');
      expect(texts(resolved)).toMatch(/concluído pela nossa equipe/);
      expect(transcript(activities)).toContainEqual({ role: 'agent', text: 'Segunda via enviada por e-mail.' });
      await close(handle);
    });
  });

  test('when the agent holding the conversation changes the script, then the bot stays quiet until the handback and then asks its questions', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await escalateBySubject(handle);
      await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      const changed = await handle.executeUpdate(changeScriptUpdate, { args: [{ scriptId: 'boleto', by: 'agent:ana' }] });
      expect(changed.replies).toEqual([]);
      expect(changed.state).toMatchObject({ stage: 'with_agent', agent: { agentId: 'ana' }, script: { id: 'boleto' }, pending: null });
      const back = await handle.executeUpdate(handbackUpdate, { args: [{ agentId: 'ana' }] });
      expect(back.state.stage).toBe('collecting');
      expect(texts(back)).toMatch(/Vamos continuar: Segunda via do boleto/);
      expect(texts(back)).toMatch(/CPF/);
      const answered = await say(handle, validCpf);
      expect(answered.state.pending?.stepId).toBe('parcela');
      await close(handle);
    });
  });

  test('when two agents claim at once, then exactly one holds the conversation and the other is told it is taken', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await escalateBySubject(handle);
      const outcomes = await Promise.allSettled([
        handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] }),
        handle.executeUpdate(claimUpdate, { args: [{ agentId: 'bruno' }] }),
      ]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(((lost[0]!.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(failureTypes.alreadyClaimed);
      const state = await handle.query(stateQuery);
      expect(['ana', 'bruno']).toContain(state.agent?.agentId);
      expect(transcript(activities).filter((message) => /entrou na conversa/.test(message.text))).toHaveLength(1);
      await close(handle);
    });
  });

  test('when the conversation is not escalated, then an agent cannot claim it', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await say(handle, 'preciso da segunda via do boleto');
      const refused = await rejection(handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] }));
      expect(refused.type).toBe(failureTypes.notWaitingForAgent);
      await close(handle);
    });
  });

  test('when nobody claims within the policy time, then the customer is told what happens next, once', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input({ escalation: escalationPolicySchema.parse({ claimNoticeMinutes: 5 }) });
      const handle = await start(taskQueue, conversation);
      await escalateBySubject(handle);
      await suite.env.sleep('4 minutes');
      expect((await handle.query(stateQuery)).escalation?.noticeSentAt).toBeNull();
      await suite.env.sleep('2 minutes');
      const state = await eventually(handle, (current) => Boolean(current.escalation?.noticeSentAt), 'the notice');
      const notices = transcript(activities).filter((message) => /na fila com o protocolo/.test(message.text));
      expect(notices).toHaveLength(1);
      expect(notices[0]!.text).toContain(state.protocol!);
      await close(handle);
    });
  });

  test('when the team is closed, then the customer hears at once when a person will answer', async () => {
    const activities = fakeActivities();
    // open one minute a week, so the test server's clock (far ahead after skipping) finds it closed
    await withWorker(activities, async (taskQueue) => {
      const conversation = input({ workingHours: { start: '00:00', end: '00:01', timezone: 'UTC', workDays: [3] } });
      const handle = await start(taskQueue, conversation);
      await escalateBySubject(handle);
      await eventually(handle, (state) => Boolean(state.escalation?.noticeSentAt), 'the closed-hours notice');
      const notice = transcript(activities).find((message) => /Nossa equipe atende/.test(message.text));
      expect(notice?.text).toMatch(/atende quarta, das 00:00 às 00:01\. .*protocolo ATD-.* a partir de (hoje|amanhã|quarta-feira) às 00:00\.$/);
      await close(handle);
    });
  });

  test('when an action prompt the policy marks as escalating applies, then the conversation goes to a person with that reason', async () => {
    const lawyer = prompt({ actionType: 'CUSTOM', name: 'Ameaça jurídica', conditions: { triggerOnKeywords: ['procon', 'advogado'] } });
    await withWorker(fakeActivities({ persona: { prompts: [lawyer] } }), async (taskQueue) => {
      const handle = await start(taskQueue, input({ escalation: escalationPolicySchema.parse({ escalateOnPrompts: [lawyer.id] }) }));
      await say(handle, 'preciso da segunda via do boleto');
      const result = await say(handle, 'vou chamar meu advogado se não resolverem');
      expect(result.state.stage).toBe('escalated');
      expect(result.state.escalation).toMatchObject({ reason: `prompt:${lawyer.id}` });
      expect(result.state.escalation?.detail).toContain('Ameaça jurídica');
      await close(handle);
    });
  });

  test('when the policy turns the human-request rule off, then asking for a person mid-script does not escalate', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const handle = await start(taskQueue, input({ escalation: escalationPolicySchema.parse({ humanRequest: false }) }));
      await say(handle, 'preciso da segunda via do boleto');
      const result = await say(handle, 'quero falar com um atendente');
      expect(result.state.stage).toBe('collecting');
      await close(handle);
    });
  });
});

describe('handoff to Mindchat', () => {
  const ticketFakes = (poll: () => PollTicketResult) => ({
    findOrCreateMindchatCustomer: async () => ({ customerId: 'c-1', created: true }),
    openMindchatTicket: async () => ({ ticketId: '501', created: true, pollIntervalMs: 60_000 }),
    postMindchatTranscript: async () => ({ posted: true }),
    relayToMindchat: async ({ afterSeq }: { afterSeq: number }) => ({ relayedUpTo: afterSeq + 1, sent: 1 }),
    pollMindchatTicket: async () => poll(),
    closeMindchatTicket: async () => {},
  });

  test('when Mindchat takes the ticket, then customer messages are relayed, agent replies come back, and its resolution resolves the conversation', async () => {
    let polls = 0;
    const activities = fakeActivities({
      mindchat: ticketFakes(() => {
        polls += 1;
        if (polls === 1) return { status: 'open', finished: false, agentMessages: [{ id: 'm-9', text: 'Olá, aqui é a Carla da central.', author: 'Carla' }] };
        if (polls === 2) return { status: 'open', finished: false, agentMessages: [{ id: 'm-9', text: 'Olá, aqui é a Carla da central.', author: 'Carla' }] };
        return { status: 'resolved', finished: true, agentMessages: [] };
      }),
    });
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await say(handle, 'preciso da segunda via do boleto');
      await say(handle, validCpf);
      const escalated = await say(handle, 'quero falar com um atendente');
      expect(escalated.state.escalation?.via).toBe('pending');
      const opened = await eventually(handle, (state) => state.escalation?.via === 'mindchat', 'the ticket');
      expect(opened.escalation?.ticketId).toBe('501');
      expect(transcript(activities).map((message) => message.text)).toContainEqual(expect.stringMatching(/Abri o chamado #501/));
      expect(activities.openMindchatTicket).toHaveBeenCalledTimes(1);
      expect(activities.openMindchatTicket.mock.calls[0]![0]).toMatchObject({
        reference: `atende:${opened.conversationId}:1`,
        customerId: 'c-1',
        // the conversation was analyzed before the handover: a calm boleto request is low priority
        priority: 'low',
        collected: [{ label: expect.stringMatching(/CPF/), value: expect.any(String) }],
      });
      expect(activities.postMindchatTranscript).toHaveBeenCalledTimes(1);

      await say(handle, 'meu e-mail é maria@exemplo.com');
      await eventually(handle, () => activities.relayToMindchat.mock.calls.length === 1, 'the relay');

      await suite.env.sleep('61 seconds');
      await eventually(handle, () => transcript(activities).some((message) => message.role === 'agent'), "the Mindchat agent's reply");
      await suite.env.sleep('61 seconds');
      await suite.env.sleep('61 seconds');
      const resolved = await eventually(handle, (state) => state.stage === 'resolved', 'the resolution');
      expect(resolved.escalation?.outcome).toBe('resolved');
      expect(transcript(activities).filter((message) => message.role === 'agent')).toEqual([{ role: 'agent', text: 'Olá, aqui é a Carla da central.' }]);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(searchAttributes.Handoff)).toBe('mindchat');
      await close(handle);
    });
  });

  test('when Mindchat refuses the ticket (4xx), then the conversation goes to the inbox at once and the failure is visible', async () => {
    const activities = fakeActivities({
      mindchat: {
        ...ticketFakes(() => ({ status: 'open', finished: false, agentMessages: [] })),
        openMindchatTicket: async () => {
          throw ApplicationFailure.nonRetryable('POST /api/tickets: 422 {"error":"priority inválida"}', failureTypes.mindchatRejected);
        },
      },
    });
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await escalateBySubject(handle);
      const fallen = await eventually(handle, (state) => state.escalation?.via === 'inbox', 'the fallback');
      expect(fallen.escalation?.failure).toMatch(/422/);
      expect(activities.openMindchatTicket).toHaveBeenCalledTimes(1);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(searchAttributes.Handoff)).toBe('inbox_fallback');
      const claimed = await handle.executeUpdate(claimUpdate, { args: [{ agentId: 'ana' }] });
      expect(claimed.state.stage).toBe('with_agent');
      await close(handle);
    });
  });

  test('when Mindchat keeps failing, then retries back off and end in the inbox', async () => {
    const activities = fakeActivities({
      mindchat: {
        ...ticketFakes(() => ({ status: 'open', finished: false, agentMessages: [] })),
        findOrCreateMindchatCustomer: async () => {
          throw ApplicationFailure.retryable('GET /api/customers: 503', 'MindchatUnavailable');
        },
      },
    });
    await withWorker(activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await escalateBySubject(handle);
      await suite.env.sleep('5 minutes');
      const fallen = await eventually(handle, (state) => state.escalation?.via === 'inbox', 'the fallback');
      expect(fallen.escalation?.failure).toMatch(/503/);
      expect(activities.findOrCreateMindchatCustomer).toHaveBeenCalledTimes(6);
      expect(activities.openMindchatTicket).not.toHaveBeenCalled();
      await close(handle);
    });
  });
});

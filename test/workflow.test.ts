import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Activities, MatchScriptInput } from '../activities';
import { analyzeOffline } from '../domain/analysis';
import { DEFAULT_MATCH_THRESHOLD, ScriptMatcher } from '../domain/matcher';
import { scriptInputSchema, type Script } from '../domain/scripts';
import {
  closeSignal,
  conversationWorkflowId,
  sendMessageUpdate,
  stateQuery,
  type ConversationInput,
  type SendMessageResult,
} from '../workflows/definitions';
import { conversationWorkflow } from '../workflows/conversation';
import { registerSearchAttributes } from '../temporal/namespace';
import { demoCatalog, invalidCpf, testStack, validCpf } from './support/stack';

const scripts: Script[] = demoCatalog.scripts.map((script) => ({ ...scriptInputSchema.parse(script), version: 1 }));

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testStack().testServerPath } },
  });
  await registerSearchAttributes(env.connection, 'default');
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietLogger });
});

afterAll(async () => {
  await env?.teardown();
});

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Activities as jest mocks over the real pure logic, so tests assert calls without Postgres. */
function fakeActivities() {
  return {
    recordTurn: jest.fn<ReturnType<Activities['recordTurn']>, Parameters<Activities['recordTurn']>>(async () => {}),
    matchScript: jest.fn(async ({ text, threshold }: MatchScriptInput) => {
      const match = new ScriptMatcher(scripts, { threshold }).match(text);
      return { match, script: scripts.find((script) => script.id === match.scriptId) ?? null };
    }),
    analyzeConversation: jest.fn(async (input: Parameters<Activities['analyzeConversation']>[0]) =>
      analyzeOffline({ ...input, now: new Date('2026-03-10T17:00:00Z') }),
    ),
    escalateToInbox: jest.fn(async () => {}),
  } satisfies Activities;
}

function input(overrides: Partial<ConversationInput['settings']> = {}): ConversationInput {
  return {
    conversationId: randomUUID(),
    tenantId: 'demo',
    channel: 'web',
    customer: { name: 'Maria Souza' },
    settings: {
      businessName: 'Segurozinho',
      timeZone: 'America/Sao_Paulo',
      followUpDelayMs: 3_600_000,
      closeAfterFollowUpMs: 86_400_000,
      matchThreshold: DEFAULT_MATCH_THRESHOLD,
      ...overrides,
    },
  };
}

async function withWorker<T>(activities: Activities, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `wf-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  return worker.runUntil(run(taskQueue));
}

const started = new Set<string>();

/**
 * Starts on first use, then sends an update. The time-skipping test server has no
 * update-with-start (a multi-operation); the API's use of it is covered on the dev server.
 */
async function send(taskQueue: string, conversation: ConversationInput, text: string): Promise<SendMessageResult> {
  const workflowId = conversationWorkflowId(conversation.conversationId);
  if (!started.has(workflowId)) {
    await env.client.workflow.start(conversationWorkflow, { workflowId, taskQueue, args: [conversation] });
    started.add(workflowId);
  }
  return env.client.workflow.getHandle(workflowId).executeUpdate(sendMessageUpdate, { args: [{ text }] });
}

function handleOf(conversation: ConversationInput): WorkflowHandle<typeof conversationWorkflow> {
  return env.client.workflow.getHandle(conversationWorkflowId(conversation.conversationId));
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
      const done = await send(taskQueue, conversation, 'Maria@Exemplo.com');
      expect(done.state.stage).toBe('resolved');
      expect(done.state.status).toBe('resolved');
      expect(done.state.protocol).toMatch(/^ATD-\d{8}-[0-9A-F]{6}$/);
      expect(done.state.answers).toEqual({ cpf: validCpf, parcela: 'março', email: 'maria@exemplo.com' });
      expect(done.state.analysis).toMatchObject({ sentiment: 'neutral', urgency: 'low' });
      expect(texts(done)).toContain(done.state.protocol!);
      expect(activities.analyzeConversation).toHaveBeenCalledTimes(1);
      expect(activities.escalateToInbox).not.toHaveBeenCalled();

      const handle = handleOf(conversation);
      await env.sleep('61 minutes');
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
      const done = await send(taskQueue, conversation, 's');
      expect(done.state.answers).toEqual({ cpf: validCpf, motivo: 'preço', confirma: 'true' });
      expect(done.state.stage).toBe('resolved');
      await env.sleep('30 minutes');
      const bye = await send(taskQueue, conversation, 'obrigado!');
      expect(texts(bye)).toMatch(/Até logo/);
      const final = await handleOf(conversation).result();
      expect(final.stage).toBe('closed');
      expect(final.followUp?.sentAt ?? null).toBeNull();
      const allBotTexts = activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map((message) => message.text));
      expect(allBotTexts.join('\n')).not.toMatch(/ficou tudo certo/);
    });
  });

  test('when the script says so, then completion escalates into the inbox once', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const conversation = input();
      await send(taskQueue, conversation, 'quero falar com um atendente');
      const done = await send(taskQueue, conversation, 'problema com minha apólice');
      expect(done.state.stage).toBe('escalated');
      expect(done.state.status).toBe('escalated');
      expect(done.state.escalation?.reason).toBe('script_requires_agent');
      expect(activities.escalateToInbox).toHaveBeenCalledTimes(1);
      expect(activities.escalateToInbox.mock.calls[0]).toEqual([
        expect.objectContaining({ conversationId: conversation.conversationId, reason: 'script_requires_agent' }),
      ]);
      const waiting = await send(taskQueue, conversation, 'alô?');
      expect(texts(waiting)).toMatch(/nossa equipe/);
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
      expect(texts(first)).toMatch(/não entendi bem/);
      const second = await send(taskQueue, conversation, 'me indica um restaurante');
      expect(second.state.stage).toBe('escalated');
      expect(second.state.escalation?.reason).toBe('no_script_matched');
      expect(activities.escalateToInbox).toHaveBeenCalledTimes(1);
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
});

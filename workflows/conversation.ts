import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { StoredMessage } from '../db/store';
import { displayValue, isSkip, validateStep } from '../domain/fields';
import type { Script, Step } from '../domain/scripts';
import { fold } from '../domain/text';
import { searchAttributes } from '../temporal/search-attributes';
import {
  closeSignal,
  MAX_MESSAGE_LENGTH,
  sendMessageUpdate,
  stateQuery,
  type BotReply,
  type ConversationInput,
  type ConversationState,
  type SendMessageInput,
  type SendMessageResult,
  type Stage,
  type Status,
} from './definitions';

/** Writes to our own Postgres: retried until it answers, so a turn is never half-recorded. */
const storage = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** Reads and computations a customer is waiting on: fast, and retried a few times. */
const understanding = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // bounded so a broken catalog fails the turn instead of keeping the customer waiting forever
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 5 },
});

export const failureTypes = { conversationClosed: 'ConversationClosed', invalidMessage: 'InvalidMessage' } as const;

const THANKS = ['obrigado', 'obrigada', 'valeu', 'brigado', 'vlw', 'obg', 'agradeco', 'so isso', 'era so isso', 'tchau', 'nao obrigado', 'nao obrigada'];
const MAX_ATTEMPTS_PER_STEP = 3;
const MAX_MATCH_MISSES = 2;

export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  const startedAt = new Date().toISOString();
  const state: ConversationState = {
    conversationId: input.conversationId,
    tenantId: input.tenantId,
    channel: input.channel,
    customer: input.customer,
    stage: 'greeting',
    status: 'active',
    script: null,
    answers: {},
    pending: null,
    matchMisses: 0,
    analysis: null,
    escalation: null,
    protocol: null,
    followUp: null,
    messageCount: 0,
    customerTurns: 0,
    revision: 0,
    startedAt,
    updatedAt: startedAt,
    closedAt: null,
  };
  let closeRequested = false;
  // Turns run one at a time: a second message waits until the first one's reply is written.
  let turnInProgress = false;

  /** Replies and messages of the turn being handled, written together at its end. */
  let outbox: StoredMessage[] = [];
  let replies: BotReply[] = [];

  function nextMessage(role: StoredMessage['role'], text: string, clientMessageId: string | null = null): StoredMessage {
    state.messageCount += 1;
    return {
      id: `${state.conversationId}:${state.messageCount}`,
      seq: state.messageCount,
      role,
      text,
      clientMessageId,
      createdAt: new Date().toISOString(),
    };
  }

  function say(text: string): void {
    const message = nextMessage('bot', text);
    outbox.push(message);
    replies.push({ seq: message.seq, text, at: message.createdAt });
  }

  function searchAttributeUpdates(): SearchAttributeUpdatePair[] {
    return [
      { key: searchAttributes.ConversationStage, value: state.stage },
      { key: searchAttributes.ConversationStatus, value: state.status },
      { key: searchAttributes.ScriptId, value: state.script?.id ?? null },
      { key: searchAttributes.Urgency, value: state.analysis?.urgency ?? null },
      { key: searchAttributes.Sentiment, value: state.analysis?.sentiment ?? null },
    ];
  }

  function moveTo(stage: Stage, status: Status = state.status): void {
    if (stage === state.stage && status === state.status) return;
    state.stage = stage;
    state.status = status;
    upsertSearchAttributes(searchAttributeUpdates());
  }

  async function flush(): Promise<void> {
    state.updatedAt = new Date().toISOString();
    state.revision += 1;
    const messages = outbox;
    outbox = [];
    await storage.recordTurn({ state: { ...state }, messages });
  }

  // --- stages -------------------------------------------------------------------------

  function greet(): void {
    const name = state.customer.name ? `, ${state.customer.name.split(' ')[0]}` : '';
    say(`Olá${name}! Aqui é o atendimento da ${input.settings.businessName}. Em poucas palavras, como posso te ajudar hoje?`);
    moveTo('identifying');
  }

  async function identify(text: string): Promise<void> {
    const { match, script } = await understanding.matchScript({
      tenantId: state.tenantId,
      text,
      threshold: input.settings.matchThreshold,
    });
    if (script) {
      state.script = script;
      state.answers = {};
      say(`Entendi: ${script.title}. Vou te fazer algumas perguntas rápidas.`);
      moveTo('collecting');
      askNext();
      return;
    }
    state.matchMisses += 1;
    if (state.matchMisses >= MAX_MATCH_MISSES) {
      say('Não consegui identificar o assunto. Vou chamar uma pessoa da nossa equipe para te ajudar.');
      await escalate('no_script_matched');
      return;
    }
    const hint = match.candidates.length ? '' : ' Por exemplo: "preciso da segunda via do boleto".';
    say(`Desculpe, não entendi bem o que você precisa. Pode me contar de outro jeito?${hint}`);
  }

  function stepById(script: Script, id: string): Step {
    return script.steps.find((step) => step.id === id)!;
  }

  function askNext(): void {
    const script = state.script!;
    const next = script.steps.find((step) => !(step.id in state.answers));
    if (!next) {
      state.pending = null;
      return;
    }
    state.pending = { stepId: next.id, question: next.question, attempts: 0 };
    say(next.question);
  }

  async function collect(text: string): Promise<void> {
    const script = state.script!;
    const pending = state.pending!;
    const step = stepById(script, pending.stepId);
    if (!step.required && isSkip(text)) {
      state.answers[step.id] = '';
    } else {
      const result = validateStep(step, text, { now: new Date(), timeZone: input.settings.timeZone, pastByDefault: true });
      if (!result.ok) {
        pending.attempts += 1;
        if (pending.attempts >= MAX_ATTEMPTS_PER_STEP) {
          say('Parece que não estou conseguindo entender. Vou chamar uma pessoa da equipe para continuar com você.');
          await escalate('validation_failed');
          return;
        }
        say(`${result.error} ${step.question}`);
        return;
      }
      state.answers[step.id] = result.value;
    }
    askNext();
    if (!state.pending) await finishCollection();
  }

  async function finishCollection(): Promise<void> {
    const script = state.script!;
    moveTo('analyzing');
    state.analysis = await understanding.analyzeConversation({
      customerMessages: customerTexts.slice(-20),
      scriptTitle: script.title,
      answers: state.answers,
    });
    upsertSearchAttributes(searchAttributeUpdates());
    const summary = script.steps
      .filter((step) => state.answers[step.id])
      .map((step) => `• ${step.id}: ${displayValue(step.type, state.answers[step.id]!)}`)
      .join('\n');
    const reason = escalationReason(script);
    if (reason) {
      say(`Obrigado! Anotei:\n${summary}`);
      say(script.onComplete.message ?? 'Vou passar seu atendimento para uma pessoa da nossa equipe, que vai continuar daqui.');
      await escalate(reason);
      return;
    }
    resolve(summary);
  }

  /** Why this conversation needs a person, or null when the bot can finish it. */
  function escalationReason(script: Script): string | null {
    if (script.onComplete.action === 'escalate') return 'script_requires_agent';
    const urgency = state.analysis?.urgency;
    if (urgency === 'critical' || urgency === 'high') return `urgency_${urgency}`;
    return null;
  }

  function resolve(summary: string): void {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    state.protocol = `ATD-${day}-${uuid4().slice(0, 6).toUpperCase()}`;
    say(`Obrigado! Anotei:\n${summary}`);
    say(
      `${state.script!.onComplete.message ?? 'Sua solicitação foi registrada.'} Seu protocolo é ${state.protocol}. Posso ajudar em mais alguma coisa?`,
    );
    state.pending = null;
    moveTo('resolved', 'resolved');
  }

  async function escalate(reason: string): Promise<void> {
    const number = state.escalation ? 2 : 1;
    const inboxItemId = `${state.conversationId}:${number}`;
    state.pending = null;
    state.escalation = { reason, inboxItemId, at: new Date().toISOString() };
    moveTo('escalated', 'escalated');
    // The conversation row must exist before the inbox item references it.
    await flush();
    await storage.escalateToInbox({
      id: inboxItemId,
      tenantId: state.tenantId,
      conversationId: state.conversationId,
      reason,
      urgency: state.analysis?.urgency ?? 'medium',
      summary: state.analysis?.summary ?? `Escalado: ${reason}`,
    });
  }

  async function afterResolution(text: string): Promise<void> {
    const folded = fold(text);
    if (THANKS.some((phrase) => folded === phrase || folded.startsWith(`${phrase} `)) || folded === 'nao') {
      say('Eu que agradeço! Se precisar, é só chamar. Até logo!');
      closeRequested = true;
      return;
    }
    state.followUp = null;
    state.script = null;
    state.answers = {};
    state.matchMisses = 0;
    moveTo('identifying', 'active');
    await identify(text);
  }

  /** What the customer said, for the analyzer; rebuilt on replay, never queried. */
  const customerTexts: string[] = [];

  // --- handlers -----------------------------------------------------------------------

  async function handleMessage({ text, messageId }: SendMessageInput): Promise<SendMessageResult> {
    await condition(() => !turnInProgress);
    turnInProgress = true;
    try {
      if (state.stage === 'closed') throw ApplicationFailure.nonRetryable('the conversation is closed', failureTypes.conversationClosed);
      replies = [];
      const trimmed = text.trim();
      if (trimmed) {
        outbox.push(nextMessage('customer', trimmed, messageId ?? null));
        state.customerTurns += 1;
        customerTexts.push(trimmed);
      }
      switch (state.stage) {
        case 'greeting':
          greet();
          if (trimmed) await identify(trimmed);
          break;
        case 'identifying':
          if (trimmed) await identify(trimmed);
          else say('Pode me contar em poucas palavras o que você precisa?');
          break;
        case 'collecting':
          await collect(trimmed);
          break;
        case 'analyzing':
        case 'escalated':
          say('Sua conversa está com a nossa equipe; uma pessoa vai te responder aqui em breve.');
          break;
        case 'resolved':
          await afterResolution(trimmed);
          break;
      }
      await flush();
      return { replies, state: { ...state } };
    } finally {
      turnInProgress = false;
    }
  }

  setHandler(stateQuery, () => state);
  setHandler(sendMessageUpdate, handleMessage, {
    validator: ({ text, messageId }) => {
      if (typeof text !== 'string') throw new Error('text must be a string');
      if (text.length > MAX_MESSAGE_LENGTH) throw new Error(`text must be at most ${MAX_MESSAGE_LENGTH} characters`);
      if (!text.trim() && state.stage !== 'greeting') throw new Error('text must not be empty');
      if (messageId !== undefined && typeof messageId !== 'string') throw new Error('messageId must be a string');
      if (state.stage === 'closed') throw new Error('the conversation is closed');
    },
  });
  setHandler(closeSignal, () => {
    closeRequested = true;
  });

  upsertSearchAttributes([
    ...searchAttributeUpdates(),
    { key: searchAttributes.Channel, value: state.channel },
    { key: searchAttributes.TenantId, value: state.tenantId },
  ]);

  // --- timers: follow up after resolution, then close ----------------------------------

  for (;;) {
    await condition(() => closeRequested || (state.stage === 'resolved' && !turnInProgress));
    if (closeRequested) break;
    const mark = state.customerTurns;
    const customerWrote = () => state.customerTurns !== mark || closeRequested;
    state.followUp = { dueAt: new Date(Date.now() + input.settings.followUpDelayMs).toISOString(), sentAt: null };
    if (await condition(customerWrote, input.settings.followUpDelayMs)) continue;
    await condition(() => !turnInProgress);
    replies = [];
    say('Oi! Passando para saber: ficou tudo certo com a sua solicitação? Se precisar de algo mais, é só responder aqui.');
    state.followUp = { ...state.followUp, sentAt: new Date().toISOString() };
    await flush();
    if (!(await condition(customerWrote, input.settings.closeAfterFollowUpMs))) break;
  }

  await condition(() => !turnInProgress && allHandlersFinished());
  state.pending = null;
  state.closedAt = new Date().toISOString();
  moveTo('closed');
  await flush();
  return state;
}

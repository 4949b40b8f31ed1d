import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { failureTypes, MAX_MESSAGE_LENGTH, type CarriedState, type ConversationInput, type ConversationState } from '../../domain/conversation';
import { isStorable } from '../../domain/text';
import { agentMessageUpdate, analyzeUpdate, assignUpdate, changeScriptUpdate, claimUpdate, closeSignal, handbackUpdate, resolveUpdate, searchAttributes, sendMessageUpdate, stateQuery } from '../messages';
import { agentMessage, assign, claim, handback, resolveByAgent } from './agents';
import { changeScript } from './collect';
import { openConversation, type Conversation } from './context';
import { handleMessage } from './dispatch';
import { resumeHandoff } from './handoff';
import { legacyFollowUps } from './legacy';
import { checkInLine } from './prompts';
import { analyze } from './resolve';
import { awaitReturn, checkIns, historyIsLong, mustStop, quiet, waitsOnCustomer, watchSilence } from './timers';
import { answerTurn, customerResult, flush, inTurn, moveTo, once, projection, refreshSearchAttributes } from './turn';

/**
 * A customer conversation, from the first message to its close. Handlers first (each turn is
 * an update whose result is the bot's reply), then the clock that drives what happens while
 * nobody writes, then the close. The stages themselves are in dispatch.ts and its modules.
 */
export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  const c = openConversation(input);
  const { state } = c;

  setHandler(stateQuery, () => state);
  setHandler(sendMessageUpdate, once(c, '', (message) => handleMessage(c, message), (replies) => customerResult(c, replies)), {
    validator: ({ text, messageId }) => {
      requireMessage(text, 'text');
      if (!text.trim() && state.stage !== 'greeting') throw invalid('text must not be empty');
      optionalString(messageId, 'messageId');
      rejectClosed(c);
    },
  });
  setHandler(analyzeUpdate, () => inTurn(c, async () => void (await analyze(c)), () => state.analysis!), {
    validator: (request) => {
      requireString(request?.by, 'by');
      rejectClosed(c);
    },
  });
  setHandler(changeScriptUpdate, (change) => answerTurn(c, () => changeScript(c, change)), {
    validator: ({ scriptId, by }) => {
      requireString(scriptId, 'scriptId');
      requireString(by, 'by');
      rejectClosed(c);
    },
  });
  setHandler(claimUpdate, (request) => claim(c, request), {
    validator: ({ agentId }) => {
      requireText(agentId, 'agentId');
      requireOpen(c);
      if (state.agent && state.agent.agentId !== agentId) throw ApplicationFailure.nonRetryable(`already claimed by ${state.agent.agentId}`, failureTypes.alreadyClaimed);
      if (!state.agent && state.stage !== 'escalated') throw notWaiting(c);
    },
  });
  setHandler(agentMessageUpdate, once(c, 'agent:', (message) => agentMessage(c, message), (replies) => ({ replies, state: projection(c) })), {
    validator: ({ agentId, text, messageId }) => {
      requireText(agentId, 'agentId');
      requireText(text, 'text');
      requireMessage(text, 'text');
      optionalString(messageId, 'messageId');
      requireOpen(c);
      requireHolder(c, agentId);
    },
  });
  setHandler(assignUpdate, (request) => assign(c, request), {
    validator: ({ by, byAdmin, to }) => {
      requireText(by, 'by');
      requireText(to, 'to');
      requireOpen(c);
      if (state.stage !== 'escalated' && state.stage !== 'with_agent') throw notWaiting(c, 'only a conversation with the team can be passed on');
      if (state.agent && state.agent.agentId !== by && !byAdmin) throw ApplicationFailure.nonRetryable(`${state.agent.agentId} holds this conversation`, failureTypes.notHolding);
    },
  });
  setHandler(handbackUpdate, (request) => handback(c, request), {
    validator: ({ agentId }) => {
      requireText(agentId, 'agentId');
      requireOpen(c);
      requireHolder(c, agentId);
    },
  });
  setHandler(resolveUpdate, (request) => resolveByAgent(c, request), {
    validator: ({ by, agentId, note }) => {
      requireText(by, 'by');
      if (note !== undefined) requireMessage(note, 'note');
      requireOpen(c);
      if (state.stage !== 'escalated' && state.stage !== 'with_agent') throw notWaiting(c, 'only a conversation with the team can be resolved by it');
      if (state.agent && state.agent.agentId !== agentId) throw ApplicationFailure.nonRetryable(`${state.agent.agentId} holds this conversation`, failureTypes.notHolding);
    },
  });
  setHandler(closeSignal, () => {
    c.closeRequested = true;
  });

  refreshSearchAttributes(c, [
    { key: searchAttributes.Channel, value: state.channel },
    { key: searchAttributes.TenantId, value: state.tenantId },
  ]);

  if (c.aftercare) {
    if (input.carried) resumeHandoff(c);
    await aftercareClock(c);
  } else {
    await legacyFollowUps(c, (prompts) => checkInLine(c, prompts));
  }

  await condition(() => !c.turn.inProgress && allHandlersFinished());
  state.pending = null;
  state.closedAt = new Date().toISOString();
  moveTo(c, 'closed');
  await flush(c);
  return state;
}

/**
 * What happens while nobody writes: check-ins after a resolution, nudges and abandonment while
 * a question waits, the survey's patience, and a fresh run when the history grows long.
 * Returns when the conversation should close.
 */
async function aftercareClock(c: Conversation): Promise<void> {
  const { state, input } = c;
  for (;;) {
    await condition(() => mustStop(c) || (!c.turn.inProgress && (waitsOnCustomer(c) || ['resolved', 'rating', 'abandoned'].includes(state.stage))));
    if (c.closeRequested) return;
    if (historyIsLong(c)) await carryOn(c);
    let goOn = true;
    if (state.stage === 'resolved') goOn = await checkIns(c);
    else if (state.stage === 'rating') goOn = await quiet(c, input.settings.closeAfterFollowUpMs, 'close if the score never comes');
    else if (state.stage === 'abandoned') goOn = await awaitReturn(c);
    else if (waitsOnCustomer(c)) await watchSilence(c);
    if (!goOn) return;
  }
}

/**
 * Continues as new with the state and what the run remembers, once every handler has
 * finished; background handoff work restarts from the state in the next run.
 */
async function carryOn(c: Conversation): Promise<never> {
  await condition(() => !c.turn.inProgress && allHandlersFinished());
  const { state, memory } = c;
  log.info('conversation continues as new', { conversationId: state.conversationId, historyLength: workflowInfo().historyLength, run: state.run ?? 1 });
  const next: CarriedState = { state: { ...state }, ...memory, customerTexts: memory.customerTexts.slice(-20) };
  return continueAsNew<typeof conversationWorkflow>({ ...c.input, carried: next });
}

// --- validators: reject before anything reaches the history --------------------------------

/** Input the workflow cannot take; the API answers 422 with the message. */
function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, failureTypes.invalidMessage);
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || !value.trim()) throw invalid(`${name} must be a non-empty string`);
  requireStorable(value, name);
}

function optionalString(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (value !== undefined) requireStorable(value, name);
}

function requireString(value: unknown, name: string): void {
  if (typeof value !== 'string' || !value) throw invalid(`${name} must be a non-empty string`);
  requireStorable(value, name);
}

/** A message of any length up to the limit, with nothing Postgres cannot store (the API rejects these first). */
function requireMessage(value: unknown, name: string): void {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (value.length > MAX_MESSAGE_LENGTH) throw invalid(`${name} must be at most ${MAX_MESSAGE_LENGTH} characters`);
  requireStorable(value, name);
}

function requireStorable(value: string, name: string): void {
  if (!isStorable(value)) throw invalid(`${name} must not contain NUL characters or unpaired surrogates`);
}

/** Agent updates reject a closed conversation with a typed failure, which the API maps to 409. */
function requireOpen(c: Conversation): void {
  if (c.state.stage === 'closed') throw ApplicationFailure.nonRetryable('the conversation is closed', failureTypes.conversationClosed);
}

/** Customer updates and the analysis: the same typed failure (the API answers 409 by its type, never by its words). */
function rejectClosed(c: Conversation): void {
  requireOpen(c);
}

/** Only the agent holding the conversation speaks in it or hands it back. */
function requireHolder(c: Conversation, agentId: string): void {
  const agent = c.state.agent;
  if (!agent) throw ApplicationFailure.nonRetryable('no agent holds this conversation; claim it first', failureTypes.notHolding);
  if (agent.agentId !== agentId) throw ApplicationFailure.nonRetryable(`${agent.agentId} holds this conversation`, failureTypes.notHolding);
}

function notWaiting(c: Conversation, why = 'the conversation is not waiting for an agent'): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${why} (stage ${c.state.stage})`, failureTypes.notWaitingForAgent);
}

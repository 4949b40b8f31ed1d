import { condition, log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  MAX_ACTIONS_KEPT,
  type ActionRecord,
  type BotReply,
  type ConversationState,
  type SendMessageResult,
  type Stage,
  type Status,
  type StoredMessage,
} from '../../domain/conversation';
import type { Source } from '../../domain/knowledge';
import { customerView, type CustomerTurnResult } from '../../domain/views';
import { searchAttributes } from '../messages';
import { localWrites, storage } from './activities';
import type { Conversation } from './context';

/** The turn being handled: its messages and replies are written together at its end. */
export interface Turn {
  outbox: StoredMessage[];
  replies: BotReply[];
  /** Turns run one at a time: a second message waits until the first one's reply is written. */
  inProgress: boolean;
}

/** Client message ids whose replies are kept for retries that cross a continue-as-new. */
const MAX_RECENT_UPDATES = 10;

/** Adds a line to the transcript of this turn (not a reply: an agent's, a system note). */
export function note(c: Conversation, role: StoredMessage['role'], text: string, clientMessageId: string | null = null, sources?: Source[]): StoredMessage {
  const { state } = c;
  state.messageCount += 1;
  const message: StoredMessage = {
    id: `${state.conversationId}:${state.messageCount}`,
    seq: state.messageCount,
    role,
    text,
    clientMessageId,
    createdAt: new Date().toISOString(),
    ...(sources?.length ? { sources } : {}),
  };
  c.turn.outbox.push(message);
  return message;
}

/** The bot says a line (with the knowledge passages it draws on): written to the transcript and returned to the caller of this turn. */
export function say(c: Conversation, text: string, sources?: Source[]): void {
  if (!text) return;
  const message = note(c, 'bot', text, null, sources);
  c.turn.replies.push({ seq: message.seq, text, at: message.createdAt, ...(message.sources ? { sources: message.sources } : {}) });
}

/** Notes the knowledge an answer drew on among the conversation's actions. */
export function recordSources(c: Conversation, sources: readonly Source[]): void {
  record(c, { action: 'KNOWLEDGE_USED', name: [...new Set(sources.map((source) => source.title))].join(', ').slice(0, 200), sources: sources.map(({ documentId, title, position }) => ({ documentId, title, position })) });
}

export function moveTo(c: Conversation, stage: Stage, status: Status = c.state.status): void {
  if (stage === c.state.stage && status === c.state.status) return;
  c.state.stage = stage;
  c.state.status = status;
  refreshSearchAttributes(c);
}

/**
 * Ops find conversations in the Temporal UI by these; upserted when what they show changes.
 * With the one-upsert patch they are marked stale here and upserted once, with the turn's
 * write (each upsert is an event in the history and a write to Temporal's visibility store).
 */
export function refreshSearchAttributes(c: Conversation, extra: SearchAttributeUpdatePair[] = []): void {
  if (!c.oneUpsert) return upsertAttributes(c, extra);
  c.attributes.stale = true;
  c.attributes.extra.push(...extra);
}

/** Upserts the search attributes a turn (or the close) left stale. */
export function publishSearchAttributes(c: Conversation): void {
  if (!c.attributes.stale) return;
  const extra = c.attributes.extra;
  c.attributes = { stale: false, extra: [] };
  upsertAttributes(c, extra);
}

function upsertAttributes({ state }: Conversation, extra: SearchAttributeUpdatePair[]): void {
  upsertSearchAttributes([
    { key: searchAttributes.ConversationStage, value: state.stage },
    { key: searchAttributes.ConversationStatus, value: state.status },
    { key: searchAttributes.ScriptId, value: state.script?.id ?? null },
    { key: searchAttributes.Urgency, value: state.analysis?.urgency ?? null },
    { key: searchAttributes.Sentiment, value: state.analysis?.sentiment ?? null },
    ...(state.escalation?.via ? [{ key: searchAttributes.Handoff, value: handoffRoute(state) }] : []),
    ...extra,
  ]);
}

/** The Handoff search attribute: where the latest escalation went, and whether Mindchat failed it. */
function handoffRoute(state: ConversationState): string {
  const escalation = state.escalation!;
  return escalation.via === 'inbox' && escalation.failure ? 'inbox_fallback' : escalation.via!;
}

export function record(c: Conversation, action: Omit<ActionRecord, 'timestamp'>): void {
  const actions = c.state.actions;
  actions.push({ ...action, timestamp: new Date().toISOString() });
  if (actions.length > MAX_ACTIONS_KEPT) actions.splice(0, actions.length - MAX_ACTIONS_KEPT);
}

/** Writes the turn's messages and the state projection to Postgres, in one transaction. */
export async function flush(c: Conversation): Promise<void> {
  c.state.updatedAt = new Date().toISOString();
  c.state.revision += 1;
  const messages = c.turn.outbox;
  c.turn.outbox = [];
  publishSearchAttributes(c);
  describe(c);
  await (c.localTurns ? localWrites : storage).recordTurn({ state: projection(c), messages });
}

/**
 * What the Temporal UI shows as the conversation's current details: its stage, script, agent and
 * protocol (a query the UI asks, not part of the history).
 */
function describe({ state }: Conversation): void {
  setCurrentDetails(
    [
      `**Etapa:** ${state.stage} (${state.status})`,
      state.script ? `**Roteiro:** ${state.script.title} v${state.script.version}` : null,
      state.agent ? `**Atendente:** ${state.agent.agentId}` : null,
      state.protocol ? `**Protocolo:** ${state.protocol}` : null,
      `**Mensagens:** ${state.messageCount}`,
    ]
      .filter(Boolean)
      .join('  \n'),
  );
}

/**
 * The state as Postgres keeps it, written with every turn and so part of every turn's
 * history: without the replies kept for retries, and without the persona's FAQ and prompts,
 * which the workflow loaded from Postgres and can be large.
 */
export function projection({ state }: Conversation): ConversationState {
  const persona = state.persona && { ...state.persona, faq: [], prompts: [] };
  return { ...state, persona, recentUpdates: undefined };
}

/**
 * Runs one turn alone: a turn waits for the one before it, then its replies and writes are
 * flushed together, and its result is read before the next turn may start.
 */
export async function inTurn<T>(c: Conversation, work: () => Promise<void>, result: () => T): Promise<T> {
  await condition(() => !c.turn.inProgress);
  c.turn.inProgress = true;
  try {
    c.turn.replies = [];
    await work();
    await flush(c);
    return result();
  } finally {
    c.turn.inProgress = false;
  }
}

/** The update's result is part of the history too: the same lean state as the projection. */
export function turnResult(c: Conversation): SendMessageResult {
  return { replies: c.turn.replies, state: projection(c) };
}

/** A staff member's turn, answered with the bot's replies and the lean state. */
export function answerTurn(c: Conversation, work: () => Promise<void>): Promise<SendMessageResult> {
  return inTurn(c, work, () => turnResult(c));
}

/**
 * A customer's turn, answered with the bot's replies and the customer's view: the answer of
 * every turn is written to the history, and the customer may not see the rest anyway.
 */
export function customerTurn(c: Conversation, work: () => Promise<void>): Promise<CustomerTurnResult> {
  return inTurn(c, work, () => customerResult(c, c.turn.replies));
}

export function customerResult(c: Conversation, replies: BotReply[]): CustomerTurnResult {
  return { replies, state: customerView(c.state) };
}

/** A turn nobody waits on (a timer's, the handoff's): its result is not read. */
export function quietTurn(c: Conversation, work: () => Promise<void>): Promise<void> {
  return inTurn(c, work, () => undefined);
}

/**
 * A message whose client id already had a reply (a retry that crossed a continue-as-new,
 * which Temporal's own update-id dedupe does not see) gets the same reply, applied once.
 */
export function once<I extends { messageId?: string }, R extends { replies: BotReply[] }>(
  c: Conversation,
  kind: string,
  handler: (input: I) => Promise<R>,
  again: (replies: BotReply[]) => R,
): (input: I) => Promise<R> {
  return (input) => {
    const id = input.messageId && `${kind}${input.messageId}`;
    const earlier = id ? c.state.recentUpdates?.find((update) => update.id === id) : undefined;
    if (earlier) return Promise.resolve(again(earlier.replies));
    return handler(input).then((result) => {
      if (c.aftercare && id) {
        const recent = (c.state.recentUpdates ??= []);
        recent.push({ id, replies: result.replies });
        if (recent.length > MAX_RECENT_UPDATES) recent.splice(0, recent.length - MAX_RECENT_UPDATES);
      }
      return result;
    });
  };
}

/** Background work of this conversation; a failure is logged, never left to fail the workflow task. */
export function beside(c: Conversation, work: () => Promise<void>): void {
  void work().catch((error: unknown) => log.error('conversation background work failed', { conversationId: c.state.conversationId, error: String(error) }));
}

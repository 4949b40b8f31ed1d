import type { BotReply, ConversationState } from './conversation';

/**
 * What a customer's token may see of their conversation: where it stands, what is asked,
 * their own answers, the protocol, the follow-up and their own rating. Not the analysis, the escalation's
 * reason and detail, who holds it, the persona or the prompts: those are the staff's.
 */
export function customerView(state: ConversationState) {
  return {
    conversationId: state.conversationId,
    channel: state.channel,
    stage: state.stage,
    status: state.status,
    script: state.script && { id: state.script.id, title: state.script.title, version: state.script.version, steps: state.script.steps.length },
    pending: state.pending && { stepId: state.pending.stepId, question: state.pending.question, attempts: state.pending.attempts },
    options: state.options,
    // only when there are some: every turn's update result carries this view into the history
    ...withQuickReplies(state),
    answers: state.answers,
    protocol: state.protocol,
    withAgent: state.agent !== null,
    followUp: state.followUp && { dueAt: state.followUp.dueAt, sentAt: state.followUp.sentAt },
    csat: state.csat ? { askedAt: state.csat.askedAt, score: state.csat.score } : null,
    messageCount: state.messageCount,
    customerTurns: state.customerTurns,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    closedAt: state.closedAt,
  };
}

export type CustomerView = ReturnType<typeof customerView>;

/**
 * A customer's message is answered with this view, not the whole state: it is what the
 * customer may see anyway, and the update's result is written to the history of every turn.
 * A run started before returned the whole state; it is narrowed here.
 */
export function asCustomerView(state: ConversationState | CustomerView): CustomerView {
  return 'tenantId' in state ? customerView(state) : state;
}

/** A customer's turn: the bot's replies and the customer's view of the conversation. */
export interface CustomerTurnResult {
  replies: BotReply[];
  state: CustomerView;
}

function withQuickReplies(state: ConversationState): { quickReplies?: string[] } {
  const choices = quickReplies(state);
  return choices.length ? { quickReplies: choices } : {};
}

/**
 * Answers the customer can tap instead of typing: yes/no to a confirmation or a yes/no step, a
 * choice step's options, the offered scripts, the 1–5 score. Empty when the bot waits for words.
 */
export function quickReplies(state: ConversationState): string[] {
  if (state.stage === 'rating' && state.csat && state.csat.score === null) return ['1', '2', '3', '4', '5'];
  if (state.stage === 'confirming' && !state.choosingCorrection) return ['Sim', 'Não'];
  if (state.stage === 'clarifying' && state.options?.length) return [...state.options.map((option) => option.title), 'Nenhum desses'];
  if (state.stage === 'collecting' && state.pending && state.script) {
    const step = state.script.steps.find((candidate) => candidate.id === state.pending!.stepId);
    if (step?.type === 'yes_no') return ['Sim', 'Não'];
    if (step?.type === 'choice' && step.options) return step.options.slice(0, 8);
  }
  return [];
}

import type { ConversationState } from '../domain/conversation';
import type { Claims } from './auth';

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

/** The state as the caller may see it: whole for staff, the customer's view otherwise. */
export function stateFor(claims: Pick<Claims, 'role'> | undefined, state: ConversationState): ConversationState | CustomerView {
  return claims && claims.role !== 'customer' ? state : customerView(state);
}

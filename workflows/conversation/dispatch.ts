import { ApplicationFailure } from '@temporalio/workflow';
import { isThanks } from '../../domain/aftercare';
import { failureTypes, type SendMessageInput } from '../../domain/conversation';
import type { CustomerTurnResult } from '../../domain/views';
import { asksForHuman, decision } from '../../domain/escalation';
import { escalationDetails, replies } from '../../domain/replies';
import { asksForPerson, asksHowWeAre, isEmergency, isSmallTalk } from '../../domain/talk';
import { afterResolution, goodbye, rate, resumeAbandoned } from './aftercare';
import { collect, confirming } from './collect';
import type { Conversation } from './context';
import { escalate } from './handoff';
import { clarify, identify } from './match';
import { applyPrompts, persona } from './prompts';
import { analyze } from './resolve';
import { customerTurn, note, say } from './turn';

/** Stages where "quero falar com uma pessoa" interrupts whatever the bot was doing. */
const HUMAN_REQUEST_STAGES = ['clarifying', 'collecting', 'confirming', 'resolved', 'rating'];

/**
 * One customer message, read as the design card reads:
 *   greet → identify (→ clarify) → collect → confirm → analyze → escalate | resolve → aftercare
 * Each stage is a function of its own module; this is only the switch between them.
 */
export function handleMessage(c: Conversation, { text, messageId }: SendMessageInput): Promise<CustomerTurnResult> {
  return customerTurn(c, async () => {
    const { state, policy } = c;
    if (state.stage === 'closed') throw ApplicationFailure.nonRetryable('the conversation is closed', failureTypes.conversationClosed);
    const trimmed = text.trim();
    if (trimmed) remember(c, trimmed, messageId);

    if (c.aftercare) {
      if (state.stage === 'abandoned' && resumeAbandoned(c, trimmed)) return;
      // an answer, any answer, restarts the silence clock
      if (state.inactivity) state.inactivity = null;
      if (state.stage === 'rating') return rate(c, trimmed);
    }
    if (withTheTeam(c)) return;
    // safety first: someone hurt or in danger hears the emergency numbers before anything else
    if (c.competence && trimmed && isEmergency(trimmed)) return emergency(c, trimmed);

    // greet, and let the admin's prompts speak (or call a person)
    const greeting = state.stage === 'greeting';
    const promptEscalation = await applyPrompts(c, trimmed, greeting);
    if (promptEscalation) {
      say(c, replies.humanByPrompt);
      return escalate(c, promptEscalation);
    }
    const wantsPerson = c.competence ? asksForPerson(trimmed) : HUMAN_REQUEST_STAGES.includes(state.stage) && asksForHuman(trimmed);
    if (policy.humanRequest && trimmed && wantsPerson) {
      say(c, replies.humanOnRequest);
      // the person who takes over gets the summary, urgency and sentiment with it
      if (c.competence) await analyze(c);
      return escalate(c, decision('customer_asked_for_human', escalationDetails.askedForHuman(trimmed)));
    }

    switch (state.stage) {
      case 'identifying':
        if (greeting && !trimmed) return;
        // "obrigado" after an answer ("Posso ajudar em mais alguma coisa?") ends the conversation, not a new search
        if (c.aftercare && state.customerTurns > 1 && isThanks(trimmed)) return goodbye(c);
        if (c.competence && isSmallTalk(trimmed)) return greeting ? undefined : say(c, replies.smallTalkBack(asksHowWeAre(trimmed)));
        if (trimmed) return identify(c, trimmed);
        return say(c, replies.askDemand);
      case 'clarifying':
        return clarify(c, trimmed);
      case 'collecting':
        return collect(c, trimmed);
      case 'confirming':
        return confirming(c, trimmed);
      case 'analyzing':
      case 'escalated':
      case 'with_agent':
        return say(c, replies.withTheTeam);
      case 'resolved':
        return afterResolution(c, trimmed);
    }
  });
}

/**
 * Someone is hurt or in danger: the emergency numbers first, then a person at once with the
 * analysis (critical urgency) for the team. No script, no questions.
 */
async function emergency(c: Conversation, text: string): Promise<void> {
  // the persona says where escalations go (Mindchat or the inbox)
  await persona(c);
  say(c, replies.emergency);
  say(c, replies.emergencyHandoff);
  const analysis = await analyze(c);
  await escalate(c, decision('urgency', escalationDetails.emergency(text, analysis.urgency), `urgency_${analysis.urgency}`));
}

/** The customer's words go into the transcript, and the run remembers them for the analyzer and the ticket. */
function remember(c: Conversation, text: string, messageId: string | undefined): void {
  const message = note(c, 'customer', text, messageId ?? null);
  const { memory } = c;
  memory.lastCustomerSeq = message.seq;
  memory.lastCustomerAt = message.createdAt;
  c.state.customerTurns += 1;
  memory.customerTexts.push(text);
  if (memory.customerTexts.length > 40) memory.customerTexts.splice(0, memory.customerTexts.length - 40);
}

/** A person has the conversation: the bot only tells a waiting customer, once, that one will answer. */
function withTheTeam(c: Conversation): boolean {
  const { state, memory } = c;
  const number = state.escalation?.number;
  if ((state.stage !== 'escalated' && state.stage !== 'with_agent') || number === undefined) return false;
  if (state.stage === 'escalated' && memory.acknowledged !== number) {
    memory.acknowledged = number;
    say(c, replies.withTheTeam);
  }
  return true;
}

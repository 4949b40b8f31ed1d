import { patched } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { CollectedAnswer } from '../../domain/analysis';
import { initialState, type CarriedState, type ConversationInput, type ConversationState } from '../../domain/conversation';
import { defaultEscalationPolicy, type EscalationPolicy } from '../../domain/escalation';
import { displayValue, type FieldContext } from '../../domain/fields';
import type { WorkingHours } from '../../domain/persona';
import type { Turn } from './turn';
import { localUnderstanding, patches, understanding } from './activities';

/**
 * One conversation as every stage sees it: the state (one plain object, written to Postgres
 * each turn and carried across continue-as-new), the run's settings and policy, what the run
 * remembers beside the state, and the turn being built. Stage functions take it first.
 */
export interface Conversation {
  readonly input: ConversationInput;
  readonly state: ConversationState;
  readonly policy: EscalationPolicy;
  /** The aftercare patch, decided once at the start so every later branch of the run agrees. */
  readonly aftercare: boolean;
  /** The competence patch, decided the same way (runs started before it keep the stricter readers). */
  readonly competence: boolean;
  /** The local-turns patch: a turn's Postgres write is a local activity, so an answer turn is one workflow task. */
  readonly localTurns: boolean;
  /** The one-upsert patch: search attributes wait for the turn's write (see publishSearchAttributes). */
  readonly oneUpsert: boolean;
  /** Search attributes changed since they were last upserted (with the one-upsert patch), and extra pairs to send with them. */
  attributes: { stale: boolean; extra: SearchAttributeUpdatePair[] };
  /** Carried to the next run with the state; kept out of the Postgres projection. */
  readonly memory: Memory;
  readonly turn: Turn;
  /** Someone (a goodbye, the survey, an operator's signal) asked the conversation to close. */
  closeRequested: boolean;
}

export type Memory = Omit<CarriedState, 'state'>;

/**
 * Where a turn's reads and offline computations run: as local activities in lean runs whose
 * worker has no model (milliseconds, inside the turn's workflow task), as normal activities
 * otherwise (a model may take seconds, and runs started before keep their history).
 */
export function reader(c: Conversation): typeof understanding {
  return c.localTurns && !c.state.llmPhrasing ? localUnderstanding : understanding;
}

/** A new run: a fresh conversation, or the next run of one that continued as new. */
export function openConversation(input: ConversationInput): Conversation {
  const startedAt = new Date().toISOString();
  const carried = input.carried;
  const state: ConversationState = carried ? { ...carried.state, run: (carried.state.run ?? 1) + 1 } : freshState(input, startedAt);
  const aftercare = patched(patches.aftercare);
  if (aftercare && !carried) Object.assign(state, { inactivity: null, csat: null, recentUpdates: [], followUpPlan: [], run: 1 });
  const competence = aftercare && patched(patches.competence);
  const localTurns = competence && patched(patches.localTurns);
  const oneUpsert = localTurns && patched(patches.oneUpsert);
  return {
    input,
    state,
    policy: input.settings.escalation ?? defaultEscalationPolicy,
    aftercare,
    competence,
    localTurns,
    oneUpsert,
    attributes: { stale: false, extra: [] },
    memory: {
      // what the customer said, for the analyzer
      customerTexts: carried ? [...carried.customerTexts] : [],
      // the sequence number of the customer's latest message, for relaying it to a ticket
      lastCustomerSeq: carried?.lastCustomerSeq ?? 0,
      ...(carried?.lastCustomerAt ? { lastCustomerAt: carried.lastCustomerAt } : {}),
      // the escalation whose waiting customer was already told a person will answer
      acknowledged: carried?.acknowledged ?? 0,
      // the open Mindchat ticket's watch: agent messages already shown, customer messages already relayed
      ticket: carried?.ticket ?? null,
    },
    turn: { outbox: [], replies: [], inProgress: false },
    closeRequested: false,
  };
}

function freshState(input: ConversationInput, startedAt: string): ConversationState {
  return initialState({ conversationId: input.conversationId, tenantId: input.tenantId, channel: input.channel, customer: input.customer, startedAt });
}

/** How answers are read: dates relative to now in the business's time zone, past by default. */
export function fieldContext(c: Conversation): FieldContext {
  return { now: new Date(), timeZone: c.input.settings.timeZone, pastByDefault: true, ...(c.competence ? { vocabulary: true } : {}) };
}

/** The business's hours: the onboarding's, else the catalog's. */
export function hours(c: Conversation): WorkingHours | null {
  return c.state.persona?.workingHours ?? c.input.settings.workingHours ?? null;
}

/** The answers so far, labelled, for the analyzer and the ticket. */
export function collectedAnswers({ state }: Conversation): CollectedAnswer[] {
  const script = state.script;
  if (!script) return [];
  return script.steps
    .filter((step) => state.answers[step.id])
    .map((step) => ({ label: step.question.replace(/\s*\?$/, ''), value: displayValue(step.type, state.answers[step.id]!) }));
}

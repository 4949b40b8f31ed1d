import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { failureTypes } from '../../domain/conversation';

/** Writes to our own Postgres: retried until it answers, so a turn is never half-recorded. */
export const storage = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * The same writes as a local activity (the local-turns patch): run by the worker that runs the
 * turn, inside its workflow task, and recorded as one marker instead of three events and a
 * second workflow task. Retried as long, with the SDK's timers once past a minute.
 */
export const localWrites = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/**
 * The same reads and offline computations as local activities (the local-turns patch, in a
 * conversation whose worker has no model): they run inside the turn's own workflow task.
 */
export const localUnderstanding = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 5 },
});

/** Reads and computations a customer is waiting on: fast, and retried a few times. */
export const understanding = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // bounded so a broken catalog fails the turn instead of keeping the customer waiting forever
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 5 },
});

/**
 * Mindchat is someone else's service: backed off for about a minute of failures, after which
 * the customer is better served by the built-in inbox. A refusal (4xx) is not retried at all.
 */
export const helpdesk = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    // about a minute of failures, then the built-in inbox
    maximumAttempts: 6,
    nonRetryableErrorTypes: [failureTypes.mindchatRejected, failureTypes.mindchatNotConfigured],
  },
});

/**
 * An agent's tool: the activity runs the call with its own per-type timeout and retries (an http
 * tool has 15 s at most and retries only idempotent methods) and answers a failure as a result;
 * these retries only cover a lost worker or database.
 */
export const tooling = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/** Watching an open ticket: a failed poll is simply tried again at the next interval. */
export const ticketWatch = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // three quick tries; the watch loop itself tries again at the next poll
  retry: { initialInterval: '2 seconds', maximumAttempts: 3, nonRetryableErrorTypes: [failureTypes.mindchatRejected, failureTypes.mindchatNotConfigured] },
});

/**
 * The patches this workflow has taken, each a behaviour change that runs started before it
 * must not see. Their old paths live in legacy.ts.
 */
export const patches = {
  /** The business's onboarding and prompts, loaded by an activity on the first message. */
  persona: 'load-persona',
  /** Escalations that open Mindchat tickets or queue through recordTurn, and agents who take over. */
  handoff: 'handoff',
  /** Follow-up delays that count only the business's working time. */
  workingTime: 'working-time-follow-up',
  /** Declared follow-ups, inactivity nudges and abandonment, the satisfaction survey and continue-as-new. */
  aftercare: 'aftercare',
  /**
   * Conversation competence: small talk answered in kind, a person at any stage, emergencies
   * first, questions answered mid-script, answers read in the customer's words, loose cancels.
   */
  competence: 'competence',
  /** With a model configured, a mid-script question no FAQ entry answers is asked of the model. */
  modelAnswers: 'model-answers',
  /** A script's onComplete.tools run when the customer confirms (calculator, http, lead capture, webhook, search, form). */
  tools: 'agent-tools',
  /** A mid-script question is asked of the tenant's knowledge base even without an FAQ or a model. */
  knowledgeAnswers: 'knowledge-answers',
  /** A turn's Postgres write as a local activity: one workflow task per answer turn. */
  localTurns: 'local-turns',
  /** The search attributes a turn changed, upserted once when the turn is written instead of at every stage move. */
  oneUpsert: 'one-upsert-per-turn',
  /** A step's lookup tool runs when the step is answered and fills the later steps it names. */
  stepLookup: 'step-lookup',
} as const;

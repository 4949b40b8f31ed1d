import { condition, workflowInfo } from '@temporalio/workflow';
import type { ConversationState, Stage } from '../../domain/conversation';
import type { PlannedFollowUp } from '../../domain/aftercare';
import { followUpPlan } from '../../domain/aftercare';
import { addWorkingTime } from '../../domain/hours';
import { replies } from '../../domain/replies';
import { repeatQuestion } from './collect';
import { hours, type Conversation } from './context';
import { checkInLine } from './prompts';
import { moveTo, quietTurn, say } from './turn';

/**
 * The conversation's clock after the aftercare patch: check-ins after a resolution, nudges and
 * abandonment while a question waits, and the wait for a customer who left. Every due time is
 * kept in state, so a continued run resumes the same schedule.
 */

/** The stages in which the bot waits on the customer's answer, and nudges a silent one. */
const WAITING_STAGES: readonly Stage[] = ['identifying', 'clarifying', 'collecting', 'confirming'];

/** The history is long: the server suggests a fresh run, or it passed the configured bound. */
export function historyIsLong(c: Conversation): boolean {
  const info = workflowInfo();
  const bound = c.input.settings.maxHistoryEvents;
  return info.continueAsNewSuggested || (bound !== undefined && info.historyLength > bound);
}

/** Something the current wait must give way to: a close, or a history to compact. */
export function mustStop(c: Conversation): boolean {
  return c.closeRequested || historyIsLong(c);
}

export function waitsOnCustomer({ input, state }: Conversation): boolean {
  return !!input.settings.inactivity && state.status === 'active' && WAITING_STAGES.includes(state.stage);
}

/** Waits until the customer writes, the stage changes, or the wait must stop; false when `ms` passed in silence. */
export async function quiet(c: Conversation, ms: number, summary: string): Promise<boolean> {
  const turns = c.state.customerTurns;
  const stage = c.state.stage;
  // the summary names the timer in the Temporal UI ("follow-up 2 of 3"); replay does not compare it
  return condition(() => mustStop(c) || c.state.customerTurns !== turns || c.state.stage !== stage, Math.max(1, ms), { summary });
}

/**
 * The check-ins planned at the resolution, each due after its delay in working time. A
 * customer who writes cancels the rest; a conversation quiet after the last one closes.
 * Returns false when the conversation should close.
 */
export async function checkIns(c: Conversation): Promise<boolean> {
  const { state, input } = c;
  if (!state.followUp) {
    state.followUpPlan = followUpPlan(state.script, state.persona?.prompts ?? [], input.settings.followUpDelayMs);
    state.followUp = { dueAt: workingTimeAfter(c, state.followUpPlan[0]!.afterMs).toISOString(), sentAt: null, index: 0 };
  }
  const plan = state.followUpPlan ?? [];
  for (;;) {
    const current: ConversationState['followUp'] = state.followUp;
    if (!current) return true;
    const index: number = current.index ?? 0;
    if (current.sentAt === null || Date.parse(current.dueAt) > Date.parse(current.sentAt)) {
      if (await quiet(c, Date.parse(current.dueAt) - Date.now(), `follow-up ${index + 1} of ${plan.length}`)) return true;
      await quietTurn(c, () => sendCheckIn(c, plan[index]!, index));
      continue;
    }
    const next: PlannedFollowUp | undefined = plan[index + 1];
    if (!next) return quiet(c, Date.parse(current.sentAt) + input.settings.closeAfterFollowUpMs - Date.now(), 'close after the last follow-up');
    // the next check-in counts from this one; replies keep this one's rule until the next is sent
    state.followUp = { ...current, dueAt: workingTimeAfter(c, next.afterMs).toISOString(), index: index + 1 };
  }
}

async function sendCheckIn(c: Conversation, planned: PlannedFollowUp, index: number): Promise<void> {
  const { state } = c;
  if (state.stage !== 'resolved' || state.followUp?.index !== index) return;
  if (planned.message) say(c, planned.message);
  else {
    const prompts = (state.persona?.prompts ?? []).filter(
      (prompt) => prompt.isActive && prompt.actionType === 'FOLLOW_UP' && (!planned.promptId || prompt.id === planned.promptId),
    );
    say(c, await checkInLine(c, prompts));
  }
  state.followUp = { ...state.followUp, sentAt: new Date().toISOString(), onReply: planned.onReply };
}

function workingTimeAfter(c: Conversation, ms: number): Date {
  const open = hours(c);
  const now = new Date();
  return open ? addWorkingTime(open, now, ms) : new Date(now.getTime() + ms);
}

/** A question unanswered: asked once more after a silence, then the conversation closes as abandoned. */
export async function watchSilence(c: Conversation): Promise<void> {
  const { state } = c;
  const settings = c.input.settings.inactivity!;
  if (!state.inactivity?.nudgedAt) {
    if (await (c.localTurns ? wroteBeforeNudge(c, settings.nudgeAfterMs) : quiet(c, settings.nudgeAfterMs, 'inactivity nudge'))) return;
    await quietTurn(c, async () => {
      say(c, replies.stillThere(repeatQuestion(c)));
      state.inactivity = { nudgedAt: new Date().toISOString(), abandonedAt: null, resumeStage: null, resumeUntil: null };
    });
  }
  const nudgedAt = state.inactivity!.nudgedAt!;
  const interrupted = c.localTurns
    ? // a customer who writes after the nudge clears it (dispatch), which ends this watch
      await interruptedBefore(c, () => nudgedAt, settings.abandonAfterMs, () => waitsOnCustomer(c) && state.inactivity?.nudgedAt === nudgedAt, 'abandon after the nudge')
    : await quiet(c, Date.parse(nudgedAt) + settings.abandonAfterMs - Date.now(), 'abandon after the nudge');
  if (interrupted) return;
  await quietTurn(c, async () => {
    say(c, replies.abandoning(Object.keys(state.answers).length > 0, settings.resumeWithinMs));
    state.inactivity = {
      ...state.inactivity!,
      abandonedAt: new Date().toISOString(),
      resumeStage: state.stage,
      resumeUntil: new Date(Date.now() + settings.resumeWithinMs).toISOString(),
    };
    moveTo(c, 'abandoned', 'abandoned');
  });
}

/**
 * The local-turns patch's wait before a nudge: one timer per silence instead of one per turn.
 * A customer message moves the deadline (the memory's lastCustomerAt), and the timer is re-armed
 * for the rest only when it fires early, so turns add no timer events to the history. Counted
 * from when the bot began to wait, or the customer's latest message after that.
 */
function wroteBeforeNudge(c: Conversation, ms: number): Promise<boolean> {
  const began = new Date().toISOString();
  const lastWrote = () => (c.memory.lastCustomerAt && c.memory.lastCustomerAt > began ? c.memory.lastCustomerAt : began);
  return interruptedBefore(c, lastWrote, ms, () => waitsOnCustomer(c), 'inactivity nudge');
}

/**
 * Waits until `ms` after `since()` (which may move while waiting), unless the wait must stop
 * or `watching()` turns false first: true when interrupted, false when the silence was reached.
 */
async function interruptedBefore(c: Conversation, since: () => string, ms: number, watching: () => boolean, summary: string): Promise<boolean> {
  for (;;) {
    const left = Date.parse(since()) + ms - Date.now();
    if (left <= 0) return false;
    if (await condition(() => mustStop(c) || !watching(), left, { summary })) return true;
  }
}

/** Abandoned: waits for the customer to come back until the resume window ends; false when it ended. */
export async function awaitReturn(c: Conversation): Promise<boolean> {
  const until = Date.parse(c.state.inactivity?.resumeUntil ?? new Date().toISOString());
  return condition(() => mustStop(c) || c.state.stage !== 'abandoned', Math.max(1, until - Date.now()), { summary: 'resume window after abandoning' });
}

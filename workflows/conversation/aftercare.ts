import { declinesRating, isAllGood, isGreeting, isThanks, readScore } from '../../domain/aftercare';
import { decision } from '../../domain/escalation';
import { escalationDetails, replies } from '../../domain/replies';
import { confirm, repeatQuestion } from './collect';
import type { Conversation } from './context';
import { escalate } from './handoff';
import { legacyAfterResolution } from './legacy';
import { newDemand } from './match';
import { moveTo, say } from './turn';

/** The customer has what they came for: a goodbye, and the conversation closes. */
export function goodbye(c: Conversation): void {
  say(c, replies.goodbye);
  c.closeRequested = true;
}

/**
 * The customer writes after a resolution: thanks (or "sim, deu certo" to a check-in) lead
 * to the satisfaction survey; otherwise the check-in's reply rule decides — a new demand,
 * the same request reopened, or a person.
 */
export async function afterResolution(c: Conversation, text: string): Promise<void> {
  const { state } = c;
  if (!c.aftercare) return legacyAfterResolution(c, text, { goodbye: () => goodbye(c), newDemand: (demand) => newDemand(c, demand) });
  const repliesTo = state.followUp?.sentAt ? (state.followUp.onReply ?? 'match') : null;
  state.followUp = null;
  if (repliesTo ? isAllGood(text) : isThanks(text)) {
    if (!askForRating(c, replies.gladItWorked)) goodbye(c);
    return;
  }
  if (repliesTo === 'escalate') {
    say(c, replies.humanAfterCheckIn);
    await escalate(c, decision('follow_up_reply', escalationDetails.checkInReply(text)));
    return;
  }
  if (repliesTo === 'reopen' && state.script) {
    say(c, replies.reopening(state.script.title));
    moveTo(c, 'confirming', 'active');
    confirm(c);
    return;
  }
  await newDemand(c, text);
}

/** Asks for the 1–5 score, once per conversation; false when the survey is off or was already asked. */
function askForRating(c: Conversation, lead: string): boolean {
  if (!c.input.settings.csat || c.state.csat) return false;
  c.state.csat = { askedAt: new Date().toISOString(), score: null, answeredAt: null, comment: null, askedAgain: false };
  say(c, replies.askRating(lead));
  moveTo(c, 'rating');
  return true;
}

/** The reply to the survey: a clear score is kept; an unclear one is asked about once more, never again. */
export async function rate(c: Conversation, text: string): Promise<void> {
  const { state } = c;
  const csat = state.csat!;
  const answeredAt = new Date().toISOString();
  const score = readScore(text);
  if (score !== null) {
    state.csat = { ...csat, score, answeredAt, comment: text.slice(0, 500) };
    say(c, replies.thanksForRating(score));
    c.closeRequested = true;
    return;
  }
  if (declinesRating(text) || isThanks(text)) {
    state.csat = { ...csat, answeredAt, comment: text.slice(0, 500) };
    say(c, replies.ratingDeclined);
    c.closeRequested = true;
    return;
  }
  if (!csat.askedAgain) {
    state.csat = { ...csat, askedAgain: true };
    say(c, replies.ratingUnclear);
    return;
  }
  // twice unclear: no more survey; perhaps the customer has something new to ask
  state.csat = { ...csat, answeredAt, comment: text.slice(0, 500) };
  await newDemand(c, text);
}

/** A customer who comes back to an abandoned conversation continues where it stopped; true when the turn is done. */
export function resumeAbandoned(c: Conversation, text: string): boolean {
  const back = c.state.inactivity?.resumeStage ?? 'identifying';
  c.state.inactivity = null;
  moveTo(c, back, 'active');
  say(c, replies.welcomeBack);
  if (!isGreeting(text)) return false;
  say(c, repeatQuestion(c));
  return true;
}

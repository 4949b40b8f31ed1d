import type { ConversationState } from '../../domain/conversation';
import { findVolunteeredAnswers, pickOption } from '../../domain/collection';
import { asksForHuman, decision } from '../../domain/escalation';
import { displayValue } from '../../domain/fields';
import { escalationDetails, replies } from '../../domain/replies';
import { isQuestion, questionTopic } from '../../domain/talk';
import type { Script } from '../../domain/scripts';
import { askNext, stepLabel } from './collect';
import { fieldContext, hours, reader, type Conversation } from './context';
import { escalate } from './handoff';
import { moveTo, record, recordSources, say } from './turn';

/**
 * Identify the demand: the tenant's catalog is matched against what the customer said. A
 * confident match starts its script; a close call offers the top options; an FAQ question is
 * answered; otherwise the customer is asked to say it another way, and a person takes over
 * after too many misses.
 */
export async function identify(c: Conversation, text: string): Promise<void> {
  const { state, input } = c;
  const faq = state.persona?.faq.length ? state.persona.faq : undefined;
  const { match, script, faq: answered, menu } = await reader(c).matchScript({
    tenantId: state.tenantId,
    text,
    threshold: input.settings.matchThreshold,
    ...(faq ? { faq } : {}),
    ...(input.agentId ? { agentId: input.agentId } : {}),
  });
  if (answered) {
    if (answered.sources?.length) recordSources(c, answered.sources);
    else record(c, { action: 'FAQ_ANSWERED', name: answered.question });
    say(c, replies.faqAnswer(answered.answer), answered.sources);
    moveTo(c, 'identifying');
    return;
  }
  if (script) {
    startScript(c, script, 'matcher', text);
    return;
  }
  if (match.verdict === 'ambiguous' && match.candidates.length > 1) {
    offerOptions(c, match.candidates.slice(0, 3).map(({ scriptId, title }) => ({ scriptId, title })));
    return;
  }
  await missMatch(c, text, menu);
}

async function missMatch(c: Conversation, text: string, menu?: readonly string[]): Promise<void> {
  const { state, policy } = c;
  state.options = null;
  if (c.competence && isQuestion(text) && questionTopic(text) === 'hours') {
    // a question the bot can answer is not a miss
    say(c, `${replies.hoursAnswer(hours(c))} ${replies.askDemand}`);
    moveTo(c, 'identifying');
    return;
  }
  state.matchMisses += 1;
  if (policy.humanRequest && asksForHuman(text)) {
    say(c, replies.humanOnRequest);
    await escalate(c, decision('customer_asked_for_human', escalationDetails.askedForHuman(text)));
    return;
  }
  if (state.matchMisses >= policy.maxMatchMisses) {
    say(c, replies.humanAfterMisses);
    await escalate(c, decision('no_script_matched', escalationDetails.notRecognized(state.matchMisses)));
    return;
  }
  moveTo(c, 'identifying');
  say(c, c.competence && menu?.length ? replies.cannotHelpWith(menu) : replies.notUnderstood);
}

function offerOptions(c: Conversation, options: NonNullable<ConversationState['options']>): void {
  c.state.options = options;
  say(c, replies.whichTopic(options.map((option) => option.title)));
  moveTo(c, 'clarifying');
}

/** The customer answers the options we offered: by position, by words, or "nenhum". */
export async function clarify(c: Conversation, text: string): Promise<void> {
  const { state, input } = c;
  const options = state.options!;
  const picked = pickOption(text, options.length);
  if (picked === -1) {
    state.options = null;
    moveTo(c, 'identifying');
    say(c, replies.noneOfThese);
    return;
  }
  let scriptId = picked === null ? null : options[picked]!.scriptId;
  if (scriptId === null) {
    const { match } = await reader(c).matchScript({
      tenantId: state.tenantId,
      text,
      threshold: input.settings.matchThreshold,
      among: options.map((option) => option.scriptId),
    });
    scriptId = match.scriptId;
  }
  const script = scriptId ? await reader(c).loadScript({ tenantId: state.tenantId, scriptId }) : null;
  if (script) {
    // the demand that led to the options may already carry answers ("a 2ª via da apólice")
    const demand = c.competence ? (c.memory.customerTexts.at(-2) ?? null) : null;
    startScript(c, script, 'clarification', demand);
    return;
  }
  // not one of the options: perhaps a fresh description of the demand
  state.options = null;
  moveTo(c, 'identifying');
  await identify(c, text);
}

/** Begins a script; answers the customer already gave (in `text`) are taken, not asked. */
/** A form tool's fields, collected next like a script (the script before it is done). */
export function startForm(c: Conversation, form: Script): void {
  startScript(c, form, 'tool', null);
}

function startScript(c: Conversation, script: Script, source: NonNullable<ConversationState['scriptSource']>, text: string | null): void {
  const { state } = c;
  state.script = script;
  state.scriptSource = source;
  state.options = null;
  state.answers = text ? findVolunteeredAnswers(script.steps, {}, text, fieldContext(c)) : {};
  const taken = script.steps.filter((step) => step.id in state.answers);
  say(c, replies.scriptStarted(script.title, taken.map((step) => `${stepLabel(step)} ${displayValue(step.type, state.answers[step.id]!)}`)));
  moveTo(c, 'collecting');
  askNext(c);
}

/** Back to "what do you need?": no script, no answers, the misses counted afresh. */
export function startOver(c: Conversation): void {
  const { state } = c;
  state.script = null;
  state.scriptSource = null;
  state.answers = {};
  state.matchMisses = 0;
  moveTo(c, 'identifying', 'active');
}

/** Whatever came before is done: the message is a new demand. */
export async function newDemand(c: Conversation, text: string): Promise<void> {
  startOver(c);
  await identify(c, text);
}

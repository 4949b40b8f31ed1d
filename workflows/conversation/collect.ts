import { ApplicationFailure, patched } from '@temporalio/workflow';
import { failureTypes, type ChangeScriptInput } from '../../domain/conversation';
import { findCorrection, isCancel, pickOption } from '../../domain/collection';
import { decision } from '../../domain/escalation';
import { displayValue, isSkip, validateField, validateStep } from '../../domain/fields';
import { escalationDetails, numbered, replies, stepName, systemNotes, whyByType, whyDefault } from '../../domain/replies';
import { isQuestion, isSmallTalk, questionTopic, wantsToStop } from '../../domain/talk';
import type { Source } from '../../domain/knowledge';
import type { Script, Step } from '../../domain/scripts';
import { patches } from './activities';
import { callTool } from './tools';
import { fieldContext, hours, reader, type Conversation } from './context';
import { escalate, finishHandoff } from './handoff';
import { finishCollection } from './resolve';
import { moveTo, note, record, recordSources, say } from './turn';

/** How a confirmation or a correction names a step: "o CPF", or its id in quotes. */
export function stepLabel(step: Step): string {
  const labels: Partial<Record<Step['type'], string>> = { cpf: 'o CPF', email: 'o e-mail', phone: 'o telefone', cep: 'o CEP', plate: 'a placa', date: 'a data' };
  return labels[step.type] ?? `"${step.id.replace(/_/g, ' ')}":`;
}

function stepById(script: Script, id: string): Step {
  return script.steps.find((step) => step.id === id)!;
}

/** Asks the first unanswered step; false when every step has its answer. */
export function askNext(c: Conversation): boolean {
  const { state } = c;
  const next = state.script!.steps.find((step) => !(step.id in state.answers));
  if (!next) {
    state.pending = null;
    return false;
  }
  state.pending = { stepId: next.id, question: next.question, attempts: 0 };
  say(c, next.question);
  return true;
}

/** The answer to the pending step: validated, re-asked when bad, a correction of an earlier one taken. */
export async function collect(c: Conversation, text: string): Promise<void> {
  const { state, policy } = c;
  const script = state.script!;
  const pending = state.pending!;
  const step = stepById(script, pending.stepId);
  if (dropsScript(c, text)) {
    cancelScript(c);
    return;
  }
  // not an answer: small talk gets the step again, a question its answer and then the step, and no attempt counts
  if (c.competence && isSmallTalk(text)) {
    say(c, step.question);
    return;
  }
  if (c.competence && isOffStepQuestion(c, step, text)) {
    const answer = await answerQuestion(c, step, text);
    if (answer.sources?.length) recordSources(c, answer.sources);
    say(c, replies.backToStep(answer.text, step.question), answer.sources);
    return;
  }
  const correction = pending.correcting ? null : findCorrection(script.steps, state.answers, text, fieldContext(c));
  if (correction && correction.stepId !== step.id) {
    const corrected = stepById(script, correction.stepId);
    if (correction.value !== null) {
      state.answers[corrected.id] = correction.value;
      say(c, replies.corrected(`${stepLabel(corrected)} ${displayValue(corrected.type, correction.value)}`));
      say(c, step.question);
    } else {
      delete state.answers[corrected.id];
      state.pending = { stepId: corrected.id, question: corrected.question, attempts: 0 };
      say(c, replies.correctingStep(corrected.question));
    }
    return;
  }
  if (!step.required && isSkip(text)) {
    state.answers[step.id] = '';
  } else {
    const result = validateStep(step, text, fieldContext(c));
    if (!result.ok) {
      pending.attempts += 1;
      if (pending.attempts >= policy.maxAttemptsPerStep) {
        say(c, replies.humanAfterInvalidAnswers);
        await escalate(c, decision('validation_failed', escalationDetails.invalidAnswers(pending.attempts, step.question)));
        return;
      }
      say(c, replies.invalidAnswer(result.error, step.question));
      return;
    }
    state.answers[step.id] = result.value;
    if (step.lookup && !pending.correcting && patched(patches.stepLookup)) await lookUp(c, step, step.lookup);
  }
  if (pending.correcting || !askNext(c)) confirm(c);
}

/**
 * A step's lookup: its tool runs with the answers so far, and each later step it names that is
 * still unanswered takes the value the result gives, when that value passes the step's own
 * validation. The customer hears what was found (the tool's own words, or the values); a failed
 * call or a value that does not fit just leaves those steps to be asked.
 */
async function lookUp(c: Conversation, step: Step, lookup: NonNullable<Step['lookup']>): Promise<void> {
  const { state } = c;
  const script = state.script!;
  const outcome = await callTool(c, lookup.tool, lookup.fill);
  if (!outcome.ok) return;
  const filled: Step[] = [];
  // in the script's order (the stored fill's key order is not the admin's)
  for (const target of script.steps) {
    const value = outcome.filled?.[target.id];
    if (value === undefined || target.id in state.answers || !(target.id in lookup.fill)) continue;
    const valid = validateStep(target, value, fieldContext(c));
    if (!valid.ok) continue;
    state.answers[target.id] = valid.value;
    filled.push(target);
  }
  if (!filled.length) return;
  record(c, { action: 'STEPS_FILLED', name: outcome.name.slice(0, 200), tag: filled.map((each) => each.id).join(',').slice(0, 200) });
  say(c, outcome.say ?? replies.lookedUp(filled.map((each) => `${stepName(each)}: ${displayValue(each.type, state.answers[each.id]!)}`)));
}

/** A question of the customer's own while a step waits: not a valid answer, or a free-text step asked about hours or why. */
function isOffStepQuestion(c: Conversation, step: Step, text: string): boolean {
  if (!isQuestion(text)) return false;
  if (step.type === 'text') return questionTopic(text) !== null;
  return !validateStep(step, text, fieldContext(c)).ok;
}

/**
 * The answer to an off-step question: the hours, why the step is asked, the business's FAQ, its
 * knowledge base (with the passages used), or an honest "I don't know".
 */
async function answerQuestion(c: Conversation, step: Step, text: string): Promise<{ text: string; sources?: Source[] }> {
  const topic = questionTopic(text);
  if (topic === 'hours') return { text: replies.hoursAnswer(hours(c)) };
  if (topic === 'why') return { text: step.why ?? whyByType[step.type] ?? whyDefault };
  const faq = c.state.persona?.faq ?? [];
  // with a model, a question the FAQ does not cover is still worth asking it
  const model = c.state.llmPhrasing && patched(patches.modelAnswers);
  const business = model ? c.state.persona?.systemPrompt : undefined;
  // the knowledge base may answer what neither the FAQ nor a model would
  const ask = faq.length || model || patched(patches.knowledgeAnswers);
  const entry = ask ? await reader(c).answerFaq({ faq, text, tenantId: c.state.tenantId, ...(c.input.agentId ? { agentId: c.input.agentId } : {}), ...(business ? { business } : {}) }) : null;
  return entry ? { text: entry.answer, ...(entry.sources?.length ? { sources: entry.sources } : {}) } : { text: replies.unknownQuestion };
}

/** The answers so far, numbered, as the confirmation shows them (by short label since the competence patch). */
function summary(c: Conversation): string {
  const { state } = c;
  const steps = state.script!.steps.filter((step) => state.answers[step.id]);
  const name = (step: Step) => (c.competence ? stepName(step) : step.question.replace(/\s*\?$/, ''));
  return numbered(steps.map((step) => `${name(step)}: ${displayValue(step.type, state.answers[step.id]!)}`));
}

/** Every step answered: the summary, for the customer to confirm or correct. */
export function confirm(c: Conversation): void {
  c.state.pending = null;
  c.state.choosingCorrection = false;
  say(c, replies.confirmSummary(summary(c)));
  moveTo(c, 'confirming');
}

/** After the summary: "sim" completes, "não" or a correction ("o e-mail é …") fixes an answer. */
export async function confirming(c: Conversation, text: string): Promise<void> {
  const { state } = c;
  const script = state.script!;
  if (dropsScript(c, text)) {
    cancelScript(c);
    return;
  }
  const answered = script.steps.filter((step) => state.answers[step.id]);
  if (state.choosingCorrection) {
    const picked = pickOption(text, answered.length);
    const named = picked === null ? findCorrection(script.steps, state.answers, `corrigir ${text}`, fieldContext(c)) : null;
    const stepId = picked !== null && picked >= 0 ? answered[picked]!.id : named?.stepId;
    if (!stepId) {
      say(c, replies.whichItem(summary(c)));
      return;
    }
    if (named?.value) {
      state.answers[stepId] = named.value;
      confirm(c);
      return;
    }
    reopen(c, stepById(script, stepId));
    return;
  }
  const correction = findCorrection(script.steps, state.answers, text, fieldContext(c));
  if (correction?.value) {
    state.answers[correction.stepId] = correction.value;
    confirm(c);
    return;
  }
  if (correction) {
    reopen(c, stepById(script, correction.stepId));
    return;
  }
  const answer = validateField('yes_no', text, fieldContext(c));
  if (answer.ok && answer.value === 'true') {
    await finishCollection(c);
    return;
  }
  if (answer.ok) {
    state.choosingCorrection = true;
    say(c, replies.whichToCorrect(summary(c)));
    return;
  }
  say(c, replies.confirmUnclear);
}

/** Asks one answered step again from the summary; the summary comes back after the answer. */
function reopen(c: Conversation, step: Step): void {
  c.state.choosingCorrection = false;
  c.state.pending = { stepId: step.id, question: step.question, attempts: 0, correcting: true };
  moveTo(c, 'collecting');
  say(c, step.question);
}

/** "Cancela", and since the competence patch "esquece, deixa pra lá" too. */
function dropsScript(c: Conversation, text: string): boolean {
  return isCancel(text) || (c.competence && wantsToStop(text));
}

function cancelScript(c: Conversation): void {
  const { state } = c;
  say(c, replies.cancelled);
  state.script = null;
  state.scriptSource = null;
  state.answers = {};
  state.pending = null;
  state.choosingCorrection = false;
  moveTo(c, 'identifying');
}

/** An agent replaces the script; answers with the same step id and type carry over. */
export async function changeScript(c: Conversation, { scriptId, by }: ChangeScriptInput): Promise<void> {
  const { state } = c;
  const script = await reader(c).loadScript({ tenantId: state.tenantId, scriptId });
  if (!script) throw ApplicationFailure.nonRetryable(`no active script "${scriptId}"`, failureTypes.scriptNotFound);
  const previous = state.script;
  const kept: Record<string, string> = {};
  for (const step of script.steps) {
    const old = previous?.steps.find((candidate) => candidate.id === step.id && candidate.type === step.type);
    if (old && step.id in state.answers) kept[step.id] = state.answers[step.id]!;
  }
  note(c, 'system', systemNotes.rescripted(script.title, script.version, by));
  state.script = script;
  state.scriptSource = 'agent';
  state.answers = kept;
  state.options = null;
  state.choosingCorrection = false;
  state.pending = null;
  // an agent holding the conversation keeps it; the bot asks the new script's questions after the handback
  if (state.agent) return;
  if (state.stage === 'escalated' && state.escalation?.number !== undefined && !state.escalation.outcome) finishHandoff(c, 'handed_back', '');
  say(c, replies.rescriptedByTeam(script.title));
  moveTo(c, 'collecting', 'active');
  if (!askNext(c)) confirm(c);
}

/** The question the bot is waiting on, asked again after a silence or when the customer comes back. */
export function repeatQuestion(c: Conversation): string {
  const { state } = c;
  switch (state.stage) {
    case 'collecting':
      return state.pending?.question ?? replies.continueQuestion;
    case 'confirming':
      return state.choosingCorrection ? replies.whichToCorrect(summary(c)) : replies.confirmSummary(summary(c));
    case 'clarifying':
      return replies.whichTopicAgain((state.options ?? []).map((option) => option.title));
    default:
      return replies.idleDefault;
  }
}

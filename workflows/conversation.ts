import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { StoredMessage } from '../domain/conversation';
import { lexiconSentiment, type CollectedAnswer } from '../domain/analysis';
import { declinesRating, describeSpan, followUpPlan, isAllGood, isGreeting, isThanks, readScore, type PlannedFollowUp } from '../domain/aftercare';
import {
  asksForHuman,
  decideAfterCollection,
  decision,
  defaultEscalationPolicy,
  escalatingPrompt,
  priorityOf,
  type EscalationDecision,
  type EscalationPolicy,
} from '../domain/escalation';
import { addWorkingTime, describeOpening, isOpen, nextOpening } from '../domain/hours';
import { findCorrection, findVolunteeredAnswers, isCancel, pickOption } from '../domain/collection';
import {
  applicablePrompts,
  describeHours,
  followUpFor,
  greetingFor,
  leadInFor,
  plainPersona,
  type ActionPrompt,
  type Persona,
  type WorkingHours,
} from '../domain/persona';
import { displayValue, isSkip, validateField, validateStep, type FieldContext } from '../domain/fields';
import type { Script, Step } from '../domain/scripts';
import { fold } from '../domain/text';
import { searchAttributes } from './messages';
import { failureTypes, MAX_ACTIONS_KEPT, MAX_MESSAGE_LENGTH, type AgentMessageInput, type BotReply, type ActionRecord, type ChangeScriptInput, type ClaimInput, type HandbackInput, type ResolveInput, type ConversationInput, type ConversationState, type SendMessageInput, type SendMessageResult, type Stage, type Status, type CarriedState } from '../domain/conversation';
import { agentMessageUpdate, analyzeUpdate, changeScriptUpdate, claimUpdate, handbackUpdate, closeSignal, resolveUpdate, sendMessageUpdate, stateQuery } from './messages';

/** Writes to our own Postgres: retried until it answers, so a turn is never half-recorded. */
const storage = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** Reads and computations a customer is waiting on: fast, and retried a few times. */
const understanding = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  // bounded so a broken catalog fails the turn instead of keeping the customer waiting forever
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 5 },
});

/**
 * Mindchat is someone else's service: backed off for about a minute of failures, after which
 * the customer is better served by the built-in inbox. A refusal (4xx) is not retried at all.
 */
const helpdesk = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [failureTypes.mindchatRejected, failureTypes.mindchatNotConfigured],
  },
});

/** Watching an open ticket: a failed poll is simply tried again at the next interval. */
const ticketWatch = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3, nonRetryableErrorTypes: [failureTypes.mindchatRejected, failureTypes.mindchatNotConfigured] },
});

const PERSONA_PATCH = 'load-persona';
/** Escalations that open Mindchat tickets or queue through recordTurn, and agents who take over. */
const HANDOFF_PATCH = 'handoff';
/** Follow-up delays that count only the business's working time. */
const WORKING_TIME_PATCH = 'working-time-follow-up';
/**
 * Declared follow-ups, inactivity nudges and abandonment, the satisfaction survey and
 * continue-as-new: the conversation's timers after this change. Runs started before it keep
 * the single follow-up and close.
 */
const AFTERCARE_PATCH = 'aftercare';
/** The stages in which the bot waits on the customer's answer, and nudges a silent one. */
const WAITING_STAGES: readonly Stage[] = ['identifying', 'clarifying', 'collecting', 'confirming'];
/** Client message ids whose replies are kept for retries that cross a continue-as-new. */
const MAX_RECENT_UPDATES = 10;
/** Agent message ids already shown to the customer, per ticket, kept for deduplication. */
const MAX_SEEN_TICKET_MESSAGES = 500;

export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  const startedAt = new Date().toISOString();
  const carried = input.carried;
  const state: ConversationState = carried ? { ...carried.state, run: (carried.state.run ?? 1) + 1 } : {
    conversationId: input.conversationId,
    tenantId: input.tenantId,
    channel: input.channel,
    customer: input.customer,
    stage: 'greeting',
    status: 'active',
    script: null,
    answers: {},
    pending: null,
    options: null,
    choosingCorrection: false,
    matchMisses: 0,
    scriptSource: null,
    analysis: null,
    persona: null,
    llmPhrasing: false,
    lastSentiment: null,
    actions: [],
    escalation: null,
    escalationCount: 0,
    agent: null,
    helpdesk: 'inbox',
    protocol: null,
    followUp: null,
    messageCount: 0,
    customerTurns: 0,
    revision: 0,
    startedAt,
    updatedAt: startedAt,
    closedAt: null,
  };
  // decided once, at the start, so every later branch of this run agrees
  const aftercare = patched(AFTERCARE_PATCH);
  if (aftercare && !carried) Object.assign(state, { inactivity: null, csat: null, recentUpdates: [], followUpPlan: [], run: 1 });
  let closeRequested = false;
  const policy: EscalationPolicy = input.settings.escalation ?? defaultEscalationPolicy;
  // Turns run one at a time: a second message waits until the first one's reply is written.
  let turnInProgress = false;

  /** Replies and messages of the turn being handled, written together at its end. */
  let outbox: StoredMessage[] = [];
  let replies: BotReply[] = [];

  function nextMessage(role: StoredMessage['role'], text: string, clientMessageId: string | null = null): StoredMessage {
    state.messageCount += 1;
    return {
      id: `${state.conversationId}:${state.messageCount}`,
      seq: state.messageCount,
      role,
      text,
      clientMessageId,
      createdAt: new Date().toISOString(),
    };
  }

  function say(text: string): void {
    if (!text) return;
    const message = nextMessage('bot', text);
    outbox.push(message);
    replies.push({ seq: message.seq, text, at: message.createdAt });
  }

  function searchAttributeUpdates(): SearchAttributeUpdatePair[] {
    return [
      { key: searchAttributes.ConversationStage, value: state.stage },
      { key: searchAttributes.ConversationStatus, value: state.status },
      { key: searchAttributes.ScriptId, value: state.script?.id ?? null },
      { key: searchAttributes.Urgency, value: state.analysis?.urgency ?? null },
      { key: searchAttributes.Sentiment, value: state.analysis?.sentiment ?? null },
      ...(state.escalation?.via ? [{ key: searchAttributes.Handoff, value: handoffRoute() }] : []),
    ];
  }

  /** The Handoff search attribute: where the latest escalation went, and whether Mindchat failed it. */
  function handoffRoute(): string {
    const escalation = state.escalation!;
    return escalation.via === 'inbox' && escalation.failure ? 'inbox_fallback' : escalation.via!;
  }

  function moveTo(stage: Stage, status: Status = state.status): void {
    if (stage === state.stage && status === state.status) return;
    state.stage = stage;
    state.status = status;
    upsertSearchAttributes(searchAttributeUpdates());
  }

  async function flush(): Promise<void> {
    state.updatedAt = new Date().toISOString();
    state.revision += 1;
    const messages = outbox;
    outbox = [];
    await storage.recordTurn({ state: projection(), messages });
  }

  /**
   * The state as Postgres keeps it, written with every turn and so part of every turn's
   * history: without the replies kept for retries, and without the persona's FAQ and prompts,
   * which the workflow loaded from Postgres and can be large.
   */
  function projection(): ConversationState {
    const persona = state.persona && { ...state.persona, faq: [], prompts: [] };
    return { ...state, persona, recentUpdates: undefined };
  }

  // --- stages -------------------------------------------------------------------------

  function record(action: Omit<ActionRecord, 'timestamp'>): void {
    state.actions.push({ ...action, timestamp: new Date().toISOString() });
    if (state.actions.length > MAX_ACTIONS_KEPT) state.actions.splice(0, state.actions.length - MAX_ACTIONS_KEPT);
  }

  /** The business's onboarding and prompts, read once: a conversation keeps the persona it started with. */
  async function persona(): Promise<Persona> {
    if (!state.persona) {
      // conversations that began before personas existed replay without this activity and keep the plain persona
      if (patched(PERSONA_PATCH)) {
        const loaded = await understanding.loadPersona({ tenantId: state.tenantId, instanceId: input.instanceId, businessName: input.settings.businessName });
        state.persona = loaded.persona;
        state.llmPhrasing = loaded.llm;
        state.helpdesk = loaded.helpdesk ?? 'inbox';
      } else {
        state.persona = plainPersona(input.settings.businessName);
      }
    }
    return state.persona;
  }

  /** A line phrased by the model under the applied prompts when there is one, else the offline line. */
  async function phrase(prompts: readonly ActionPrompt[], purpose: string, customerText: string | null, fallback: string): Promise<string> {
    if (!state.llmPhrasing || !prompts.length) return fallback;
    return understanding.composeLine({
      systemPrompt: state.persona?.systemPrompt ?? null,
      prompts: prompts.map(({ name, prompt }) => ({ name, prompt })),
      purpose,
      customerText,
      fallback,
    });
  }

  /**
   * Applies the admin's action prompts whose conditions hold for this message: WELCOME shapes
   * the greeting, the others open the reply with one line (offline templates by tone, or the
   * model's phrasing).
   */
  async function applyPrompts(text: string, greeting: boolean): Promise<EscalationDecision | null> {
    const current = await persona();
    const sentiment = text ? lexiconSentiment(text) : 'neutral';
    const applied = applicablePrompts(current.prompts, {
      text,
      // the customer's first words, or the greeting of a conversation opened without any
      firstMessage: text ? state.customerTurns === 1 : greeting,
      sentiment,
      previousSentiment: state.lastSentiment,
      stage: state.stage,
    });
    if (text) state.lastSentiment = sentiment;
    const welcome = greeting ? applied.filter((prompt) => prompt.actionType === 'WELCOME') : [];
    const others = applied.filter((prompt) => prompt.actionType !== 'WELCOME' && prompt.actionType !== 'FOLLOW_UP');
    if (greeting) {
      const offline = greetingFor(current, state.customer.name, welcome.length > 0);
      say(await phrase(welcome, 'a saudação de boas-vindas ao cliente, terminando com uma pergunta sobre o que ele precisa', text || null, offline));
      markApplied(welcome);
      moveTo('identifying');
    }
    // offline only prompts with a template speak; a model phrases any of them
    const speaking = state.llmPhrasing ? others : others.filter((prompt) => leadInFor([prompt], current.tone));
    if (speaking.length) {
      say(await phrase(speaking, 'uma frase de abertura para a resposta a esta mensagem do cliente', text, leadInFor(speaking, current.tone) ?? ''));
      markApplied(speaking);
    }
    const escalating = text ? escalatingPrompt(policy, applied) : null;
    return escalating && decision('action_prompt', `A instrução "${escalating.name}" pede atendimento humano para esta mensagem.`, `prompt:${escalating.id}`);
  }

  function markApplied(prompts: readonly ActionPrompt[]): void {
    for (const prompt of prompts) record({ action: 'PROMPT_APPLIED', promptId: prompt.id, name: prompt.name, actionType: prompt.actionType });
  }

  function fieldContext(): FieldContext {
    return { now: new Date(), timeZone: input.settings.timeZone, pastByDefault: true };
  }

  async function identify(text: string): Promise<void> {
    const faq = state.persona?.faq.length ? state.persona.faq : undefined;
    const { match, script, faq: answered } = await understanding.matchScript({
      tenantId: state.tenantId,
      text,
      threshold: input.settings.matchThreshold,
      ...(faq ? { faq } : {}),
    });
    if (answered) {
      record({ action: 'FAQ_ANSWERED', name: answered.question });
      say(`${answered.answer}\n\nPosso ajudar em mais alguma coisa?`);
      moveTo('identifying');
      return;
    }
    if (script) {
      startScript(script, 'matcher', text);
      return;
    }
    if (match.verdict === 'ambiguous' && match.candidates.length > 1) {
      offerOptions(match.candidates.slice(0, 3).map(({ scriptId, title }) => ({ scriptId, title })));
      return;
    }
    await missMatch(text);
  }

  async function missMatch(text: string): Promise<void> {
    state.matchMisses += 1;
    state.options = null;
    if (policy.humanRequest && asksForHuman(text)) {
      say('Claro! Vou chamar uma pessoa da nossa equipe para falar com você.');
      await escalate(decision('customer_asked_for_human', `O cliente pediu para falar com uma pessoa: "${text.slice(0, 200)}"`));
      return;
    }
    if (state.matchMisses >= policy.maxMatchMisses) {
      say('Não consegui identificar o assunto. Vou chamar uma pessoa da nossa equipe para te ajudar.');
      await escalate(decision('no_script_matched', `O bot não identificou a demanda em ${state.matchMisses} tentativas.`));
      return;
    }
    moveTo('identifying');
    say('Desculpe, não entendi bem o que você precisa. Pode me contar de outro jeito? Por exemplo: "preciso da segunda via do boleto".');
  }

  function offerOptions(options: NonNullable<ConversationState['options']>): void {
    state.options = options;
    const list = options.map((option, index) => `${index + 1}. ${option.title}`).join('\n');
    say(`Só para eu ter certeza, é sobre qual destes assuntos?\n${list}\nResponda com o número ou o nome, ou diga "nenhum".`);
    moveTo('clarifying');
  }

  /** The customer answers the options we offered: by position, by words, or "nenhum". */
  async function clarify(text: string): Promise<void> {
    const options = state.options!;
    const picked = pickOption(text, options.length);
    if (picked === -1) {
      state.options = null;
      moveTo('identifying');
      say('Tudo bem. Então me conta com outras palavras o que você precisa?');
      return;
    }
    let scriptId = picked === null ? null : options[picked]!.scriptId;
    if (scriptId === null) {
      const { match } = await understanding.matchScript({
        tenantId: state.tenantId,
        text,
        threshold: input.settings.matchThreshold,
        among: options.map((option) => option.scriptId),
      });
      scriptId = match.scriptId;
    }
    const script = scriptId ? await understanding.loadScript({ tenantId: state.tenantId, scriptId }) : null;
    if (script) {
      startScript(script, 'clarification', null);
      return;
    }
    // Not one of the options: perhaps a fresh description of the demand.
    state.options = null;
    moveTo('identifying');
    await identify(text);
  }

  /** Begins a script; answers the customer already gave (in `text`) are taken, not asked. */
  function startScript(script: Script, source: NonNullable<ConversationState['scriptSource']>, text: string | null): void {
    state.script = script;
    state.scriptSource = source;
    state.options = null;
    state.answers = text ? findVolunteeredAnswers(script.steps, {}, text, fieldContext()) : {};
    const taken = script.steps.filter((step) => step.id in state.answers);
    const noted = taken.length ? ` Já anotei ${taken.map((step) => `${stepLabel(step)} ${displayValue(step.type, state.answers[step.id]!)}`).join(', ')}.` : '';
    say(`Entendi: ${script.title}. Vou te fazer algumas perguntas rápidas.${noted}`);
    moveTo('collecting');
    askNext();
  }

  function stepLabel(step: Step): string {
    const labels: Partial<Record<Step['type'], string>> = { cpf: 'o CPF', email: 'o e-mail', phone: 'o telefone', cep: 'o CEP', plate: 'a placa', date: 'a data' };
    return labels[step.type] ?? `"${step.id.replace(/_/g, ' ')}":`;
  }

  function stepById(script: Script, id: string): Step {
    return script.steps.find((step) => step.id === id)!;
  }

  function askNext(): boolean {
    const script = state.script!;
    const next = script.steps.find((step) => !(step.id in state.answers));
    if (!next) {
      state.pending = null;
      return false;
    }
    state.pending = { stepId: next.id, question: next.question, attempts: 0 };
    say(next.question);
    return true;
  }

  async function collect(text: string): Promise<void> {
    const script = state.script!;
    const pending = state.pending!;
    const step = stepById(script, pending.stepId);
    if (isCancel(text)) {
      cancelScript();
      return;
    }
    const correction = pending.correcting ? null : findCorrection(script.steps, state.answers, text, fieldContext());
    if (correction && correction.stepId !== step.id) {
      const corrected = stepById(script, correction.stepId);
      if (correction.value !== null) {
        state.answers[corrected.id] = correction.value;
        say(`Corrigido: ${stepLabel(corrected)} ${displayValue(corrected.type, correction.value)}.`);
        say(step.question);
      } else {
        delete state.answers[corrected.id];
        state.pending = { stepId: corrected.id, question: corrected.question, attempts: 0 };
        say(`Sem problema, vamos corrigir. ${corrected.question}`);
      }
      return;
    }
    if (!step.required && isSkip(text)) {
      state.answers[step.id] = '';
    } else {
      const result = validateStep(step, text, fieldContext());
      if (!result.ok) {
        pending.attempts += 1;
        if (pending.attempts >= policy.maxAttemptsPerStep) {
          say('Parece que não estou conseguindo entender. Vou chamar uma pessoa da equipe para continuar com você.');
          await escalate(decision('validation_failed', `Respostas inválidas ${pending.attempts} vezes para: "${step.question}"`));
          return;
        }
        say(`${result.error} ${step.question}`);
        return;
      }
      state.answers[step.id] = result.value;
    }
    if (pending.correcting || !askNext()) confirm();
  }

  function summary(): string {
    const script = state.script!;
    return script.steps
      .filter((step) => state.answers[step.id])
      .map((step, index) => `${index + 1}. ${step.question.replace(/\s*\?$/, '')}: ${displayValue(step.type, state.answers[step.id]!)}`)
      .join('\n');
  }

  function confirm(): void {
    state.pending = null;
    state.choosingCorrection = false;
    say(`Confere se está tudo certo:\n${summary()}\nPosso confirmar? (sim/não)`);
    moveTo('confirming');
  }

  /** After the summary: "sim" completes, "não" or a correction ("o e-mail é …") fixes an answer. */
  async function confirming(text: string): Promise<void> {
    const script = state.script!;
    if (isCancel(text)) {
      cancelScript();
      return;
    }
    const answered = script.steps.filter((step) => state.answers[step.id]);
    if (state.choosingCorrection) {
      const picked = pickOption(text, answered.length);
      const named = picked === null ? findCorrection(script.steps, state.answers, `corrigir ${text}`, fieldContext()) : null;
      const stepId = picked !== null && picked >= 0 ? answered[picked]!.id : named?.stepId;
      if (!stepId) {
        say(`Não entendi qual item. Responda com o número:\n${summary()}`);
        return;
      }
      if (named?.value) {
        state.answers[stepId] = named.value;
        confirm();
        return;
      }
      reopen(stepById(script, stepId));
      return;
    }
    const correction = findCorrection(script.steps, state.answers, text, fieldContext());
    if (correction?.value) {
      state.answers[correction.stepId] = correction.value;
      confirm();
      return;
    }
    if (correction) {
      reopen(stepById(script, correction.stepId));
      return;
    }
    const answer = validateField('yes_no', text, fieldContext());
    if (answer.ok && answer.value === 'true') {
      await finishCollection();
      return;
    }
    if (answer.ok) {
      state.choosingCorrection = true;
      say(`O que você quer corrigir? Responda com o número:\n${summary()}`);
      return;
    }
    say('Não entendi. Está tudo certo? Responda sim para confirmar ou não para corrigir algo.');
  }

  /** Asks one answered step again from the summary; the summary comes back after the answer. */
  function reopen(step: Step): void {
    state.choosingCorrection = false;
    state.pending = { stepId: step.id, question: step.question, attempts: 0, correcting: true };
    moveTo('collecting');
    say(step.question);
  }

  function cancelScript(): void {
    say('Tudo bem, cancelei este atendimento. Se quiser, me conta de novo o que você precisa.');
    state.script = null;
    state.scriptSource = null;
    state.answers = {};
    state.pending = null;
    state.choosingCorrection = false;
    moveTo('identifying');
  }

  /** An agent replaces the script; answers with the same step id and type carry over. */
  async function changeScript({ scriptId, by }: ChangeScriptInput): Promise<void> {
    const script = await understanding.loadScript({ tenantId: state.tenantId, scriptId });
    if (!script) throw ApplicationFailure.nonRetryable(`no active script "${scriptId}"`, failureTypes.scriptNotFound);
    const previous = state.script;
    const kept: Record<string, string> = {};
    for (const step of script.steps) {
      const old = previous?.steps.find((candidate) => candidate.id === step.id && candidate.type === step.type);
      if (old && step.id in state.answers) kept[step.id] = state.answers[step.id]!;
    }
    outbox.push(nextMessage('system', `Roteiro alterado para "${script.title}" (v${script.version}) por ${by}.`));
    state.script = script;
    state.scriptSource = 'agent';
    state.answers = kept;
    state.options = null;
    state.choosingCorrection = false;
    state.pending = null;
    // an agent holding the conversation keeps it; the bot asks the new script's questions after the handback
    if (state.agent) return;
    if (state.stage === 'escalated' && state.escalation?.number !== undefined && !state.escalation.outcome) finishHandoff('handed_back', '');
    say(`Nossa equipe ajustou seu atendimento para: ${script.title}.`);
    moveTo('collecting', 'active');
    if (!askNext()) confirm();
  }

  async function finishCollection(): Promise<void> {
    const script = state.script!;
    moveTo('analyzing');
    await analyze();
    const found = decideAfterCollection(policy, script, state.analysis);
    if (found) {
      say(script.onComplete.message ?? 'Obrigado! Vou passar seu atendimento para uma pessoa da nossa equipe, que vai continuar daqui.');
      await escalate(found);
      return;
    }
    resolve();
  }

  /** Analyzes what the customer said so far; the result drives escalation, search attributes and the AI state. */
  async function analyze(): Promise<void> {
    const script = state.script;
    state.analysis = await understanding.analyzeConversation({
      customerMessages: customerTexts.slice(-20),
      ...(state.customer.name ? { customerName: state.customer.name } : {}),
      ...(script ? { scriptId: script.id, scriptTitle: script.title, collected: collectedAnswers() } : {}),
      ...(state.persona?.systemPrompt ? { businessContext: state.persona.systemPrompt } : {}),
    });
    record({ action: 'ANALYZED', tag: `${state.analysis.sentiment}/${state.analysis.urgency}` });
    upsertSearchAttributes(searchAttributeUpdates());
  }

  function newProtocol(): string {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    return `ATD-${day}-${uuid4().slice(0, 6).toUpperCase()}`;
  }

  function resolve(): void {
    state.protocol = newProtocol();
    say(
      `${state.script!.onComplete.message ?? 'Sua solicitação foi registrada.'} Seu protocolo é ${state.protocol}. Posso ajudar em mais alguma coisa?`,
    );
    state.pending = null;
    moveTo('resolved', 'resolved');
  }

  /**
   * Hands the conversation to a person. The customer's turn ends at once; the handoff itself
   * (a Mindchat ticket, or the wait for an inbox agent) runs beside the conversation.
   */
  async function escalate(found: EscalationDecision): Promise<void> {
    state.pending = null;
    state.options = null;
    state.choosingCorrection = false;
    if (!patched(HANDOFF_PATCH)) {
      // conversations escalated before handoffs existed replay the way they ran
      const number = state.escalation ? 2 : 1;
      const inboxItemId = `${state.conversationId}:${number}`;
      state.escalation = { reason: found.code, inboxItemId, at: new Date().toISOString() };
      record({ action: 'ESCALATED', tag: found.code });
      moveTo('escalated', 'escalated');
      await flush();
      await storage.escalateToInbox({
        id: inboxItemId,
        tenantId: state.tenantId,
        conversationId: state.conversationId,
        reason: found.code,
        urgency: state.analysis?.urgency ?? 'medium',
        summary: state.analysis?.summary ?? `Escalado: ${found.code}`,
      });
      return;
    }
    state.escalationCount += 1;
    const number = state.escalationCount;
    state.protocol = newProtocol();
    state.escalation = {
      reason: found.code,
      detail: found.detail,
      number,
      inboxItemId: `${state.conversationId}:${number}`,
      at: new Date().toISOString(),
      via: state.helpdesk === 'mindchat' ? 'pending' : 'inbox',
      ticketId: null,
      failure: null,
      noticeSentAt: null,
      outcome: null,
      endedAt: null,
    };
    record({ action: 'ESCALATED', tag: found.code });
    moveTo('escalated', 'escalated');
    beside(() => handOff(number));
  }

  // --- handoff: Mindchat ticket or inbox, running beside the conversation --------------------

  /** Background work of this conversation; a failure is logged, never left to fail the workflow task. */
  function beside(work: () => Promise<void>): void {
    void work().catch((error: unknown) => log.error('conversation background work failed', { conversationId: state.conversationId, error: String(error) }));
  }

  /** The escalation numbered `number` is still the open one. */
  function stillOpen(number: number): boolean {
    return !closeRequested && state.escalation?.number === number && !state.escalation.outcome;
  }

  function hours(): WorkingHours | null {
    return state.persona?.workingHours ?? input.settings.workingHours ?? null;
  }

  function collectedAnswers(): CollectedAnswer[] {
    const script = state.script;
    if (!script) return [];
    return script.steps
      .filter((step) => state.answers[step.id])
      .map((step) => ({ label: step.question.replace(/\s*\?$/, ''), value: displayValue(step.type, state.answers[step.id]!) }));
  }

  /** The customer's contact: what the conversation started with, else what a script collected. */
  function contact(): { name?: string; email?: string; phone?: string } {
    const answered = (type: Step['type']) => {
      const step = state.script?.steps.find((candidate) => candidate.type === type && state.answers[candidate.id]);
      return step ? state.answers[step.id] : undefined;
    };
    const email = state.customer.email ?? answered('email');
    const phone = state.customer.phone ?? answered('phone');
    return { ...(state.customer.name ? { name: state.customer.name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }

  async function handOff(number: number): Promise<void> {
    // the turn that escalated is written first: the ticket's transcript and the inbox row need it
    await condition(() => !turnInProgress);
    if (!stillOpen(number)) return;
    if (state.escalation!.via === 'pending') {
      const ticket = await openTicket(number).catch(async (error: unknown) => {
        const failure = failureText(error);
        log.warn('Mindchat could not take the escalation; it waits in the built-in inbox', { conversationId: state.conversationId, failure });
        await inTurn(async () => {
          if (!stillOpen(number)) return;
          state.escalation = { ...state.escalation!, via: 'inbox', failure };
          upsertSearchAttributes(searchAttributeUpdates());
        }, () => undefined);
        return null;
      });
      if (ticket) {
        await inTurn(async () => {
          if (!stillOpen(number)) return;
          state.escalation = { ...state.escalation!, via: 'mindchat', ticketId: ticket.ticketId, ...(aftercare ? { pollIntervalMs: ticket.pollIntervalMs } : {}) };
          upsertSearchAttributes(searchAttributeUpdates());
          say(`Abri o chamado #${ticket.ticketId} na nossa central de atendimento (protocolo ${state.protocol}). Uma pessoa da equipe vai continuar com você por aqui.`);
        }, () => undefined);
        await watchTicket(number, ticket.ticketId, ticket.pollIntervalMs);
        return;
      }
    }
    await awaitAgent(number);
  }

  function failureText(error: unknown): string {
    let current = error as { message?: string; cause?: unknown } | undefined;
    while (current?.cause) current = current.cause as typeof current;
    return String(current?.message ?? error).slice(0, 500);
  }

  async function openTicket(number: number): Promise<{ ticketId: string; pollIntervalMs: number }> {
    const reference = `atende:${state.conversationId}:${number}`;
    const { customerId } = await helpdesk.findOrCreateMindchatCustomer({ conversationId: state.conversationId, ...contact() });
    const escalation = state.escalation!;
    const ticket = await helpdesk.openMindchatTicket({
      reference,
      conversationId: state.conversationId,
      customerId,
      subject: state.script ? `${state.script.title} — ${input.settings.businessName}` : `Atendimento — ${input.settings.businessName}`,
      priority: priorityOf(state.analysis?.urgency),
      detail: escalation.detail ?? escalation.reason,
      summary: state.analysis?.summary ?? null,
      collected: collectedAnswers(),
      protocol: state.protocol,
    });
    await helpdesk.postMindchatTranscript({ reference, ticketId: ticket.ticketId, conversationId: state.conversationId, timeZone: input.settings.timeZone });
    return ticket;
  }

  /**
   * While the ticket is open: the customer's new messages go onto it, its agents' messages come
   * back to the customer, and its resolution resolves the conversation.
   */
  async function watchTicket(number: number, ticketId: string, pollIntervalMs: number): Promise<void> {
    const reference = `atende:${state.conversationId}:${number}`;
    // kept outside this function so a conversation that continues as new carries them
    ticketProgress ??= { seen: [], relayedUpTo: state.messageCount };
    const progress = ticketProgress;
    const seen = progress.seen;
    let nextPoll = Date.now() + pollIntervalMs;
    while (stillOpen(number)) {
      const customerWrote = () => lastCustomerSeq > progress.relayedUpTo && !turnInProgress;
      await condition(() => !stillOpen(number) || customerWrote(), Math.max(1, nextPoll - Date.now()));
      if (!stillOpen(number)) return;
      try {
        if (lastCustomerSeq > progress.relayedUpTo) {
          ({ relayedUpTo: progress.relayedUpTo } = await ticketWatch.relayToMindchat({ reference, ticketId, conversationId: state.conversationId, afterSeq: progress.relayedUpTo }));
        }
        if (Date.now() < nextPoll) continue;
        nextPoll = Date.now() + pollIntervalMs;
        const polled = await ticketWatch.pollMindchatTicket({ ticketId, seen });
        if (!stillOpen(number)) return;
        const fresh = polled.agentMessages.filter((message) => !seen.includes(message.id));
        if (fresh.length || polled.finished) {
          await inTurn(async () => {
            if (!stillOpen(number)) return;
            for (const message of fresh) {
              outbox.push(nextMessage('agent', message.text));
              seen.push(message.id);
            }
            if (seen.length > MAX_SEEN_TICKET_MESSAGES) seen.splice(0, seen.length - MAX_SEEN_TICKET_MESSAGES);
            if (polled.finished) finishHandoff('resolved', `Seu chamado #${ticketId} foi concluído pela nossa equipe.`);
          }, () => undefined);
        }
      } catch (error) {
        log.warn('Mindchat ticket watch failed; trying again at the next interval', { conversationId: state.conversationId, ticketId, failure: failureText(error) });
        await condition(() => !stillOpen(number), pollIntervalMs);
        nextPoll = Date.now();
      }
    }
  }

  /**
   * In the inbox: outside working hours the customer hears at once when a person will answer;
   * otherwise, if nobody claims the conversation in time, what happens next.
   */
  async function awaitAgent(number: number): Promise<void> {
    const open = hours();
    const now = new Date();
    if (open && !isOpen(open, now)) {
      const when = describeOpening(open, nextOpening(open, now), now);
      await notify(number, `Nossa equipe atende ${describeHours(open)}. Seu pedido ficou registrado com o protocolo ${state.protocol}, e uma pessoa vai te responder aqui mesmo a partir de ${when}.`);
      return;
    }
    const claimed = await condition(() => !stillOpen(number) || state.agent !== null, policy.claimNoticeMinutes * 60_000);
    if (!claimed) {
      await notify(number, `Nossa equipe está com muitos atendimentos agora. Seu pedido está na fila com o protocolo ${state.protocol}: assim que uma pessoa assumir, ela te responde aqui mesmo. Se preferir, deixe um telefone que retornamos a ligação.`);
    }
  }

  async function notify(number: number, text: string): Promise<void> {
    await inTurn(async () => {
      if (!stillOpen(number) || state.agent) return;
      say(text);
      state.escalation = { ...state.escalation!, noticeSentAt: new Date().toISOString() };
    }, () => undefined);
  }

  /** Ends the open escalation: the agent or the helpdesk resolved it, or handed it back to the bot. */
  function finishHandoff(outcome: 'resolved' | 'handed_back', closing: string): void {
    state.escalation = { ...state.escalation!, outcome, endedAt: new Date().toISOString() };
    state.agent = null;
    if (outcome === 'resolved') {
      say(`${closing} Protocolo ${state.protocol}. Posso ajudar em mais alguma coisa?`);
      state.pending = null;
      moveTo('resolved', 'resolved');
    }
  }

  // --- agents -----------------------------------------------------------------------------

  function claim({ agentId }: ClaimInput): Promise<SendMessageResult> {
    if (state.agent?.agentId === agentId) return inTurn(async () => {}, turnResult);
    // set before any await, so a second claim arriving in the same task is rejected by its validator
    state.agent = { agentId, since: new Date().toISOString() };
    return inTurn(async () => {
      outbox.push(nextMessage('system', `${agentId} (atendente) entrou na conversa.`));
      moveTo('with_agent');
    }, turnResult);
  }

  const agentMessage = ({ text, messageId }: AgentMessageInput) =>
    inTurn(async () => {
      outbox.push(nextMessage('agent', text.trim(), messageId ?? null));
    }, turnResult);

  /** The agent gives the conversation back: the bot picks up where the script stands. */
  const handback = ({ agentId }: HandbackInput) =>
    inTurn(async () => {
      outbox.push(nextMessage('system', `${agentId} devolveu a conversa ao assistente virtual.`));
      finishHandoff('handed_back', '');
      const script = state.script;
      // a script the agent chose, not yet answered, is the bot's to finish; a finished one is done
      if (script && script.steps.some((step) => !(step.id in state.answers))) {
        say(`Voltei a te atender por aqui. Vamos continuar: ${script.title}.`);
        moveTo('collecting', 'active');
        askNext();
        return;
      }
      startOver();
      say('Voltei a te atender por aqui. Posso ajudar em mais alguma coisa?');
    }, turnResult);

  const resolveByAgent = ({ note }: ResolveInput) =>
    inTurn(async () => {
      const ticketId = state.escalation?.via === 'mindchat' ? state.escalation.ticketId : null;
      if (note?.trim()) outbox.push(nextMessage('agent', note.trim()));
      finishHandoff('resolved', 'Seu atendimento foi concluído pela nossa equipe.');
      // Mindchat's ticket follows; it is best effort, the conversation is resolved either way
      if (ticketId) beside(() => ticketWatch.closeMindchatTicket({ ticketId, status: 'resolved' }));
    }, turnResult);

  /** Back to "what do you need?": no script, no answers, the misses counted afresh. */
  function startOver(): void {
    state.script = null;
    state.scriptSource = null;
    state.answers = {};
    state.matchMisses = 0;
    moveTo('identifying', 'active');
  }

  /** The customer has what they came for: a goodbye, and the conversation closes. */
  function goodbye(): void {
    say('Eu que agradeço! Se precisar, é só chamar. Até logo!');
    closeRequested = true;
  }

  async function afterResolution(text: string): Promise<void> {
    if (aftercare) return replyAfterResolution(text);
    if (isThanks(text)) {
      goodbye();
      return;
    }
    state.followUp = null;
    startOver();
    await identify(text);
  }

  /**
   * The customer writes after a resolution: thanks (or "sim, deu certo" to a check-in) lead
   * to the satisfaction survey; otherwise the check-in's reply rule decides — a new demand,
   * the same request reopened, or a person.
   */
  async function replyAfterResolution(text: string): Promise<void> {
    const repliesTo = state.followUp?.sentAt ? (state.followUp.onReply ?? 'match') : null;
    state.followUp = null;
    if (repliesTo ? isAllGood(text) : isThanks(text)) {
      if (!askForRating('Que bom! Eu que agradeço.')) goodbye();
      return;
    }
    if (repliesTo === 'escalate') {
      say('Entendi. Vou chamar uma pessoa da nossa equipe para continuar com você.');
      await escalate(decision('follow_up_reply', `Resposta ao acompanhamento: "${text.slice(0, 200)}"`));
      return;
    }
    if (repliesTo === 'reopen' && state.script) {
      say(`Sinto muito que não tenha dado certo. Vamos retomar sua solicitação: ${state.script.title}.`);
      moveTo('confirming', 'active');
      confirm();
      return;
    }
    startOver();
    await identify(text);
  }

  /** Asks for the 1–5 score, once per conversation; false when the survey is off or was already asked. */
  function askForRating(lead: string): boolean {
    if (!input.settings.csat || state.csat) return false;
    state.csat = { askedAt: new Date().toISOString(), score: null, answeredAt: null, comment: null, askedAgain: false };
    say(`${lead} Antes de você ir: de 1 a 5, que nota você dá para este atendimento?`);
    moveTo('rating');
    return true;
  }

  /** The reply to the survey: a clear score is kept; an unclear one is asked about once more, never again. */
  async function rate(text: string): Promise<void> {
    const csat = state.csat!;
    const answeredAt = new Date().toISOString();
    const score = readScore(text);
    if (score !== null) {
      state.csat = { ...csat, score, answeredAt, comment: text.slice(0, 500) };
      say(score >= 4 ? 'Muito obrigado pela avaliação! Até logo!' : 'Obrigado pela sinceridade; sua nota nos ajuda a melhorar. Até logo!');
      closeRequested = true;
      return;
    }
    if (declinesRating(text) || isThanks(text)) {
      state.csat = { ...csat, answeredAt, comment: text.slice(0, 500) };
      say('Tudo bem! Obrigado pelo contato. Até logo!');
      closeRequested = true;
      return;
    }
    if (!csat.askedAgain) {
      state.csat = { ...csat, askedAgain: true };
      say('Desculpe, não entendi a nota. Responda com um número de 1 (muito ruim) a 5 (excelente).');
      return;
    }
    // twice unclear: no more survey; perhaps the customer has something new to ask
    state.csat = { ...csat, answeredAt, comment: text.slice(0, 500) };
    startOver();
    await identify(text);
  }

  /** The question the bot is waiting on, asked again after a silence or when the customer comes back. */
  function repeatQuestion(): string {
    switch (state.stage) {
      case 'collecting':
        return state.pending?.question ?? 'Podemos continuar?';
      case 'confirming':
        return state.choosingCorrection ? `O que você quer corrigir? Responda com o número:\n${summary()}` : `Confere se está tudo certo:\n${summary()}\nPosso confirmar? (sim/não)`;
      case 'clarifying':
        return `É sobre qual destes assuntos?\n${(state.options ?? []).map((option, index) => `${index + 1}. ${option.title}`).join('\n')}`;
      default:
        return 'Se precisar de algo, é só me contar o que você precisa.';
    }
  }

  /** A customer who comes back to an abandoned conversation continues where it stopped. */
  function resumeAbandoned(text: string): boolean {
    const back = state.inactivity?.resumeStage ?? 'identifying';
    state.inactivity = null;
    moveTo(back, 'active');
    say('Que bom que você voltou! Vamos continuar de onde paramos.');
    if (!isGreeting(text)) return false;
    say(repeatQuestion());
    return true;
  }

  /** What the customer said, for the analyzer; rebuilt on replay, never queried. */
  const customerTexts: string[] = carried ? [...carried.customerTexts] : [];
  /** The sequence number of the customer's latest message, for relaying it to a ticket. */
  let lastCustomerSeq = carried?.lastCustomerSeq ?? 0;
  /** The escalation whose waiting customer was already told a person will answer. */
  let acknowledged = carried?.acknowledged ?? 0;
  /** The open Mindchat ticket's watch: agent messages already shown, customer messages already relayed. */
  let ticketProgress: CarriedState['ticket'] = carried?.ticket ?? null;

  // --- handlers -----------------------------------------------------------------------

  /**
   * Runs one turn alone: a turn waits for the one before it, then its replies and writes are
   * flushed together, and its result is read before the next turn may start.
   */
  async function inTurn<T>(work: () => Promise<void>, result: () => T): Promise<T> {
    await condition(() => !turnInProgress);
    turnInProgress = true;
    try {
      replies = [];
      await work();
      await flush();
      return result();
    } finally {
      turnInProgress = false;
    }
  }

  // the update's result is part of the history too: the same lean state as the projection
  const turnResult = (): SendMessageResult => ({ replies, state: projection() });

  function handleMessage({ text, messageId }: SendMessageInput): Promise<SendMessageResult> {
    return inTurn(async () => {
      if (state.stage === 'closed') throw ApplicationFailure.nonRetryable('the conversation is closed', failureTypes.conversationClosed);
      const trimmed = text.trim();
      if (trimmed) {
        const message = nextMessage('customer', trimmed, messageId ?? null);
        outbox.push(message);
        lastCustomerSeq = message.seq;
        state.customerTurns += 1;
        customerTexts.push(trimmed);
        if (customerTexts.length > 40) customerTexts.splice(0, customerTexts.length - 40);
      }
      if (aftercare) {
        if (state.stage === 'abandoned' && resumeAbandoned(trimmed)) return;
        // an answer, any answer, restarts the silence clock
        if (state.inactivity) state.inactivity = null;
        if (state.stage === 'rating') {
          await rate(trimmed);
          return;
        }
      }
      const number = state.escalation?.number;
      if ((state.stage === 'escalated' || state.stage === 'with_agent') && number !== undefined) {
        // a person has the conversation: the bot only tells a waiting customer, once, that one will answer
        if (state.stage === 'escalated' && acknowledged !== number) {
          acknowledged = number;
          say('Sua conversa está com a nossa equipe; uma pessoa vai te responder aqui em breve.');
        }
        return;
      }
      const greeting = state.stage === 'greeting';
      const promptEscalation = await applyPrompts(trimmed, greeting);
      if (promptEscalation) {
        say('Vou chamar uma pessoa da nossa equipe para continuar com você.');
        await escalate(promptEscalation);
        return;
      }
      if (policy.humanRequest && trimmed && ['clarifying', 'collecting', 'confirming', 'resolved', 'rating'].includes(state.stage) && asksForHuman(trimmed)) {
        say('Claro! Vou chamar uma pessoa da nossa equipe para falar com você.');
        await escalate(decision('customer_asked_for_human', `O cliente pediu para falar com uma pessoa: "${trimmed.slice(0, 200)}"`));
        return;
      }
      switch (state.stage) {
        case 'identifying':
          if (greeting && !trimmed) break;
          // "obrigado" after an answer ("Posso ajudar em mais alguma coisa?") ends the conversation, not a new search
          if (aftercare && state.customerTurns > 1 && isThanks(trimmed)) {
            goodbye();
            break;
          }
          if (trimmed) await identify(trimmed);
          else say('Pode me contar em poucas palavras o que você precisa?');
          break;
        case 'clarifying':
          await clarify(trimmed);
          break;
        case 'collecting':
          await collect(trimmed);
          break;
        case 'confirming':
          await confirming(trimmed);
          break;
        case 'analyzing':
        case 'escalated':
        case 'with_agent':
          say('Sua conversa está com a nossa equipe; uma pessoa vai te responder aqui em breve.');
          break;
        case 'resolved':
          await afterResolution(trimmed);
          break;
      }
    }, turnResult);
  }

  /**
   * A message whose client id already had a reply — a retry that crossed a continue-as-new,
   * which Temporal's own update-id dedupe does not see — gets the same reply, applied once.
   */
  function once<I extends { messageId?: string }>(kind: string, handler: (input: I) => Promise<SendMessageResult>): (input: I) => Promise<SendMessageResult> {
    return (input) => {
      const id = input.messageId && `${kind}${input.messageId}`;
      const earlier = id ? state.recentUpdates?.find((update) => update.id === id) : undefined;
      if (earlier) return Promise.resolve({ replies: earlier.replies, state: projection() });
      return handler(input).then((result) => {
        if (aftercare && id) {
          const recent = (state.recentUpdates ??= []);
          recent.push({ id, replies: result.replies });
          if (recent.length > MAX_RECENT_UPDATES) recent.splice(0, recent.length - MAX_RECENT_UPDATES);
        }
        return result;
      });
    };
  }

  const handleChangeScript = (change: ChangeScriptInput) => inTurn(() => changeScript(change), turnResult);

  const handleAnalyze = () => inTurn(analyze, () => state.analysis!);

  setHandler(stateQuery, () => state);
  setHandler(analyzeUpdate, handleAnalyze, {
    validator: (request) => {
      if (typeof request?.by !== 'string' || !request.by) throw new Error('by must be a non-empty string');
      if (state.stage === 'closed') throw new Error('the conversation is closed');
    },
  });
  setHandler(changeScriptUpdate, handleChangeScript, {
    validator: ({ scriptId, by }) => {
      if (typeof scriptId !== 'string' || !scriptId) throw new Error('scriptId must be a non-empty string');
      if (typeof by !== 'string' || !by) throw new Error('by must be a non-empty string');
      if (state.stage === 'closed') throw new Error('the conversation is closed');
    },
  });
  setHandler(sendMessageUpdate, once('', handleMessage), {
    validator: ({ text, messageId }) => {
      if (typeof text !== 'string') throw new Error('text must be a string');
      if (text.length > MAX_MESSAGE_LENGTH) throw new Error(`text must be at most ${MAX_MESSAGE_LENGTH} characters`);
      if (!text.trim() && state.stage !== 'greeting') throw new Error('text must not be empty');
      if (messageId !== undefined && typeof messageId !== 'string') throw new Error('messageId must be a string');
      if (state.stage === 'closed') throw new Error('the conversation is closed');
    },
  });
  const requireText = (value: unknown, name: string) => {
    if (typeof value !== 'string' || !value.trim()) throw new Error(`${name} must be a non-empty string`);
  };
  const requireOpen = () => {
    if (state.stage === 'closed') throw ApplicationFailure.nonRetryable('the conversation is closed', failureTypes.conversationClosed);
  };
  /** Only the agent holding the conversation speaks in it or hands it back. */
  const requireHolder = (agentId: string) => {
    if (!state.agent) throw ApplicationFailure.nonRetryable('no agent holds this conversation; claim it first', failureTypes.notHolding);
    if (state.agent.agentId !== agentId) throw ApplicationFailure.nonRetryable(`${state.agent.agentId} holds this conversation`, failureTypes.notHolding);
  };

  setHandler(claimUpdate, claim, {
    validator: ({ agentId }) => {
      requireText(agentId, 'agentId');
      requireOpen();
      if (state.agent && state.agent.agentId !== agentId) {
        throw ApplicationFailure.nonRetryable(`already claimed by ${state.agent.agentId}`, failureTypes.alreadyClaimed);
      }
      if (!state.agent && state.stage !== 'escalated') {
        throw ApplicationFailure.nonRetryable(`the conversation is not waiting for an agent (stage ${state.stage})`, failureTypes.notWaitingForAgent);
      }
    },
  });
  setHandler(agentMessageUpdate, once('agent:', agentMessage), {
    validator: ({ agentId, text, messageId }) => {
      requireText(agentId, 'agentId');
      requireText(text, 'text');
      if (text.length > MAX_MESSAGE_LENGTH) throw new Error(`text must be at most ${MAX_MESSAGE_LENGTH} characters`);
      if (messageId !== undefined && typeof messageId !== 'string') throw new Error('messageId must be a string');
      requireOpen();
      requireHolder(agentId);
    },
  });
  setHandler(handbackUpdate, handback, {
    validator: ({ agentId }) => {
      requireText(agentId, 'agentId');
      requireOpen();
      requireHolder(agentId);
    },
  });
  setHandler(resolveUpdate, resolveByAgent, {
    validator: ({ by, agentId, note }) => {
      requireText(by, 'by');
      if (note !== undefined && (typeof note !== 'string' || note.length > MAX_MESSAGE_LENGTH)) throw new Error(`note must be a string of at most ${MAX_MESSAGE_LENGTH} characters`);
      requireOpen();
      if (state.stage !== 'escalated' && state.stage !== 'with_agent') {
        throw ApplicationFailure.nonRetryable(`only a conversation with the team can be resolved by it (stage ${state.stage})`, failureTypes.notWaitingForAgent);
      }
      if (state.agent && state.agent.agentId !== agentId) throw ApplicationFailure.nonRetryable(`${state.agent.agentId} holds this conversation`, failureTypes.notHolding);
    },
  });
  setHandler(closeSignal, () => {
    closeRequested = true;
  });

  upsertSearchAttributes([
    ...searchAttributeUpdates(),
    { key: searchAttributes.Channel, value: state.channel },
    { key: searchAttributes.TenantId, value: state.tenantId },
  ]);

  // --- timers: follow up after resolution, then close ----------------------------------

  /** The check-in after a quiet spell, in the business's tone (or the model's words under a FOLLOW_UP prompt). */
  async function sendFollowUp(): Promise<void> {
    const followUpPrompts = (state.persona?.prompts ?? []).filter((prompt) => prompt.isActive && prompt.actionType === 'FOLLOW_UP');
    const offline = followUpFor(state.persona?.tone ?? 'professional_friendly');
    say(await phrase(followUpPrompts, 'uma mensagem curta de acompanhamento perguntando se a solicitação do cliente foi resolvida', null, offline));
    if (state.llmPhrasing) markApplied(followUpPrompts);
    state.followUp = { ...state.followUp!, sentAt: new Date().toISOString() };
  }

  // --- aftercare: check-ins, silence, the survey, and continuing as new ---------------------

  /** The history is long: the server suggests a fresh run, or it passed the configured bound. */
  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.settings.maxHistoryEvents !== undefined && info.historyLength > input.settings.maxHistoryEvents);
  }

  /** Something the current wait must give way to: a close, or a history to compact. */
  const mustStop = () => closeRequested || historyIsLong();

  /**
   * The conversation's clock: check-ins after a resolution, nudges and abandonment while a
   * question waits, the survey's patience, and a fresh run when the history grows long.
   * Returns when the conversation should close.
   */
  async function aftercareTimers(): Promise<void> {
    for (;;) {
      await condition(() => mustStop() || (!turnInProgress && (waitsOnCustomer() || ['resolved', 'rating', 'abandoned'].includes(state.stage))));
      if (closeRequested) return;
      if (historyIsLong()) await carryOn();
      let goOn = true;
      if (state.stage === 'resolved') goOn = await checkIns();
      else if (state.stage === 'rating') goOn = await quiet(input.settings.closeAfterFollowUpMs);
      else if (state.stage === 'abandoned') goOn = await awaitReturn();
      else if (waitsOnCustomer()) await watchSilence();
      if (!goOn) return;
    }
  }

  function waitsOnCustomer(): boolean {
    return !!input.settings.inactivity && state.status === 'active' && WAITING_STAGES.includes(state.stage);
  }

  /** Waits until the customer writes, the stage changes, or the wait must stop; false when `ms` passed in silence. */
  async function quiet(ms: number): Promise<boolean> {
    const turns = state.customerTurns;
    const stage = state.stage;
    return condition(() => mustStop() || state.customerTurns !== turns || state.stage !== stage, Math.max(1, ms));
  }

  /**
   * The check-ins planned at the resolution, each due after its delay in working time. A
   * customer who writes cancels the rest; a conversation quiet after the last one closes.
   * Resumable from the state alone, so a continued run keeps the same due times.
   */
  async function checkIns(): Promise<boolean> {
    if (!state.followUp) {
      state.followUpPlan = followUpPlan(state.script, state.persona?.prompts ?? [], input.settings.followUpDelayMs);
      state.followUp = { dueAt: workingTimeAfter(state.followUpPlan[0]!.afterMs).toISOString(), sentAt: null, index: 0 };
    }
    const plan = state.followUpPlan ?? [];
    for (;;) {
      const current: ConversationState['followUp'] = state.followUp;
      if (!current) return true;
      const index: number = current.index ?? 0;
      if (current.sentAt === null || Date.parse(current.dueAt) > Date.parse(current.sentAt)) {
        if (await quiet(Date.parse(current.dueAt) - Date.now())) return true;
        await inTurn(() => sendCheckIn(plan[index]!, index), () => undefined);
        continue;
      }
      const next: PlannedFollowUp | undefined = plan[index + 1];
      if (!next) return quiet(Date.parse(current.sentAt) + input.settings.closeAfterFollowUpMs - Date.now());
      // the next check-in counts from this one; replies keep this one's rule until the next is sent
      state.followUp = { ...current, dueAt: workingTimeAfter(next.afterMs).toISOString(), index: index + 1 };
    }
  }

  async function sendCheckIn(planned: PlannedFollowUp, index: number): Promise<void> {
    if (state.stage !== 'resolved' || state.followUp?.index !== index) return;
    if (planned.message) say(planned.message);
    else {
      const prompts = (state.persona?.prompts ?? []).filter(
        (prompt) => prompt.isActive && prompt.actionType === 'FOLLOW_UP' && (!planned.promptId || prompt.id === planned.promptId),
      );
      say(await phrase(prompts, 'uma mensagem curta de acompanhamento perguntando se a solicitação do cliente foi resolvida', null, followUpFor(state.persona?.tone ?? 'professional_friendly')));
      if (state.llmPhrasing) markApplied(prompts);
    }
    state.followUp = { ...state.followUp, sentAt: new Date().toISOString(), onReply: planned.onReply };
  }

  function workingTimeAfter(ms: number): Date {
    const open = hours();
    const now = new Date();
    return open ? addWorkingTime(open, now, ms) : new Date(now.getTime() + ms);
  }

  /** A question unanswered: asked once more after a silence, then the conversation closes as abandoned. */
  async function watchSilence(): Promise<void> {
    const settings = input.settings.inactivity!;
    if (!state.inactivity?.nudgedAt) {
      if (await quiet(settings.nudgeAfterMs)) return;
      await inTurn(async () => {
        say(`Ainda está por aí? ${repeatQuestion()}`);
        state.inactivity = { nudgedAt: new Date().toISOString(), abandonedAt: null, resumeStage: null, resumeUntil: null };
      }, () => undefined);
    }
    if (await quiet(Date.parse(state.inactivity!.nudgedAt!) + settings.abandonAfterMs - Date.now())) return;
    await inTurn(async () => {
      const kept = Object.keys(state.answers).length ? 'Suas respostas ficam guardadas: ' : '';
      say(`Como não tive resposta, vou encerrar por aqui. ${kept}se você voltar ${describeSpan(settings.resumeWithinMs)}, continuamos de onde paramos.`);
      state.inactivity = {
        ...state.inactivity!,
        abandonedAt: new Date().toISOString(),
        resumeStage: state.stage,
        resumeUntil: new Date(Date.now() + settings.resumeWithinMs).toISOString(),
      };
      moveTo('abandoned', 'abandoned');
    }, () => undefined);
  }

  /** Abandoned: waits for the customer to come back until the resume window ends; false when it ended. */
  async function awaitReturn(): Promise<boolean> {
    const until = Date.parse(state.inactivity?.resumeUntil ?? new Date().toISOString());
    return condition(() => mustStop() || state.stage !== 'abandoned', Math.max(1, until - Date.now()));
  }

  /**
   * Continues as new with the state and what the handlers need, once every handler has
   * finished; background handoff work restarts from the state in the next run.
   */
  async function carryOn(): Promise<never> {
    await condition(() => !turnInProgress && allHandlersFinished());
    log.info('conversation continues as new', { conversationId: state.conversationId, historyLength: workflowInfo().historyLength, run: state.run ?? 1 });
    const next: CarriedState = { state: { ...state }, customerTexts: customerTexts.slice(-20), lastCustomerSeq, acknowledged, ticket: ticketProgress };
    return continueAsNew<typeof conversationWorkflow>({ ...input, carried: next });
  }

  /** A continued run picks the open escalation's background work back up. */
  function resumeHandoff(): void {
    const escalation = state.escalation;
    const number = escalation?.number;
    if (!escalation || number === undefined || escalation.outcome || state.stage === 'closed') return;
    if (escalation.via === 'mindchat' && escalation.ticketId) {
      beside(() => watchTicket(number, escalation.ticketId!, escalation.pollIntervalMs ?? 120_000));
    } else if (escalation.via === 'pending') {
      beside(() => handOff(number));
    } else if (!escalation.noticeSentAt && !state.agent) {
      beside(() => awaitAgent(number));
    }
  }

  /**
   * When the follow-up is due: its delay counts only the business's working time, so a
   * conversation resolved just before closing is followed up after the next opening.
   */
  function followUpDue(): Date {
    const now = new Date();
    const open = patched(WORKING_TIME_PATCH) ? hours() : null;
    return open ? addWorkingTime(open, now, input.settings.followUpDelayMs) : new Date(now.getTime() + input.settings.followUpDelayMs);
  }

  if (aftercare) {
    if (carried) resumeHandoff();
    await aftercareTimers();
  } else {
    for (;;) {
      await condition(() => closeRequested || (state.stage === 'resolved' && !turnInProgress));
      if (closeRequested) break;
      const mark = state.customerTurns;
      const customerWrote = () => state.customerTurns !== mark || closeRequested;
      const due = followUpDue();
      state.followUp = { dueAt: due.toISOString(), sentAt: null };
      if (await condition(customerWrote, Math.max(1, due.getTime() - Date.now()))) continue;
      await inTurn(sendFollowUp, () => undefined);
      if (!(await condition(customerWrote, input.settings.closeAfterFollowUpMs))) break;
    }
  }

  await condition(() => !turnInProgress && allHandlersFinished());
  state.pending = null;
  state.closedAt = new Date().toISOString();
  moveTo('closed');
  await flush();
  return state;
}

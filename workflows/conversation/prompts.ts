import { patched } from '@temporalio/workflow';
import { lexiconSentiment } from '../../domain/analysis';
import { decision, escalatingPrompt, type EscalationDecision } from '../../domain/escalation';
import { applicablePrompts, type ActionPrompt, type Persona } from '../../domain/persona';
import { escalationDetails, phrasingPurposes, replies } from '../../domain/replies';
import { localUnderstanding, patches, understanding } from './activities';
import type { Conversation } from './context';
import { legacyPersona } from './legacy';
import { moveTo, record, say } from './turn';

/** The business's onboarding and prompts, read once: a conversation keeps the persona it started with. */
export async function persona(c: Conversation): Promise<Persona> {
  const { state, input } = c;
  if (!state.persona) {
    if (patched(patches.persona)) {
      const loaded = await (c.localTurns ? localUnderstanding : understanding).loadPersona({ tenantId: state.tenantId, instanceId: input.instanceId, businessName: input.settings.businessName, ...(input.agentId ? { agentId: input.agentId } : {}) });
      state.persona = loaded.persona;
      state.llmPhrasing = loaded.llm;
      state.helpdesk = loaded.helpdesk ?? 'inbox';
    } else {
      state.persona = legacyPersona(c);
    }
  }
  return state.persona;
}

/** A line phrased by the model under the applied prompts when there is one, else the offline line. */
export async function phrase(c: Conversation, prompts: readonly ActionPrompt[], purpose: string, customerText: string | null, fallback: string): Promise<string> {
  if (!c.state.llmPhrasing || !prompts.length) return fallback;
  return understanding.composeLine({
    systemPrompt: c.state.persona?.systemPrompt ?? null,
    prompts: prompts.map(({ name, prompt }) => ({ name, prompt })),
    purpose,
    customerText,
    fallback,
    tenantId: c.state.tenantId,
    ...(c.input.agentId ? { agentId: c.input.agentId } : {}),
  });
}

/**
 * Applies the admin's action prompts whose conditions hold for this message: WELCOME shapes
 * the greeting, the others open the reply with one line (offline templates by tone, or the
 * model's phrasing). Returns the escalation a prompt asks for, if any.
 */
export async function applyPrompts(c: Conversation, text: string, greeting: boolean): Promise<EscalationDecision | null> {
  const { state } = c;
  const current = await persona(c);
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
    const offline = replies.greeting(current, state.customer.name, welcome.length > 0);
    say(c, await phrase(c, welcome, phrasingPurposes.greeting, text || null, offline));
    markApplied(c, welcome);
    moveTo(c, 'identifying');
  }
  // offline only prompts with a template speak; a model phrases any of them
  const speaking = state.llmPhrasing ? others : others.filter((prompt) => replies.leadIn([prompt], current.tone));
  if (speaking.length) {
    say(c, await phrase(c, speaking, phrasingPurposes.leadIn, text, replies.leadIn(speaking, current.tone) ?? ''));
    markApplied(c, speaking);
  }
  const escalating = text ? escalatingPrompt(c.policy, applied) : null;
  return escalating && decision('action_prompt', escalationDetails.byPrompt(escalating.name), `prompt:${escalating.id}`);
}

export function markApplied(c: Conversation, prompts: readonly ActionPrompt[]): void {
  for (const prompt of prompts) record(c, { action: 'PROMPT_APPLIED', promptId: prompt.id, name: prompt.name, actionType: prompt.actionType });
}

/** The check-in's words: the FOLLOW_UP prompts' phrasing by the model, else the tone's offline line. */
export async function checkInLine(c: Conversation, prompts: readonly ActionPrompt[]): Promise<string> {
  const line = await phrase(c, prompts, phrasingPurposes.checkIn, null, replies.checkIn(c.state.persona?.tone ?? 'professional_friendly'));
  if (c.state.llmPhrasing) markApplied(c, prompts);
  return line;
}

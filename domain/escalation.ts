import { z } from 'zod';
import type { Analysis, Urgency } from './analysis';
import type { ActionPrompt } from './persona';
import type { Script } from './scripts';
import { fold } from './text';

/**
 * When a conversation goes to a person, as explainable rules: every escalation records which
 * rule fired and why, in words an agent reads in the inbox. Each tenant tunes the rules.
 */
export const escalationPolicySchema = z
  .object({
    /** Escalate after collection when the analysis rates urgency at or above this; "never" turns the rule off. */
    urgencyAtLeast: z.enum(['medium', 'high', 'critical', 'never']).default('high'),
    /** A complaint told with negative sentiment goes to a person instead of being closed by the bot. */
    negativeComplaints: z.boolean().default(true),
    /** "Quero falar com um atendente" hands over at once, whatever the bot was doing. */
    humanRequest: z.boolean().default(true),
    /** Demands the bot could not place, in a row, before a person takes over. */
    maxMatchMisses: z.number().int().min(1).max(10).default(2),
    /** Invalid answers to one question before a person takes over. */
    maxAttemptsPerStep: z.number().int().min(1).max(10).default(3),
    /** Ids of action prompts whose conditions, when they hold for a customer message, escalate the conversation. */
    escalateOnPrompts: z.array(z.string().min(1).max(100)).max(50).default([]),
    /** Minutes an escalation may wait unclaimed in the inbox before the customer is told what happens next. */
    claimNoticeMinutes: z.number().int().min(1).max(24 * 60).default(10),
  })
  .strict();
export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;

export const defaultEscalationPolicy: EscalationPolicy = escalationPolicySchema.parse({});

export const escalationReasons = [
  'script_requires_agent',
  'urgency',
  'negative_complaint',
  'customer_asked_for_human',
  'no_script_matched',
  'validation_failed',
  'action_prompt',
  'agent_request',
  'follow_up_reply',
] as const;
export type EscalationReason = (typeof escalationReasons)[number];

export interface EscalationDecision {
  reason: EscalationReason;
  /** Why, for the agent: "Urgência alta: …". */
  detail: string;
  /** The reason as recorded before reasons carried details ("urgency_high"), kept for search and reports. */
  code: string;
}

const URGENCY_ORDER: readonly Urgency[] = ['low', 'medium', 'high', 'critical'];
const URGENCY_WORDS: Record<Urgency, string> = { low: 'baixa', medium: 'média', high: 'alta', critical: 'crítica' };

export function decision(reason: EscalationReason, detail: string, code: string = reason): EscalationDecision {
  return { reason, detail, code };
}

/**
 * After a script's answers are confirmed and analyzed: the script's own completion rule first,
 * then urgency, then a negative complaint; null means the bot resolves it.
 */
export function decideAfterCollection(policy: EscalationPolicy, script: Script, analysis: Analysis | null): EscalationDecision | null {
  if (script.onComplete.action === 'escalate') {
    return decision('script_requires_agent', `O roteiro "${script.title}" é concluído por uma pessoa da equipe.`);
  }
  if (!analysis) return null;
  if (policy.urgencyAtLeast !== 'never' && URGENCY_ORDER.indexOf(analysis.urgency) >= URGENCY_ORDER.indexOf(policy.urgencyAtLeast)) {
    return decision('urgency', `Urgência ${URGENCY_WORDS[analysis.urgency]}: ${analysis.summary}`, `urgency_${analysis.urgency}`);
  }
  if (policy.negativeComplaints && isNegativeComplaint(analysis)) {
    return decision('negative_complaint', `Reclamação com sentimento negativo (frustração ${analysis.frustration}/5): ${analysis.summary}`);
  }
  return null;
}

export function isNegativeComplaint(analysis: Analysis): boolean {
  return analysis.intent === 'complaint' && (analysis.sentiment === 'negative' || analysis.sentiment === 'mixed');
}

const HUMAN_REQUEST = new RegExp(
  [
    '(falar|conversar|atendimento|atender|fale|falo) (com|por) (um |uma |o |a |alguem )?(atendente|humano|humana|pessoa|gente|operador|operadora|consultor|consultora|agente)',
    '\\b(quero|preciso de|chama|chame|chamar|passa para|passe para|me passa para) (um |uma |o |a )?(atendente|humano|pessoa de verdade|operador|operadora)',
    'atendimento humano',
    'pessoa de verdade',
    'nao quero (falar com )?(robo|bot|maquina)',
  ].join('|'),
);

/** The customer explicitly asks for a person. */
export function asksForHuman(text: string): boolean {
  return HUMAN_REQUEST.test(fold(text));
}

/** The first applied prompt the policy marks as escalating, if any. */
export function escalatingPrompt(policy: EscalationPolicy, applied: readonly ActionPrompt[]): ActionPrompt | null {
  if (!policy.escalateOnPrompts.length) return null;
  return applied.find((prompt) => policy.escalateOnPrompts.includes(prompt.id)) ?? null;
}

/** Ticket and inbox priority from the analysis. */
export function priorityOf(urgency: Urgency | undefined): 'low' | 'medium' | 'high' | 'urgent' {
  switch (urgency) {
    case 'critical':
      return 'urgent';
    case 'high':
      return 'high';
    case 'low':
      return 'low';
    default:
      return 'medium';
  }
}

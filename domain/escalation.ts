import type { z } from 'zod';
import type { escalationPolicySchema } from './schemas';
import type { Analysis, Urgency } from './analysis';
import type { ActionPrompt } from './persona';
import type { Script } from './scripts';
import { fold } from './text';

/**
 * When a conversation goes to a person, as explainable rules: every escalation records which
 * rule fired and why, in words an agent reads in the inbox. Each tenant tunes the rules.
 */
export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;

/** The policy a tenant has before it tunes one: the schema's defaults, spelled out so the workflow needs no zod. */
export const defaultEscalationPolicy: EscalationPolicy = {
  urgencyAtLeast: 'high',
  negativeComplaints: true,
  humanRequest: true,
  maxMatchMisses: 2,
  maxAttemptsPerStep: 3,
  escalateOnPrompts: [],
  claimNoticeMinutes: 10,
};

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

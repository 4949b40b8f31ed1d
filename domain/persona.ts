import type { z } from 'zod';
import type { Analysis, Sentiment } from './analysis';
import type { faqEntrySchema, onboardingFieldsSchema, promptConditionsSchema, workingHoursSchema } from './schemas';
import { fold } from './text';

/**
 * How the business wants its bot to sound and act: the onboarding answers (name, tone,
 * products, FAQ, hours) and the admin's action prompts. Pure: the workflow evaluates prompt
 * conditions with these functions, and the API generates the system prompt with them.
 */

export const actionTypes = ['WELCOME', 'LEAD_QUALIFICATION', 'COMPLAINT_HANDLING', 'FAQ_RESPONSE', 'FOLLOW_UP', 'CUSTOM'] as const;
export type ActionType = (typeof actionTypes)[number];

export const tones = ['formal', 'professional_friendly', 'casual', 'enthusiastic'] as const;
export type Tone = (typeof tones)[number];

export type WorkingHours = z.infer<typeof workingHoursSchema>;

export type FaqEntry = z.infer<typeof faqEntrySchema>;

export type OnboardingFields = z.infer<typeof onboardingFieldsSchema>;

/** The fields without which the bot cannot introduce the business. */
export const REQUIRED_ONBOARDING_FIELDS = ['businessName', 'businessType', 'tone'] as const;

export function isOnboardingComplete(fields: OnboardingFields): boolean {
  return REQUIRED_ONBOARDING_FIELDS.every((field) => fields[field] !== undefined);
}

export type PromptConditions = z.infer<typeof promptConditionsSchema>;

export interface ActionPrompt {
  id: string;
  name: string;
  actionType: ActionType;
  prompt: string;
  isActive: boolean;
  priority: number;
  conditions: PromptConditions;
}

/** What the workflow knows about the business, loaded once when the conversation starts. */
export interface Persona {
  instanceId: string | null;
  businessName: string;
  tone: Tone;
  mainProducts: string[];
  faq: FaqEntry[];
  workingHours: WorkingHours | null;
  /** The onboarding's system prompt, for the LLM. */
  systemPrompt: string | null;
  /** Active prompts, in priority order. */
  prompts: ActionPrompt[];
}

/** The persona of a business without onboarding or prompts: its name, a professional and friendly tone. */
export function plainPersona(businessName: string): Persona {
  return { instanceId: null, businessName, tone: 'professional_friendly', mainProducts: [], faq: [], workingHours: null, systemPrompt: null, prompts: [] };
}

// --- the generated system prompt -------------------------------------------------------------

const TONE_WORDS: Record<Tone, string> = {
  formal: 'formal e corporativo',
  professional_friendly: 'profissional mas amigável',
  casual: 'casual e descontraído',
  enthusiastic: 'entusiasmado e empolgado',
};

const WEEKDAYS = ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'];

/** "a, b e c" */
export function listInPortuguese(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} e ${items[items.length - 1]}`;
}

function lowerFirst(text: string): string {
  return /^[A-ZÀ-Ý][a-zà-ÿ]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

export function describeHours(hours: WorkingHours): string {
  const days = [...hours.workDays].sort((a, b) => a - b);
  const consecutive = days.every((day, index) => index === 0 || day === days[index - 1]! + 1);
  const dayText = days.length === 7 ? 'todos os dias' : consecutive && days.length > 2 ? `de ${WEEKDAYS[days[0]!]} a ${WEEKDAYS[days[days.length - 1]!]}` : listInPortuguese(days.map((day) => WEEKDAYS[day]!));
  return `${dayText}, das ${hours.start} às ${hours.end}`;
}

/** The system prompt an onboarding produces; deterministic, so the same answers give the same prompt. */
export function generateSystemPrompt(fields: OnboardingFields): string {
  const name = fields.businessName ?? 'nossa empresa';
  const products = fields.mainProducts?.length ? `, especializada em ${listInPortuguese(fields.mainProducts)}` : '';
  const description = fields.businessDescription ? `: ${lowerFirst(fields.businessDescription.replace(/\.$/, ''))}` : '';
  const paragraphs = [`Você é um assistente virtual da ${name}${description}${products}.`];
  const tone = fields.tone ? `Seu tom deve ser ${TONE_WORDS[fields.tone]}.` : '';
  const audience = fields.targetAudience ? `Você atende ${lowerFirst(fields.targetAudience.replace(/\.$/, ''))}.` : '';
  if (tone || audience) paragraphs.push([tone, audience].filter(Boolean).join(' '));
  if (fields.faq?.length) {
    paragraphs.push(['Perguntas Frequentes:', ...fields.faq.map((entry) => `- ${entry.question.replace(/\?+$/, '')}: ${entry.answer}`)].join('\n'));
  }
  if (fields.workingHours) paragraphs.push(`Horário de atendimento humano: ${describeHours(fields.workingHours)} (${fields.workingHours.timezone}).`);
  paragraphs.push('Sempre seja educado, objetivo e ajude o cliente a resolver o que precisa. Nunca invente preços, prazos ou coberturas que não estejam acima.');
  return paragraphs.join('\n\n');
}

/** A rough token count (about four characters per token in Portuguese), for budgeting prompts. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// --- which prompts apply ------------------------------------------------------------------------

/** The CRM-style funnel stage a conversation is in; prompts name these or the workflow's stage ids. */
export function funnelStageOf(stage: string): string {
  if (stage === 'greeting' || stage === 'identifying' || stage === 'clarifying') return 'Novo';
  if (stage === 'escalated' || stage === 'with_agent') return 'Escalado';
  if (stage === 'resolved' || stage === 'closed') return 'Resolvido';
  return 'Em atendimento';
}

export interface PromptContext {
  text: string;
  firstMessage: boolean;
  /** This message's sentiment and the one before, so "turns negative" fires once, not every turn. */
  sentiment: Sentiment;
  previousSentiment: Sentiment | null;
  stage: string;
}

function hasKeyword(text: string, keywords: readonly string[]): boolean {
  const folded = ` ${fold(text)} `;
  return keywords.some((keyword) => {
    const needle = fold(keyword);
    return needle.length > 0 && new RegExp(`\\b${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(folded);
  });
}

/**
 * The active prompts whose every condition holds, in priority order (lower first). A prompt
 * with no conditions applies only to its own moment: WELCOME on the first message,
 * COMPLAINT_HANDLING when the sentiment turns negative; the others need a condition.
 */
export function applicablePrompts(prompts: readonly ActionPrompt[], context: PromptContext): ActionPrompt[] {
  const turnedNegative = context.sentiment === 'negative' && context.previousSentiment !== 'negative';
  return prompts
    .filter((prompt) => prompt.isActive)
    .filter((prompt) => {
      const { triggerOnFirstMessage, sentimentTrigger, funnelStage, triggerOnKeywords } = prompt.conditions;
      const checks: boolean[] = [];
      if (triggerOnFirstMessage !== undefined) checks.push(triggerOnFirstMessage === context.firstMessage);
      if (sentimentTrigger !== undefined) {
        checks.push(sentimentTrigger === 'negative' ? turnedNegative : context.sentiment === sentimentTrigger && context.previousSentiment !== sentimentTrigger);
      }
      if (funnelStage !== undefined) {
        const wanted = fold(funnelStage);
        checks.push(wanted === fold(funnelStageOf(context.stage)) || wanted === fold(context.stage));
      }
      if (triggerOnKeywords?.length) checks.push(hasKeyword(context.text, triggerOnKeywords));
      if (checks.length) return checks.every(Boolean);
      if (prompt.actionType === 'WELCOME') return context.firstMessage;
      if (prompt.actionType === 'COMPLAINT_HANDLING') return turnedNegative;
      return false;
    })
    .sort((a, b) => a.priority - b.priority);
}

// --- offline phrasing ---------------------------------------------------------------------------

function firstName(name: string | undefined): string | null {
  return name?.trim().split(/\s+/)[0] ?? null;
}

/** The greeting, in the business's tone; a WELCOME prompt adds what the business offers and when. */
export function greetingFor(persona: Persona, customerName: string | undefined, welcome: boolean): string {
  const name = firstName(customerName);
  const business = persona.businessName;
  const offer = welcome && persona.mainProducts.length ? ` Atendemos ${listInPortuguese(persona.mainProducts)}.` : '';
  const hours = welcome && persona.workingHours ? ` Nossa equipe atende ${describeHours(persona.workingHours)}; eu respondo a qualquer hora.` : '';
  switch (persona.tone) {
    case 'formal':
      return `${name ? `Olá, ${name}.` : 'Olá.'} Seja bem-vindo(a) ao atendimento da ${business}.${offer}${hours} Em que posso ajudá-lo(a)?`;
    case 'casual':
      return `Oi${name ? `, ${name}` : ''}! Aqui é da ${business} 😊${offer}${hours} Me conta, do que você precisa?`;
    case 'enthusiastic':
      return `Olá${name ? `, ${name}` : ''}! Que bom ter você aqui na ${business}! 🎉${offer}${hours} Como posso te ajudar hoje?`;
    default:
      return `Olá${name ? `, ${name}` : ''}! Aqui é o atendimento da ${business}.${offer}${hours} Em poucas palavras, como posso te ajudar hoje?`;
  }
}

/** One opening line per action type and tone, used offline when a prompt applies. */
const LEAD_INS: Partial<Record<ActionType, Record<Tone, string>>> = {
  COMPLAINT_HANDLING: {
    formal: 'Lamentamos sinceramente o transtorno e vamos tratar do seu caso com atenção.',
    professional_friendly: 'Sinto muito pelo transtorno. Vou fazer o possível para resolver isso com você.',
    casual: 'Poxa, sinto muito por isso! Bora resolver.',
    enthusiastic: 'Sinto muito mesmo pelo transtorno! Vamos resolver isso juntos.',
  },
  LEAD_QUALIFICATION: {
    formal: 'Agradecemos o seu interesse.',
    professional_friendly: 'Que bom que você se interessou!',
    casual: 'Que legal que você curtiu!',
    enthusiastic: 'Que incrível o seu interesse!',
  },
};

/** The offline opening line for the prompts that apply, or null when none has one. */
export function leadInFor(prompts: readonly ActionPrompt[], tone: Tone): string | null {
  for (const prompt of prompts) {
    const line = LEAD_INS[prompt.actionType]?.[tone];
    if (line) return line;
  }
  return null;
}

/** The follow-up check-in, in the business's tone. */
export function followUpFor(tone: Tone): string {
  switch (tone) {
    case 'formal':
      return 'Olá. Gostaríamos de confirmar se a sua solicitação foi atendida. Caso precise de algo mais, basta responder a esta mensagem.';
    case 'casual':
      return 'Oi! Passando pra saber: deu tudo certo? Se precisar de algo, é só chamar aqui.';
    case 'enthusiastic':
      return 'Oi! Passando para saber se deu tudo certo! 😊 Se precisar de algo mais, estou aqui!';
    default:
      return 'Oi! Passando para saber: ficou tudo certo com a sua solicitação? Se precisar de algo mais, é só responder aqui.';
  }
}

/** A reply an agent could send next, from the latest analysis: acknowledges the mood, names the next step. */
export function suggestedResponseFor(analysis: Analysis, tone: Tone = 'professional_friendly'): string {
  const opening =
    analysis.sentiment === 'negative' || analysis.sentiment === 'mixed'
      ? LEAD_INS.COMPLAINT_HANDLING![tone]
      : analysis.sentiment === 'positive'
        ? 'Que bom saber disso!'
        : 'Olá! Obrigado por aguardar.';
  const next: Record<string, string> = {
    CALL_EMERGENCY: 'Antes de tudo: você e as outras pessoas estão em segurança? Se houver feridos, ligue 192 (SAMU) ou 193 (Bombeiros); já estou acionando nossa assistência.',
    DISPATCH_ASSISTANCE: 'Já estou acionando a assistência 24h para o seu local. Pode me confirmar o endereço ou ponto de referência?',
    OPEN_CLAIM: 'Vou dar andamento ao aviso de sinistro e te mantenho informado(a) por aqui.',
    LEGAL_REVIEW: 'Encaminhei seu caso à nossa ouvidoria, que vai acompanhar pessoalmente.',
    RETENTION_OFFER: 'Antes de cancelar, posso te mostrar algumas alternativas que talvez atendam melhor?',
    SEND_PROPOSAL: 'Vou preparar uma proposta para você. Posso enviar por aqui mesmo?',
    REVIEW_BILLING: 'Vou conferir seus pagamentos e já te retorno com a situação.',
    ASK_FEEDBACK: 'Se puder, avalie nosso atendimento de 1 a 5; isso nos ajuda muito.',
  };
  const action = analysis.suggestedActions.find((candidate) => next[candidate.type]);
  return `${opening} ${action ? next[action.type] : 'Vou acompanhar sua solicitação e te dou retorno por aqui.'}`;
}

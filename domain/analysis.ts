import { z } from 'zod';
import { fold } from './text';

export const sentiments = ['positive', 'neutral', 'negative', 'mixed'] as const;
export const urgencies = ['low', 'medium', 'high', 'critical'] as const;

export const analysisSchema = z.object({
  sentiment: z.enum(sentiments),
  urgency: z.enum(urgencies),
  intent: z.string(),
  topics: z.array(z.string()),
  summary: z.string(),
  suggestedActions: z.array(z.object({ type: z.string(), description: z.string() })),
  analyzedAt: z.string(),
});
export type Analysis = z.infer<typeof analysisSchema>;
export type Urgency = (typeof urgencies)[number];

const POSITIVE = ['obrigad', 'otimo', 'excelente', 'feliz', 'gostei', 'gosto', 'bom', 'boa', 'perfeito', 'maravilh', 'resolveram', 'agradec', 'nota dez', 'top', 'adorei', 'parabens', 'rapido'];
const NEGATIVE = ['pessim', 'ruim', 'horrivel', 'absurd', 'demor', 'insatisf', 'raiva', 'descaso', 'nunca', 'ninguem', 'processar', 'procon', 'reclame aqui', 'reclam', 'roubaram', 'roubo', 'furt', 'acidente', 'bati', 'bateram', 'ferid', 'quebrad', 'preso', 'parado', 'cansad', 'lament', 'pior', 'decepcion', 'errad', 'grosseir', 'estrag', 'duplicidade', 'indevid', 'problema'];
const NEGATIONS = ['nao', 'nem', 'nunca', 'jamais'];
const CONTRAST = /\b(mas|porem|contudo|entretanto|so que|so o|so a)\b/;

const CRITICAL = ['ferid', 'ferimento', 'sangr', 'incendio', 'fogo', 'pegando fogo', 'preso nas ferragens', 'presa nas ferragens', 'inconscien', 'perna quebrada', 'braco quebrado', 'socorro urgente', 'ambulancia', 'morr'];
const HIGH = ['roubaram', 'roubo', 'furtaram', 'assalt', 'preso na estrada', 'presa na estrada', 'estou preso', 'estou presa', 'guincho', 'reboque', 'agora', 'urgente', 'processar', 'advogado', 'justica', 'procon', 'acidente', 'bati', 'bateram'];
const MEDIUM = ['demor', 'semanas', 'vence hoje', 'vencid', 'atras', 'cobranca', 'duplicidade', 'insatisf', 'parado', 'ainda nao', 'reclam'];

function includesAny(text: string, needles: readonly string[]): boolean {
  return needles.some((needle) => new RegExp(`\\b${needle}`).test(text));
}

/** Sentiment from a small Portuguese lexicon, with negation flipping the next polar word. */
export function lexiconSentiment(text: string): (typeof sentiments)[number] {
  const folded = fold(text);
  const tokens = folded.split(' ');
  let positive = 0;
  let negative = 0;
  tokens.forEach((token, index) => {
    const negated = index > 0 && NEGATIONS.includes(tokens[index - 1]!);
    if (POSITIVE.some((stem) => token.startsWith(stem))) negated ? negative++ : positive++;
    else if (NEGATIVE.some((stem) => token.startsWith(stem))) negated ? positive++ : negative++;
  });
  for (const phrase of ['nota dez', 'reclame aqui']) if (folded.includes(phrase)) phrase === 'nota dez' ? positive++ : negative++;
  if (/!{2,}/.test(text) && negative > 0) negative++;
  if (positive > 0 && negative > 0) return CONTRAST.test(folded) ? 'mixed' : positive > negative ? 'positive' : 'negative';
  if (negative > 0) return 'negative';
  if (positive > 0) return 'positive';
  return 'neutral';
}

export function lexiconUrgency(text: string): Urgency {
  const folded = fold(text);
  if (includesAny(folded, CRITICAL)) return 'critical';
  if (includesAny(folded, HIGH)) return 'high';
  if (includesAny(folded, MEDIUM)) return 'medium';
  return 'low';
}

export interface AnalyzeInput {
  customerMessages: readonly string[];
  scriptTitle?: string;
  answers?: Record<string, string>;
  now: Date;
}

/** The offline analyzer: lexicon sentiment and urgency, an extractive summary. */
export function analyzeOffline(input: AnalyzeInput): Analysis {
  const text = input.customerMessages.join(' \n ');
  const sentiment = lexiconSentiment(text);
  const urgency = lexiconUrgency(text);
  const answers = Object.entries(input.answers ?? {})
    .map(([key, value]) => `${key}: ${value}`)
    .join('; ');
  const demand = input.customerMessages.find((message) => message.trim().length > 0) ?? '';
  const summary = [
    input.scriptTitle ? `Demanda: ${input.scriptTitle}.` : 'Demanda não identificada.',
    demand ? `Cliente disse: "${demand.slice(0, 160)}".` : '',
    answers ? `Dados coletados: ${answers}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const suggestedActions = [];
  if (urgency === 'critical' || urgency === 'high') suggestedActions.push({ type: 'prioritize', description: 'Atender com prioridade' });
  if (sentiment === 'negative') suggestedActions.push({ type: 'apologize', description: 'Reconhecer o transtorno do cliente' });
  return {
    sentiment,
    urgency,
    intent: input.scriptTitle ?? 'desconhecida',
    topics: input.scriptTitle ? [input.scriptTitle] : [],
    summary,
    suggestedActions,
    analyzedAt: input.now.toISOString(),
  };
}

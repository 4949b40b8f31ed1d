import type { ActionPrompt } from './persona';
import { parseDuration } from './hours';
import type { FollowUpReply, Script } from './scripts';
import { fold, words } from './text';

/** One check-in the conversation will send after a resolution. */
export interface PlannedFollowUp {
  /** Working time after the resolution (the first) or after the previous check-in. */
  afterMs: number;
  /** The script's own words; null for the business's default check-in (or the model's phrasing under a FOLLOW_UP prompt). */
  message: string | null;
  onReply: FollowUpReply;
  /** The FOLLOW_UP prompt this check-in comes from, for phrasing and the AI state's record. */
  promptId?: string;
}

/**
 * The check-ins after a resolution: the script's own when it declares any, else the admin's
 * FOLLOW_UP prompts that name a delay, else the business's default check-in.
 */
export function followUpPlan(script: Pick<Script, 'followUps'> | null, prompts: readonly ActionPrompt[], defaultDelayMs: number): PlannedFollowUp[] {
  const declared = script?.followUps ?? [];
  if (declared.length) return declared.map((step) => ({ afterMs: parseDuration(step.after), message: step.message, onReply: step.onReply ?? 'match' }));
  const prompted = prompts
    .filter((prompt) => prompt.isActive && prompt.actionType === 'FOLLOW_UP' && prompt.conditions.followUpAfterMinutes)
    .map((prompt) => ({ afterMs: prompt.conditions.followUpAfterMinutes! * 60_000, message: null, onReply: prompt.conditions.onReply ?? 'match', promptId: prompt.id }));
  return prompted.length ? prompted : [{ afterMs: defaultDelayMs, message: null, onReply: 'match' }];
}

const THANKS = ['obrigado', 'obrigada', 'valeu', 'brigado', 'vlw', 'obg', 'agradeco', 'so isso', 'era so isso', 'tchau', 'nao obrigado', 'nao obrigada'];

/** The customer thanks or says goodbye: nothing more is needed. */
export function isThanks(text: string): boolean {
  const folded = fold(text);
  return THANKS.some((phrase) => folded === phrase || folded.startsWith(`${phrase} `)) || folded === 'nao';
}

const ALL_GOOD = ['sim', 'deu certo', 'tudo certo', 'ta tudo certo', 'esta tudo certo', 'resolvido', 'resolveu', 'ja resolvi', 'ja consegui', 'consegui', 'tudo ok', 'ok', 'certo', 'tudo bem', 'deu tudo certo', 'ficou tudo certo', 'sim obrigado', 'sim obrigada'];

/** A reply to "ficou tudo certo?" that says it did. */
export function isAllGood(text: string): boolean {
  const folded = fold(text);
  return isThanks(text) || ALL_GOOD.some((phrase) => folded === phrase || folded.startsWith(`${phrase} `));
}

const GREETINGS = ['oi', 'ola', 'voltei', 'estou aqui', 'to aqui', 'tou aqui', 'bom dia', 'boa tarde', 'boa noite', 'e ai', 'opa', 'alo'];

/** "Oi, voltei": a customer coming back, not an answer. */
export function isGreeting(text: string): boolean {
  const folded = fold(text);
  return folded.split(' ').length <= 4 && GREETINGS.some((phrase) => folded === phrase || folded.startsWith(`${phrase} `));
}

/** "em até 24 horas", "em até 2 dias", "em até 30 minutos" */
export function describeSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `em até ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`;
  const hours = Math.round(minutes / 60);
  if (hours <= 48) return `em até ${hours} horas`;
  return `em até ${Math.round(hours / 24)} dias`;
}

// --- satisfaction (CSAT) ---------------------------------------------------------------------

const NUMBER_WORDS: Record<string, number> = { um: 1, uma: 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5 };

/** Words that carry a clear score on their own, strongest phrases first. */
const SCORED_PHRASES: ReadonlyArray<readonly [string, number]> = [
  ['muito ruim', 1],
  ['nao gostei', 2],
  ['deixou a desejar', 2],
  ['mais ou menos', 3],
  ['muito bom', 5],
  ['muito boa', 5],
  ['nota maxima', 5],
  ['pessimo', 1],
  ['pessima', 1],
  ['horrivel', 1],
  ['terrivel', 1],
  ['odiei', 1],
  ['ruim', 2],
  ['fraco', 2],
  ['insatisfeito', 2],
  ['insatisfeita', 2],
  ['regular', 3],
  ['razoavel', 3],
  ['mediano', 3],
  ['normal', 3],
  ['bom', 4],
  ['boa', 4],
  ['gostei', 4],
  ['satisfeito', 4],
  ['satisfeita', 4],
  ['legal', 4],
  ['otimo', 5],
  ['otima', 5],
  ['excelente', 5],
  ['perfeito', 5],
  ['perfeita', 5],
  ['maravilhoso', 5],
  ['sensacional', 5],
  ['incrivel', 5],
  ['adorei', 5],
  ['amei', 5],
  ['top', 5],
];

const DECLINES = ['nao quero avaliar', 'prefiro nao', 'agora nao', 'sem nota', 'nao quero', 'depois', 'pular'];

/** The customer would rather not rate: taken as an answer, never asked again. */
export function declinesRating(text: string): boolean {
  const folded = fold(text);
  return DECLINES.some((phrase) => folded === phrase || folded.startsWith(`${phrase} `));
}

/**
 * A 1–5 score from the customer's reply when it is clear: a digit ("5", "nota 4", "4/5"), a
 * number word, stars, or a word that carries a score ("ótimo" 5, "bom" 4, "regular" 3,
 * "ruim" 2, "péssimo" 1; "não foi bom" 2). Null when it is not clear.
 */
export function readScore(text: string): number | null {
  const stars = [...text].filter((char) => char === '⭐' || char === '★').length;
  if (stars >= 1 && stars <= 5) return stars;
  const outOfFive = /(?<!\d)([1-5])\s*(?:\/|de)\s*5(?!\d)/.exec(text.toLowerCase());
  if (outOfFive) return Number(outOfFive[1]);
  const folded = fold(text);
  const digits = [...new Set(folded.match(/(?<![\d,.])\d+(?![\d,])/g) ?? [])];
  if (digits.length === 1) {
    const value = Number(digits[0]);
    return value >= 1 && value <= 5 ? value : null;
  }
  if (digits.length > 1) return null;
  const tokens = words(text);
  if (tokens.length === 1 && NUMBER_WORDS[tokens[0]!] !== undefined) return NUMBER_WORDS[tokens[0]!]!;
  if (tokens.length > 12) return null;
  const padded = ` ${tokens.join(' ')} `;
  for (const [phrase, score] of SCORED_PHRASES) {
    if (!padded.includes(` ${phrase} `)) continue;
    const negated = padded.includes(` nao ${phrase} `) || padded.includes(` nao foi ${phrase} `) || padded.includes(` nada ${phrase} `);
    if (!negated) return score;
    return score >= 4 ? 2 : null;
  }
  return null;
}

import type { FieldType, Step } from './scripts';
import { editDistance, fold, words } from './text';
import { optionFromWords } from './vocabulary';

/**
 * Deterministic validators and normalisers for every step type. Pure functions of the
 * answer and the conversation's clock, so the workflow can run them itself.
 */
export type FieldResult = { ok: true; value: string } | { ok: false; error: string };

const ok = (value: string): FieldResult => ({ ok: true, value });
const fail = (error: string): FieldResult => ({ ok: false, error });

export function isValidCpf(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const check = (length: number): number => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += Number(digits[i]) * (length + 1 - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return check(9) === Number(digits[9]) && check(10) === Number(digits[10]);
}

function cpf(text: string): FieldResult {
  const candidates = text.match(/\d[\d.\s-]{9,16}\d/g) ?? [];
  for (const candidate of candidates) {
    const digits = candidate.replace(/\D/g, '');
    if (digits.length === 11) {
      return isValidCpf(digits) ? ok(digits) : fail('Esse CPF não é válido, confere os números?');
    }
  }
  return fail('Não encontrei um CPF na sua resposta. Pode digitar os 11 números?');
}

function email(text: string): FieldResult {
  const match = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/i.exec(text);
  return match ? ok(match[0].toLowerCase()) : fail('Esse e-mail não parece válido. Pode conferir? Ex.: nome@exemplo.com');
}

function phone(text: string): FieldResult {
  let digits = text.replace(/\D/g, '');
  if (digits.length >= 12 && digits.startsWith('55')) digits = digits.slice(2);
  if (digits.length === 11 && digits.startsWith('0')) digits = digits.slice(1);
  const valid = /^[1-9][1-9](9\d{8}|[2-8]\d{7})$/.test(digits);
  return valid ? ok(`+55${digits}`) : fail('Esse telefone não parece completo. Informe com DDD, por exemplo (11) 91234-5678.');
}

function cep(text: string): FieldResult {
  const match = /\b(\d{5})-?(\d{3})\b/.exec(text);
  return match ? ok(`${match[1]}${match[2]}`) : fail('O CEP tem 8 números, por exemplo 01310-100. Pode conferir?');
}

function plate(text: string): FieldResult {
  const match = /\b([a-z]{3})[\s-]?(\d[a-z0-9]\d{2})\b/i.exec(text);
  return match ? ok(`${match[1]}${match[2]}`.toUpperCase()) : fail('Não reconheci a placa. Ela tem 3 letras e 4 caracteres, como ABC-1234 ou ABC1D23.');
}

const MONTHS = ['janeiro', 'fevereiro', 'marco', 'abril', 'maio', 'junho', 'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'];
const RELATIVE_DAYS: Record<string, number> = { hoje: 0, ontem: -1, anteontem: -2, amanha: 1, 'depois de amanha': 2 };

/** The calendar date of `now` in the conversation's time zone, as UTC midnight. */
function localDay(now: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return new Date(`${parts}T00:00:00Z`);
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function buildDate(year: number, month: number, day: number): Date | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

function date(text: string, context: FieldContext): FieldResult {
  const folded = fold(text);
  const today = localDay(context.now, context.timeZone);
  const invalid = fail('Não entendi a data. Pode informar como dia/mês/ano, por exemplo 10/03/2026, ou "ontem"?');
  for (const [word, offset] of Object.entries(RELATIVE_DAYS).sort((a, b) => b[0].length - a[0].length)) {
    if (new RegExp(`\\b${word}\\b`).test(folded)) return ok(isoDay(new Date(today.getTime() + offset * 86_400_000)));
  }
  const numeric = /\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\b/.exec(text);
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  const spelled = new RegExp(`\\b(\\d{1,2}) de (${MONTHS.join('|')})(?: de (\\d{4}))?`).exec(folded);
  let parts: [number, number, number | undefined] | undefined;
  if (iso) parts = [Number(iso[3]), Number(iso[2]), Number(iso[1])];
  else if (numeric) parts = [Number(numeric[1]), Number(numeric[2]), numeric[3] ? Number(numeric[3]) : undefined];
  else if (spelled) parts = [Number(spelled[1]), MONTHS.indexOf(spelled[2]!) + 1, spelled[3] ? Number(spelled[3]) : undefined];
  // "foi no dia 10": a day of the month alone is this month's (or, past by default, the last one's)
  const dayAlone = context.vocabulary ? /\bdia (\d{1,2})\b/.exec(folded) : null;
  if (!parts && dayAlone) {
    const day = Number(dayAlone[1]);
    let month = today.getUTCMonth() + 1;
    if (context.pastByDefault && day > today.getUTCDate()) month -= 1;
    parts = month === 0 ? [day, 12, today.getUTCFullYear() - 1] : [day, month, today.getUTCFullYear()];
  }
  if (!parts) return invalid;
  const [day, month, rawYear] = parts;
  let year = rawYear ?? today.getUTCFullYear();
  if (year < 100) year += 2000;
  const result = buildDate(year, month, day);
  if (!result) return fail('Essa data não existe. Pode conferir o dia e o mês?');
  // A date without a year that would fall in the future most likely meant last year.
  if (rawYear === undefined && result > today && context.pastByDefault) return ok(isoDay(buildDate(year - 1, month, day) ?? result));
  return ok(isoDay(result));
}

function money(text: string): FieldResult {
  const match = /(\d{1,3}(?:\.\d{3})+|\d+)(?:[,.](\d{1,2}))?/.exec(text.replace(/r\$\s*/i, ''));
  if (!match) return fail('Não entendi o valor. Pode informar em reais, por exemplo R$ 150,00?');
  const integer = match[1]!.replace(/\./g, '');
  const cents = (match[2] ?? '0').padEnd(2, '0');
  return ok(`${Number(integer)}.${cents}`);
}

function year(text: string, context: FieldContext): FieldResult {
  // Brazilian documents write fabricação/modelo ("2022/2023", "22/23"): the model year is the second
  const pair = context.vocabulary ? /\b(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\b/.exec(text) : null;
  if (pair) {
    const second = Number(pair[2]);
    return year(String(second < 100 ? 2000 + second : second), { ...context, vocabulary: false });
  }
  const match = /\b(\d{4})\b/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  const latest = context.now.getUTCFullYear() + 1;
  return value >= 1900 && value <= latest ? ok(String(value)) : fail(`Informe o ano com quatro números, entre 1900 e ${latest}.`);
}

const YES = ['sim', 's', 'ss', 'claro', 'isso', 'yes', 'y', 'positivo', 'com certeza', 'certo', 'confirmo', 'pode', 'afirmativo', 'uhum', 'aham', 'ok', 'correto', 'exato', 'sim sim'];
const NO = ['nao', 'n', 'no', 'negativo', 'nunca', 'nenhum', 'nenhuma', 'nao nao', 'de jeito nenhum', 'ainda nao', 'nem'];
const UNSURE = ['nao sei', 'talvez', 'sei la', 'acho que', 'nao lembro', 'nao tenho certeza'];

/** Answers that say yes or no without the word: "já registrei", "graças a deus ninguém", "ainda não fiz". */
const SAID_NO = /\b(nao|ninguem|nenhum|nenhuma|nunca|nem)\b/;
const SAID_YES = /\b(sim|ja (fiz|registrei|fizemos|tenho|tem|foi|abri)|registrei|fiz|houve|teve|tenho|temos)\b/;

function yesNo(text: string, context?: FieldContext): FieldResult {
  const folded = fold(text);
  const retry = fail('Não entendi. Pode responder sim ou não?');
  if (!folded || UNSURE.some((phrase) => folded.includes(phrase))) return retry;
  const tokens = folded.split(' ');
  const first = tokens[0]!;
  if (YES.includes(folded) || YES.includes(first)) return ok('true');
  if (NO.includes(folded) || NO.includes(first)) return ok('false');
  if (context?.vocabulary) {
    if (SAID_NO.test(folded)) return ok('false');
    if (SAID_YES.test(folded)) return ok('true');
  }
  return retry;
}

const ORDINALS = ['primeir', 'segund', 'terceir', 'quart', 'quint', 'sext', 'setim', 'oitav', 'non', 'decim'];

/** "2", "a 2", "opção 2", "o segundo", "a terceira opção": the option's position, 1-based. */
function ordinalOf(folded: string): number | undefined {
  const number = /^(?:(?:a|o) )?(?:opcao |numero |n )?(\d{1,2})(?: opcao)?$/.exec(folded);
  if (number) return Number(number[1]);
  const spelled = /^(?:(?:a|o) )?(?:opcao )?(\w+?)(?:o|a)(?: opcao)?$/.exec(folded);
  const index = spelled ? ORDINALS.indexOf(spelled[1]!) : -1;
  return index >= 0 ? index + 1 : undefined;
}

/** Word stems that point at an option without naming it ("furtaram" → furto). */
function stem(word: string): string {
  return word.length > 4 ? word.slice(0, 4) : word;
}

function choice(text: string, options: readonly string[], context?: FieldContext, synonyms?: Record<string, readonly string[]>): FieldResult {
  const folded = fold(text);
  const listed = `As opções são: ${options.join(', ')}.`;
  if (!folded) return fail(`Escolha uma das opções. ${listed}`);
  const position = context?.vocabulary ? ordinalOf(folded) : /^(\d{1,2})$/.exec(folded) ? Number(folded) : undefined;
  if (position !== undefined && position >= 1 && position <= options.length) return ok(options[position - 1]!);
  const foldedOptions = options.map(fold);
  const exact = foldedOptions.findIndex((option) => option === folded || new RegExp(`\\b${option}\\b`).test(folded));
  if (exact >= 0) return ok(options[exact]!);
  if (context?.vocabulary) {
    const named = optionFromWords(text, options, synonyms);
    if (named) return ok(named);
  }
  const answerWords = words(text);
  let best = -1;
  let bestScore = 0;
  foldedOptions.forEach((option, index) => {
    const optionWords = option.split(' ');
    let score = 0;
    for (const optionWord of optionWords) {
      if (answerWords.some((word) => editDistance(word, optionWord, 2) <= (optionWord.length > 5 ? 2 : 1))) score += 2;
      else if (answerWords.some((word) => word.length >= 4 && stem(word) === stem(optionWord))) score += 1;
    }
    const normalized = score / optionWords.length;
    if (normalized > bestScore) {
      bestScore = normalized;
      best = index;
    }
  });
  return best >= 0 && bestScore >= 1 ? ok(options[best]!) : fail(`Não entendi a opção. ${listed}`);
}

function freeText(text: string): FieldResult {
  const value = text.trim().replace(/\s+/g, ' ');
  return value ? ok(value) : fail('Pode escrever sua resposta?');
}

export interface FieldContext {
  now: Date;
  timeZone: string;
  /** Dates without a year default to the past (an accident date), not the future. */
  pastByDefault?: boolean;
  /**
   * Read answers in the customer's own words: option synonyms and the service vocabulary, yes
   * and no without the word, fabricação/modelo year pairs. Off for conversations started before.
   */
  vocabulary?: boolean;
}

export function validateField(
  type: FieldType,
  text: string,
  context: FieldContext,
  options: readonly string[] = [],
  synonyms?: Record<string, readonly string[]>,
): FieldResult {
  switch (type) {
    case 'text':
      return freeText(text);
    case 'cpf':
      return cpf(text);
    case 'email':
      return email(text);
    case 'phone':
      return phone(text);
    case 'cep':
      return cep(text);
    case 'plate':
      return plate(text);
    case 'date':
      return date(text, context);
    case 'money':
      return money(text);
    case 'year':
      return year(text, context);
    case 'yes_no':
      return yesNo(text, context);
    case 'choice':
      return choice(text, options, context, synonyms);
  }
}

export function validateStep(step: Step, text: string, context: FieldContext): FieldResult {
  return validateField(step.type, text, context, step.options, step.synonyms);
}

const SKIP = ['nao tenho', 'pular', 'pula', 'prefiro nao informar', 'nao quero informar', 'sem', 'nenhum', 'nao'];

/** An optional step accepts "não tenho" / "pular" as an explicit skip. */
export function isSkip(text: string): boolean {
  return SKIP.includes(fold(text));
}

/** Human-readable form of a stored value for the confirmation summary. */
export function displayValue(type: FieldType, value: string): string {
  if (type === 'yes_no') return value === 'true' ? 'sim' : 'não';
  if (type === 'cpf') return value.replace(/(\d{3})(\d{3})(\d{3})(\d{2})/, '$1.$2.$3-$4');
  if (type === 'date') return value.split('-').reverse().join('/');
  if (type === 'money') return `R$ ${value.replace('.', ',')}`;
  return value;
}

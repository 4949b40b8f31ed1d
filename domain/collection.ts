import { validateField, type FieldContext } from './fields';
import type { FieldType, Step } from './scripts';
import { fold, words } from './text';

/**
 * The conversational side of answer collection, pure and deterministic so the workflow
 * runs it itself: answers volunteered before they are asked, corrections, cancel and the
 * customer's pick among offered options.
 */

/** Types whose values are recognisable in a free sentence without being asked for. */
const SELF_EVIDENT: readonly FieldType[] = ['cpf', 'email', 'plate', 'cep', 'phone', 'date', 'choice'];

/** Which piece of a sentence each self-evident type may take, most specific first. */
const CANDIDATE_PATTERNS: Partial<Record<FieldType, RegExp>> = {
  email: /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi,
  plate: /\b[a-z]{3}[\s-]?\d[a-z0-9]\d{2}\b/gi,
  cpf: /\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/g,
  cep: /\b\d{5}-\d{3}\b|\b(?:cep\s*)\d{8}\b/gi,
  phone: /(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}[\s-]?\d{4}\b/g,
};

/**
 * The demand without the data volunteered with it: "cpf 390.533.447-05, quero a 2a via da
 * apólice no email leo@gmail.com" is matched as "quero a 2a via da apólice". The values (and
 * the field names right before them) say nothing about which script fits, and the names alone
 * ("cpf", "e-mail") pull towards the script that updates them.
 */
export function demandOf(text: string): string {
  let demand = text;
  for (const pattern of Object.values(CANDIDATE_PATTERNS)) {
    const field = new RegExp(`(?:\\b(?:(?:no|na|meu|minha|o|a|é|e)\\s+)*(?:cpf|e-?mail|placa|cep|telefone|celular|whats(?:app)?)\\s*(?:é|e|:)?\\s*)?(?:${pattern.source})`, 'gi');
    demand = demand.replace(field, ' ');
  }
  const cleaned = demand.replace(/\s+([,.!?])/g, '$1').replace(/(^[\s,.;]+|[\s,;]+$)/g, '').replace(/\s{2,}/g, ' ').trim();
  return cleaned || text;
}

const TYPE_ORDER: readonly FieldType[] = ['email', 'plate', 'cpf', 'cep', 'phone'];

/** Words that name a step's kind in a sentence ("errei o CPF", "o e-mail certo é"). */
const TYPE_NAMES: Record<FieldType, readonly string[]> = {
  cpf: ['cpf'],
  email: ['email', 'e-mail', 'mail'],
  phone: ['telefone', 'celular', 'fone', 'whatsapp', 'whats', 'numero'],
  cep: ['cep'],
  plate: ['placa'],
  date: ['data', 'dia'],
  money: ['valor', 'preco', 'quantia'],
  year: ['ano'],
  yes_no: [],
  choice: [],
  text: [],
};

/**
 * Values for not-yet-answered steps found in a message that was about something else
 * ("bati o carro ontem, placa ABC1D23"). A step is only filled when its type appears once
 * among the open steps, so a value never lands in the wrong one of two same-typed steps.
 */
export function findVolunteeredAnswers(
  steps: readonly Step[],
  answers: Readonly<Record<string, string>>,
  text: string,
  context: FieldContext,
): Record<string, string> {
  const open = steps.filter((step) => !(step.id in answers) && SELF_EVIDENT.includes(step.type));
  const found: Record<string, string> = {};
  let rest = ` ${text} `;
  for (const type of TYPE_ORDER) {
    const sameType = open.filter((step) => step.type === type);
    if (sameType.length !== 1) continue;
    // Bare digits are too easily a CPF or a protocol: a phone must be called one.
    if (type === 'phone' && !TYPE_NAMES.phone.some((name) => fold(rest).includes(name))) continue;
    for (const piece of rest.match(CANDIDATE_PATTERNS[type]!) ?? []) {
      const result = validateField(type, piece, context);
      if (!result.ok) continue;
      found[sameType[0]!.id] = result.value;
      // A piece of text feeds one step only: a CPF's digits are not also a phone.
      rest = rest.replace(piece, ' ');
      break;
    }
  }
  const folded = ` ${fold(text)} `;
  const dates = open.filter((step) => step.type === 'date');
  if (dates.length === 1 && /\b(hoje|ontem|anteontem)\b|\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b|\b\d{1,2} de [a-z]{4,9}\b/.test(folded)) {
    const result = validateField('date', rest, context);
    if (result.ok) found[dates[0]!.id] = result.value;
  }
  for (const step of open.filter((candidate) => candidate.type === 'choice')) {
    const named = (step.options ?? []).filter((option) => fold(option).length >= 4 && folded.includes(` ${fold(option)} `));
    if (named.length === 1) found[step.id] = named[0]!;
  }
  return found;
}

const CORRECTION = /\b(errei|errado|errada|erro|corrigir|corrige|corrija|correcao|na verdade|o certo e|a certa e|quis dizer|digitei errado|trocar o|trocar a|mudar o|mudar a|alterar o|alterar a)\b/;

/** "o email certo é …", "ops, o cpf é …": corrections in the customer's words (competence runs). */
const LOOSE_CORRECTION = /\b(ops|opa|desculpa|perdao|foi mal)\b|\b(o|a) (\w+ ){1,2}(certo|certa|correto|correta) (e|eh)\b|\b(certo|correto) (e|eh)\b/;

export interface Correction {
  stepId: string;
  /** The corrected value when the message carries a valid one; otherwise the step is asked again. */
  value: string | null;
}

/**
 * Reads "errei o CPF, é 529.982.247-25" as a correction of an answered step. The step is
 * the one the message names (by kind or by id); failing that, the only answered step whose
 * type the message carries a valid value for.
 */
export function findCorrection(
  steps: readonly Step[],
  answers: Readonly<Record<string, string>>,
  text: string,
  context: FieldContext,
): Correction | null {
  const folded = fold(text);
  if (!CORRECTION.test(folded) && !(context.vocabulary && LOOSE_CORRECTION.test(folded))) return null;
  const answered = steps.filter((step) => step.id in answers);
  const messageWords = new Set(words(text));
  const named = answered.filter(
    (step) =>
      // Whole words only: "ano" must not be found in "engano", nor "dia" in "bom dia" naming the step.
      TYPE_NAMES[step.type].some((name) => messageWords.has(name)) ||
      step.id.split(/[_-]/).some((part) => part.length >= 4 && messageWords.has(part)),
  );
  // Free text and yes/no would accept the correction sentence itself: those are asked again.
  const extractable = (step: Step) => step.type !== 'text' && step.type !== 'yes_no';
  const candidates = (named.length ? named : answered).filter(extractable);
  const withValue = candidates.flatMap((step) => {
    const result = validateField(step.type, text, context, step.options);
    return result.ok && (named.length > 0 || step.type !== 'choice') ? [{ stepId: step.id, value: result.value }] : [];
  });
  if (withValue.length === 1) return withValue[0]!;
  if (named.length === 1) return { stepId: named[0]!.id, value: withValue.find((item) => item.stepId === named[0]!.id)?.value ?? null };
  return null;
}

const CANCEL = ['cancela', 'cancelar atendimento', 'cancela tudo', 'desisto', 'deixa pra la', 'deixa para la', 'esquece', 'esquece isso', 'parar', 'quero parar', 'sair', 'encerrar atendimento', 'nao quero continuar'];

/** The customer abandons the script being collected ("deixa pra lá"). */
export function isCancel(text: string): boolean {
  return CANCEL.includes(fold(text).replace(/^(ah|ai|ok|entao|olha)\s+/, ''));
}

const ORDINALS = ['primeiro', 'segundo', 'terceiro', 'quarto', 'quinto'];
const NONE_OF_THEM = ['nenhum', 'nenhuma', 'nenhum deles', 'nenhuma delas', 'outro', 'outra', 'outra coisa', 'nao e nenhum'];

/**
 * The customer's pick among numbered options: "2", "a segunda", "o primeiro", or null when
 * the message names none by position; -1 when they say none of them fits.
 */
export function pickOption(text: string, count: number): number | null {
  const folded = fold(text);
  if (NONE_OF_THEM.includes(folded)) return -1;
  const number = /^(?:opcao |o |a |numero )?(\d)$/.exec(folded);
  if (number) {
    const value = Number(number[1]);
    return value >= 1 && value <= count ? value - 1 : null;
  }
  for (const [index, ordinal] of ORDINALS.slice(0, count).entries()) {
    if (new RegExp(`\\b(${ordinal}|${ordinal.slice(0, -1)}a)\\b`).test(folded)) return index;
  }
  if (/\bultim[oa]\b/.test(folded)) return count - 1;
  return null;
}

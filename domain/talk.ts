import { lexiconUrgency } from './analysis';
import { asksForHuman } from './escalation';
import { fold } from './text';

/**
 * What a message is, besides an answer or a demand: small talk, a question of the customer's
 * own, an emergency, a wish to stop. Pure reads of the customer's words, used by the workflow
 * before it treats a message as a demand or an answer.
 */

const GREETING_WORDS = /^(oi+|ola|ole|opa|e ai|eai|alo|hey|hello|hi|bom dia|boa tarde|boa noite|boa|salve|fala|tudo (bem|bom|certo|tranquilo|joia|ok)( por ai| com voce(s)?)?|como vai( voce)?|como (voce )?esta|td bem|blz|beleza|prazer|ola tudo bem)$/;
const FILLERS = /\b(pessoal|gente|moca|moco|amigo|amiga|senhor|senhora|atendimento|segurozinho|por favor|obrigad[oa])\b/g;

/** "oi", "bom dia, tudo bem?", "olá!": a greeting or small talk with no demand in it. */
export function isSmallTalk(text: string): boolean {
  // every clause is a greeting ("bom dia, tudo bem?" → "bom dia" + "tudo bem")
  const clauses = text
    .split(/[,.!?;:]+|\s+e\s+/)
    .map((clause) => fold(clause).replace(FILLERS, ' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return clauses.length > 0 && clauses.every((clause) => GREETING_WORDS.test(clause));
}

/** "tudo bem?", "como vai?": small talk that asks after the bot, answered in kind. */
export function asksHowWeAre(text: string): boolean {
  return /\b(tudo (bem|bom|certo|tranquilo|joia|ok)|como vai|como (voce )?esta|td bem)\b/.test(fold(text));
}

const INTERROGATIVES = /^(qual|quais|quando|quanto|quantos|quantas|como|onde|por que|porque|pra que|para que|o que|que horas|ate que horas|voces|vcs|voce|tem|posso|pode|da pra|e possivel|existe|atende|funciona)\b/;

/** A question of the customer's own ("vocês atendem no sábado?"), as opposed to an answer. */
export function isQuestion(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.endsWith('?') || INTERROGATIVES.test(fold(trimmed));
}

/** What an off-step question is about, when the bot can answer it itself. */
export function questionTopic(text: string): 'hours' | 'why' | null {
  const folded = fold(text);
  const days = /\b(sabado|domingo|feriado|fim de semana|hoje|amanha|de noite|a noite)\b/.test(folded);
  if (/\b(horario|que horas|ate que horas|abre|abrem|fecha|fecham|funciona|funcionam|expediente)\b/.test(folded) || (days && /\b(atende|atendem|abre|funciona|trabalha|trabalham)\b/.test(folded))) {
    return 'hours';
  }
  if (/\b(por que|porque|pra que|para que|pq)\b.*\b(precis|pede|pedem|quer|querem|necessari)/.test(folded) || /\b(por que|pra que|para que|pq)\b/.test(folded)) return 'why';
  return null;
}

const STOP = /\b(deixa (pra|para) la|esquece|esqueca|desisti|desisto|nao quero mais|nao quero continuar|para tudo|cancela (isso|tudo|esse atendimento)|outra hora)\b/;

/** "ah, esquece, deixa pra lá": the customer drops what is being collected. */
export function wantsToStop(text: string): boolean {
  return STOP.test(fold(text));
}

/**
 * Someone is hurt or in danger right now: injury, fire with people at risk, a threat. The
 * analyzer's critical urgency on this one message, without what the customer denies
 * ("ninguém se feriu").
 */
export function isEmergency(text: string): boolean {
  if (lexiconUrgency(text) !== 'critical') return false;
  const folded = fold(text);
  // a weapon in a robbery that is over ("levaram o carro com arma") is urgent, not an emergency now
  return !WHEN_PAST.test(folded) || HURT.test(folded);
}

/** The danger is over: a robbery told after the fact. */
const WHEN_PAST = /\b(ontem|anteontem|semana passada|mes passado|levaram|roubaram|furtaram|assaltaram|fui (abordad|assaltad|rendid)\w*)\b/;
/** Someone hurt, whenever it happened, still needs help. */
const HURT = /\b(ferid|machuc|sangr|inconscien|desmai|desacordad|nao (esta )?respira|atropel|fogo|pegando fogo|incendio)\w*/;

const PERSON = /\b(carne e osso|atendente humano|atendimento humano|ser humano|pessoa de verdade|pessoa real|humano|humana)\b|\b(transfer\w*|passa|passe|encaminh\w*|chama|chame|quero|queria|prefiro|posso|gostaria de) .*\b(atendente|operador|operadora|pessoa|humano|alguem da equipe|consultor|consultora)\b|\b(falar|conversar|resolver|tratar) com (alguem|uma pessoa|um humano|gente)\b/;

/** The customer asks for a person, in more ways than the escalation rule's original phrases. */
export function asksForPerson(text: string): boolean {
  return asksForHuman(text) || PERSON.test(fold(text));
}

import type { z } from 'zod';
import type { analysisSchema } from './schemas';
import { fold } from './text';

export const sentiments = ['positive', 'neutral', 'negative', 'mixed'] as const;
export const urgencies = ['low', 'medium', 'high', 'critical'] as const;
export type Sentiment = (typeof sentiments)[number];
export type Urgency = (typeof urgencies)[number];

export type Analysis = z.infer<typeof analysisSchema>;
export type SuggestedAction = Analysis['suggestedActions'][number];

// --- cues ---------------------------------------------------------------------------------
// Written against folded text (lower case, no accents). A cue is a regex source matched at a
// word start; a negator in the three words before it ("ninguém se feriu", "não gostei") turns it.

const NEGATORS = new Set(['nao', 'nem', 'nunca', 'jamais', 'sem', 'ninguem', 'nenhum', 'nenhuma', 'nada']);
const INTENSIFIERS = new Set(['muito', 'muita', 'super', 'bastante', 'extremamente', 'totalmente', 'tao', 'mega', 'absolutamente', 'completamente', 'demais', 'realmente']);
/** Greetings and blessings hold polar words ("bom dia", "graças a deus") that say nothing about the service. */
const NEUTRALIZED = /\b(bom dia|boa tarde|boa noite|tudo bem|tudo bom|gracas a deus|se deus quiser|boa sorte)\b/g;
const CONTRAST = /\b(mas|porem|contudo|entretanto|todavia|no entanto|so que|so (?=nao|o|a|os|as)|pena que|apesar|exceto|menos)\b/;

/** Weighted polar cues: positive numbers praise, negative ones complain. */
const POLAR: readonly (readonly [string, number])[] = [
  // phrases first: they outrank the words they contain
  ['nao tenho (do )?que reclamar', 2],
  ['(poderia|podia|pode) (ser|estar|ficar) melhor', -1],
  ['deu tudo certo', 1.5],
  ['tudo (certo|perfeito|otimo|resolvido)', 1],
  ['salvaram', 1.5],
  ['nota (dez|10|mil)', 1.5],
  ['(bem|otimamente|super bem) atendid', 1.5],
  ['nao funciona', -1.2],
  ['nao resolve', -1],
  ['ninguem (me )?(responde|resolve|atende|ajuda|retorna|liga)', -1.5],
  ['falta de (respeito|consideracao|compromisso)', -1.5],
  ['nao aguento', -1.5],
  ['ate agora nada', -1.5],
  ['(duas|tres) vezes', -0.8],
  ['cansad', -1],
  ['ainda nao', -0.8],
  ['deixa(m|ram|ndo)? a desejar', -1.5],
  ['(sem|nao (tem|tenho|ha)) (previsao|resposta|retorno|solucao)', -1],
  ['nada (resolvid|feito)', -1.2],
  ['ninguem (me )?(retornou|respondeu|resolveu|ligou|atendeu)', -1.5],
  ['nao (retorna|retornou|responde|respondeu|resolveu|ajudou|pagaram|pagou|quer(em)? (cobrir|pagar))', -1.2],
  ['(fora do ar|vive (travando|caindo|dando erro)|so da erro)', -1.2],
  ['(cobr\\w+|valor) a mais', -1.2],
  ['(nao|ainda nao) (caiu|chegou|foi pago|foi depositad)', -0.8],
  ['(subiu|aumentou) (muito|demais|absurdamente)', -1],
  ['(\\d+|duas|tres|quatro|cinco|seis|dez|varias|muitas) vezes', -0.8],
  ['dor de cabeca', -1.5],
  ['mal (educad|atendid|feit|humorad|tratad|informad)', -1.5],
  ['(acao|processo) (judicial|na justica)', -1.5],
  ['(aguardando|esperando) .{0,40}\\b(desde|ha|faz)\\b', -1],
  ['\\be nada\\b', -1],
  ['nao (contratei|autorizei|solicitei|pedi|reconheco|fiz)', -1.2],
  ['sem (aviso|avisar|explicacao|justificativa|motivo|consentimento)', -1.2],
  ['estour', -1],
  ['(segunda|terceira|quarta|quinta|varias|milesima|ultima) vez', -1],
  ['nunca mais', -1.5],
  ['nao consigo', -0.8],
  ['parou de funcionar', -1.2],
  ['(e|eh|isso e|isto e) um roubo', -2],
  ['assustad', -1],
  ['(sao|foram|e|eh) demais', 1.5],
  ['nota (maxima|mil)', 1.5],
  ['(menor|menos|abaixo) do que (o )?(combinado|prometido|esperado|devia)', -1.2],
  ['nao (cobre|cobrem|serve|vale)', -1],
  ['(na|numa) fila', -0.8],
  ['(cara|caro|caros|caras) (demais|pra caramba)', -1.5],
  ['(melhor|otima) (seguradora|atendimento|experiencia|seguro|servico)', 1.5],
  ['(5|cinco) estrelas', 1.5],
  ['(muito|super|bem) (bom|boa)', 1.5],
  ['process|advogad|justica|procon|denunci|danos morais', -1],
  // praise
  ['obrigad', 0.5], ['agradec', 0.5], ['valeu', 0.5], ['grat[oa]\\b', 0.5],
  ['otim', 1], ['excelente', 1.5], ['feliz', 1], ['gostei', 1], ['gosto', 1], ['adorei', 1.5], ['amei', 1.5], ['curti', 1],
  ['bom\\b', 1], ['boa\\b', 1], ['bons\\b', 1], ['perfeit', 1.5], ['maravilh', 1.5], ['resolveram', 1], ['resolvid', 0.7],
  ['satisfeit', 1], ['parabens', 1.5], ['rapid', 0.7], ['educad', 1], ['atencios', 1], ['eficien', 1], ['show\\b', 1], ['top\\b', 1],
  ['recomendo', 1.5], ['confiavel', 1], ['incrive', 1.5], ['funciona\\b', 0.5], ['ajudou', 1], ['legal\\b', 0.7], ['sensaciona', 1.5], ['pratic', 0.8], ['barat', 0.8], ['facil', 0.8], ['agil', 1], ['cordia', 1], ['prestativ', 1], ['simpatic', 1], ['gentil', 1], ['gentilez', 1],
  ['competente', 1], ['fantastic', 1.5], ['resolveu', 1], ['ajudaram', 1], ['tranquil', 0.7], ['agradavel', 1], ['eficaz', 1], ['impecave', 1.5],
  ['rapidez', 1], ['contente', 1], ['alegr', 1], ['encantad', 1.5], ['sucesso', 1], ['beleza', 0.5], ['massa\\b', 0.7],
  // complaints
  ['pessim', -2], ['ruim', -1], ['horrivel', -2], ['terrivel', -2], ['absurd', -1.5], ['demor', -1], ['insatisf', -1.5], ['raiva', -1.5],
  ['irritad', -1.5], ['chatead', -1.5], ['decepcion', -1.5], ['descaso', -1.5], ['desrespeit', -1.5], ['vergonh', -1.5], ['lament', -1],
  ['pior', -1.5], ['errad', -1], ['grosse(ir|ri)', -1.5], ['estrag', -1], ['indevid', -1], ['caro\\b', -1], ['cara\\b', -0.5], ['fraca?\\b', -1],
  ['problema', -0.5], ['reclam', -0.7], ['lixo', -2], ['porcaria', -2], ['enganad', -1.5], ['abandonad', -1.5], ['humilh', -2],
  ['medo', -1], ['preocupad', -1], ['desesper', -1.5], ['triste', -1], ['palhacada', -2], ['ridicul', -2], ['nojo', -2],
  ['duplicidade', -1], ['enrola', -1.5], ['mentir', -1.5], ['pessimo', -2], ['injust', -1.5], ['frustra', -1.5], ['odi', -1.5], ['longo\\b', -0.5], ['curt[oa]\\b', -0.5], ['trava', -1], ['erro\\b', -0.8], ['falha', -0.8], ['defeit', -1], ['lent[oa]\\b', -0.8], ['complicad', -0.8], ['dificil', -0.7], ['confus', -0.8],
  ['burocra', -1], ['sumiu', -1], ['prejuizo', -1], ['transtorno', -1], ['estress', -1], ['nervos', -1], ['revoltad', -2], ['indignad', -2],
  ['inadmissivel', -2], ['inaceitavel', -2], ['lamentavel', -2], ['chato', -1], ['negaram', -1.2], ['negativa', -1], ['recusa', -1], ['negad', -1],
  ['decepc', -1.5], ['atras(ou|aram)\\b', -0.7], ['pendent', -0.5], ['sacanagem', -2], ['safad', -2], ['ladr', -2], ['incompet', -2], ['descuid', -1.5], ['negligen', -1.5], ['desastr', -2], ['pesadelo', -2], ['piorou', -1.5], ['mal atendid', -1.5], ['descontent', -1.5],
];

/** Bad things that happened: negative, but "não houve feridos" only cancels them, it is no praise. */
const MISHAPS = [
  'roub', 'furt', 'assalt', 'acident', 'bati\\b', 'bateram', 'bater\\b', 'capot', 'incendi', 'fogo', 'sangr', 'ferid', 'machucad',
  'quebr', 'alag', 'inund', 'falec', 'morr', 'levaram', 'sequestr', 'preso\\b', 'presa\\b', 'clonar', 'golpe', 'esperando .{0,30}\\bha\\b',
  'aguardando .{0,30}\\bha\\b', 'batida', 'bateu', 'caiu\\b', 'cai\\b', 'desacordad', 'fumaca', 'amass', 'arromb', 'fugiu', 'desmai', 'curto circuito',
  'vazamento', 'goteira', 'infiltra', 'danific', 'destrui', 'perd(i|eu|emos)\\b', 'batidinha', 'arranh', 'armad', 'acert(ou|aram)', 'atingi', 'colidi', 'passou mal', 'enguic',
];

const POSITIVE_EMOJI = /[😀😃😄😁😊🙂😍🥰😘👍👏🙏❤💙💚💜✨🎉⭐🤩😎👌💯]/u;
const NEGATIVE_EMOJI = /[😡😠🤬😤😞😢😭👎💔😩😫🤮😒🙄😔😣😖]/u;
const ANGRY_EMOJI = /[😡😠🤬😤👎]/u;

/** Harm that makes a message negative on its own (stranding does not: "preciso de um guincho" is calm). */
const HARM = ['(?<!\\b(e|eh|isso e|isto e) um )roub', 'furt', 'assalt', 'levaram', 'levar (minha|meu)', 'arromb', 'armad', 'arma\\b', 'ferid', 'machuc', 'sangr', 'fogo', 'fumaca', 'incendi', 'sequestr'];
const CRITICAL = [
  'ferid', 'ferimento', 'machuc', 'sangr', 'inconscien', 'desmai', 'nao (esta )?respira', 'parou de respirar', 'infart', 'ferragens',
  'incendio', 'pegou fogo', 'pegando fogo', 'fogo', 'explod', 'explos', '(cheiro|vazamento) de gas', 'agua (esta )?subindo', 'inundando',
  'desaband', 'desabou', 'ambulancia', 'samu\\b', 'hospital', 'pronto socorro', '(perna|braco|costela|bacia) quebrad', 'risco de vida',
  'me seguindo', 'me ameac', 'arma\\b', 'armad', 'sequestr', 'em perigo', 'socorro(?! mecanico)', 'mandem ajuda', 'atropel',
  'desacordad', 'nao acorda', 'bateu a cabeca', 'fumaca', 'convuls', '\\bavc\\b', 'trancad[oa]s? (no|na|dentro)', 'pres[oa]s? (dentro|no carro|na agua|nas ferragens)', 'afogand',
  'passou mal', '(ele|ela) nao (responde|acorda|reage|se mexe)', 'alguem me ajuda', 'me ajudem',
];
/** Cues that are critical only while the danger lasts; once "ninguém se feriu" is said they are high. */
const PAST_DANGER = ['incendio', 'pegou fogo', 'fogo', 'explod', 'explos', 'socorro(?! mecanico)', 'ferragens', 'hospital'];
const INJURY = ['ferid', 'feri(u|ram)\\b', 'machuc', 'ferimento', 'vitima'];
const HIGH = [
  // stranded
  'preso na estrada', 'presa na estrada', 'na (estrada|rodovia|marginal|pista|br)\\b', 'no acostamento', 'guincho', 'reboque', 'pane\\b',
  'nao (liga|pega|da partida)', 'pneu furou', 'socorro mecanico', 'sozinh[oa]', 'motor (morreu|apagou|parou|fundiu|ferveu)', 'no meio d[ao] (tunel|rua|estrada|avenida|ponte|viaduto|pista)',
  'na (avenida|ponte|via)\\b', 'pane', 'enguic', 'acert(ou|aram)', 'colidi', 'atingi',
  // theft in progress or just done
  // "isso é um roubo" is about a price, not a theft
  '(?<!\\b(e|eh|isso e|isto e) um )roub', 'furt', 'assalt', 'levaram', 'levar (minha|meu|o|a)\\b', 'clonaram', 'golpe',
  // legal threat
  'process', 'advogad', 'justica', 'procon', 'reclame aqui', 'juizado', 'danos morais', 'denunci', 'judicial', 'arromb',
  // accidents and explicit urgency
  'acident', 'bati\\b', 'bateram', 'capot', 'colisao', 'batida', 'urgen', 'emergencia', 'imediatamente', 'agora mesmo', 'o quanto antes',
];
/** A minor accident ("só amassou o para-choque") is a claim to open, not an emergency. */
const ACCIDENT = ['acident', 'bati\\b', 'bateram', 'colisao', 'batida', 'acert(ou|aram)', 'colidi', 'atingi'];
const MINOR = '(leve|levinho|pequen[oa]|de leve|sem gravidade|so (amassou|arranhou|riscou)|arranh)';
const MEDIUM = [
  'demor', '\\bha (\\d+|dois|duas|tres|quatro|cinco|dez|quinze|vinte|trinta|um|uma) (dias|semanas|meses|horas|hora|mes)', 'semanas', 'um mes',
  'faz (\\d+|um|uma|dois|duas|tres) (dias|semanas|meses|mes)', 'vence (hoje|amanha)', 'venc(id|eu)', 'atrasad', 'em atraso', 'duplicidade',
  'duas vezes', 'indevid', 'reembolso', 'insatisf', 'ainda nao', 'ate agora', 'de novo', '(terceira|quarta|varias) vez', 'ninguem (me )?(responde|resolve|atende)',
  'falta de respeito', 'nao aguento', 'absurd', 'falec', 'obito', 'quebr', 'alag', 'goteira', 'vazamento', 'sem cobertura', 'nao tenho cobertura',
  'parado', 'remarcad', 'cobraram', 'cobranca', 'bloquead', 'cancelad', 'ninguem (me )?(retornou|respondeu)', '(sem|nao (tem|ha)) previsao',
  '(nao|ainda nao) (caiu|chegou)', 'a mais\\b', 'fora do ar', '(\\d+|duas|tres|quatro|cinco|seis|dez|varias|muitas) vezes', 'bateu', 'amass',
  'dinheiro de volta', 'estorno', 'nada resolvid', 'cansad', '(aguardando|esperando) .{0,40}\\b(desde|ha|faz)\\b', '\\be nada\\b', 'em aberto',
  'nao (contratei|autorizei|solicitei|reconheco)', 'sem (aviso|avisar|explicacao)', 'estour', '(segunda|terceira|quarta|varias) vez', 'atras(ou|o)\\b',
  'pendenc', 'cobr(ou|aram|ando) (uma |a )?(taxa|valor|multa)',
];
const REPEAT_CONTACT = ['de novo', '(terceira|quarta|quinta|varias|milesima) vez', 'ja liguei', 'ja falei', 'ninguem (me )?(responde|resolve|atende|retorna)', 'ate agora', 'nao aguento', 'cansad', 'sempre a mesma'];
const INSULT = ['absurd', 'palhacada', 'vergonh', 'lixo', 'porcaria', 'ridicul', 'incompetent', 'ladr', 'nojo', 'merda', 'porra'];
const THREAT = ['process', 'advogad', 'justica', 'procon', 'reclame aqui', 'danos morais', 'denunci', 'cancelar', 'cancelamento', 'trocar de seguradora'];

/**
 * Folds each clause on its own and joins them with " | ", so a negator never reaches across a
 * comma or a full stop ("até agora nada, estou chateado" is no negated complaint).
 */
function foldClauses(text: string): string {
  return text
    .split(/[,;:.!?\n]+/)
    .map((clause) => fold(clause).replace(NEUTRALIZED, ' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' | ');
}

interface Cue {
  pattern: RegExp;
  weight: number;
}

/** Cue patterns, compiled once each: every customer message is read against them. */
const compiled = new Map<string, RegExp>();
function compile(source: string): RegExp {
  let pattern = compiled.get(source);
  if (!pattern) compiled.set(source, (pattern = new RegExp(`\\b(?:${source})`, 'g')));
  return pattern;
}

/** Whether a cue occurs anywhere in the folded text. */
function hasCue(folded: string, source: string): boolean {
  const pattern = compile(source);
  pattern.lastIndex = 0;
  return pattern.test(folded);
}
const POLAR_CUES: Cue[] = POLAR.map(([source, weight]) => ({ pattern: compile(source), weight }));
const MISHAP_CUES: Cue[] = MISHAPS.map((source) => ({ pattern: compile(source), weight: -1 }));

/** Where a cue matched, and whether a negator stands in the three words before it. */
interface Hit {
  start: number;
  end: number;
  negated: boolean;
  intensified: boolean;
}

function hits(folded: string, pattern: RegExp): Hit[] {
  const found: Hit[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(folded); match; match = pattern.exec(folded)) {
    const before = folded.slice(0, match.index).split('|').pop()!.trim().split(' ').slice(-3);
    found.push({
      start: match.index,
      end: match.index + match[0].length,
      negated: before.some((word) => NEGATORS.has(word)),
      intensified: before.slice(-2).some((word) => INTENSIFIERS.has(word)),
    });
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  return found;
}

function present(folded: string, sources: readonly string[], { countNegated = false } = {}): string[] {
  return sources.filter((source) => hits(folded, compile(source)).some((hit) => countNegated || !hit.negated));
}

interface Polarity {
  positive: number;
  negative: number;
}

/** Sums the polar cues of one clause; a phrase claims its span so its words do not count twice. */
function polarity(folded: string): Polarity {
  const claimed: [number, number][] = [];
  const overlaps = (hit: Hit) => claimed.some(([start, end]) => hit.start < end && hit.end > start);
  const score = { positive: 0, negative: 0 };
  const add = (value: number) => (value > 0 ? (score.positive += value) : (score.negative -= value));
  for (const cue of POLAR_CUES) {
    for (const hit of hits(folded, cue.pattern)) {
      if (overlaps(hit)) continue;
      claimed.push([hit.start, hit.end]);
      let weight = cue.weight * (hit.intensified ? 1.5 : 1);
      // "não gostei" complains and "não é ruim" faintly praises; a phrase already carries its negation
      if (hit.negated && !/^(nao|ninguem) /.test(folded.slice(hit.start))) weight = -weight * 0.8;
      add(weight);
    }
  }
  for (const cue of MISHAP_CUES) {
    for (const hit of hits(folded, cue.pattern)) {
      if (overlaps(hit) || hit.negated) continue;
      claimed.push([hit.start, hit.end]);
      add(cue.weight);
    }
  }
  return score;
}

function isShouting(raw: string): boolean {
  const letters = raw.replace(/[^A-Za-zÀ-ÿ]/g, '');
  const shouted = raw.split(/\s+/).filter((word) => word.length >= 3 && /[A-ZÀ-Ý]/.test(word) && word === word.toUpperCase() && /[A-Z]/.test(word));
  return letters.length >= 8 && shouted.length >= 2 && shouted.join('').length >= letters.length * 0.5;
}

/** Sentiment from Portuguese cues: negation, intensifiers, contrast ("mas", "porém") → mixed, emojis, shouting. */
export function lexiconSentiment(text: string): Sentiment {
  const folded = foldClauses(text);
  const clauses = folded.split(CONTRAST);
  const contrast = clauses.length > 1;
  const score = clauses.map(polarity).reduce((sum, clause) => ({ positive: sum.positive + clause.positive, negative: sum.negative + clause.negative }), {
    positive: 0,
    negative: 0,
  });
  if (POSITIVE_EMOJI.test(text)) score.positive += 1.5;
  if (NEGATIVE_EMOJI.test(text)) score.negative += 1.5;
  const loud = isShouting(text) || /!{2,}/.test(text);
  if (loud) {
    if (score.negative > 0) score.negative *= 1.5;
    else if (score.positive > 0) score.positive *= 1.3;
  }
  const { positive, negative } = score;
  let sentiment: Sentiment = 'neutral';
  if (positive >= 0.7 && negative >= 0.7 && contrast) sentiment = 'mixed';
  else if (positive >= 1 && negative >= 1 && Math.min(positive, negative) / Math.max(positive, negative) >= 0.6) sentiment = 'mixed';
  else if (negative >= 0.7 && negative >= positive) sentiment = 'negative';
  else if (positive >= 1) sentiment = 'positive';
  else if (loud && isShouting(text)) sentiment = 'negative';
  // nobody is neutral about a robbery or a weapon, whatever words they use
  if (sentiment === 'neutral' && present(folded, HARM).length) sentiment = 'negative';
  return sentiment;
}

/**
 * Urgency from safety, stranding, theft, legal and deadline cues; a denied injury does not count.
 * Pass the text's sentiment when it is known, so it is not read twice.
 */
export function lexiconUrgency(text: string, sentiment: Sentiment = lexiconSentiment(text)): Urgency {
  const folded = foldClauses(text);
  const critical = present(folded, CRITICAL);
  const injuryDenied = INJURY.some((source) => hits(folded, compile(source)).some((hit) => hit.negated));
  const stillCritical = injuryDenied ? critical.filter((source) => !PAST_DANGER.includes(source)) : critical;
  if (stillCritical.length) return 'critical';
  if (critical.length) return 'high';
  // praise for a tow truck that came is no call for one
  if (sentiment === 'positive') return 'low';
  const high = present(folded, HIGH);
  const minor = hasCue(folded, MINOR) && high.every((cue) => ACCIDENT.includes(cue));
  if (high.length && !minor) return 'high';
  if (minor || present(folded, MEDIUM).length) return 'medium';
  if (isShouting(text) || (/!{3,}/.test(text) && sentiment === 'negative')) return 'medium';
  return 'low';
}

/** 1 (calm) … 5 (furious), for the dashboard: negativity, repeated contact, insults or shouting, threats. */
export function frustrationLevel(text: string, sentiment: Sentiment = lexiconSentiment(text)): number {
  const folded = foldClauses(text);
  const repeated = present(folded, REPEAT_CONTACT, { countNegated: true }).length > 0;
  const heated = present(folded, INSULT).length > 0 || isShouting(text) || /!{3,}/.test(text) || ANGRY_EMOJI.test(text);
  const threat = present(folded, THREAT).length > 0;
  if (sentiment !== 'negative' && sentiment !== 'mixed') return repeated ? 2 : 1;
  const base = sentiment === 'negative' ? 2 : 1;
  return Math.min(5, base + (repeated ? 1 : 0) + (heated ? 1 : 0) + (threat ? 1 : 0));
}

// --- intent, topics, summary, actions --------------------------------------------------------

const INTENTS: readonly (readonly [string, string])[] = [
  ['emergency', 'ferid|sangr|incendio|pegando fogo|ferragens|ambulancia|socorro(?! mecanico)|risco de vida|me seguindo|hospital'],
  ['roadside_assistance', 'guincho|reboque|pane\\b|pneu furou|socorro mecanico|nao (liga|pega)|na (estrada|rodovia|marginal)'],
  ['theft_report', 'roub|furt|assalt|levaram|clonaram'],
  ['claim_report', 'acident|bati\\b|bateram|capot|colisao|sinistro|alag|quebr|danific'],
  ['cancellation', 'cancel'],
  ['billing', 'boleto|fatura|cobranca|cobraram|pagamento|parcela|reembolso|segunda via|pagar\\b'],
  ['purchase_inquiry', 'cotacao|cotar|contratar|quanto custa|preco|valor do seguro|orcamento|quero fazer um seguro'],
  ['policy_change', 'alterar|mudar|incluir|trocar|atualizar'],
  ['complaint', 'reclam|pessim|absurd|insatisf|procon|processar|descaso'],
  ['praise', 'parabens|obrigad|excelente|otimo|adorei|nota dez'],
  ['information_request', 'qual|quais|como|onde|quando|quanto|duvida|saber|\\?'],
];

const TOPICS: readonly (readonly [string, string])[] = [
  ['boleto', 'boleto|segunda via'],
  ['pagamento', 'pagamento|pagar\\b|parcela|fatura'],
  ['cobrança', 'cobranca|cobraram|duplicidade|indevid'],
  ['reembolso', 'reembolso|estorno'],
  ['sinistro', 'sinistro|acident|bati\\b|bateram|colisao|capot'],
  ['roubo/furto', 'roub|furt|assalt|levaram'],
  ['assistência 24h', 'guincho|reboque|assistencia|pane\\b|pneu|socorro mecanico'],
  ['emergência', 'ferid|sangr|incendio|fogo|ambulancia|hospital|ferragens'],
  ['cancelamento', 'cancel'],
  ['cotação', 'cotacao|cotar|orcamento|contratar'],
  ['preço', 'preco|quanto custa|valor|caro\\b'],
  ['prazo', 'prazo|demor|semanas|dias\\b|vence|venceu|atras'],
  ['cobertura', 'cobertura|cobre|cobrem|franquia|carencia'],
  ['apólice', 'apolice|renovacao|renovar|endosso|condutor'],
  ['vistoria', 'vistoria'],
  ['oficina', 'oficina|conserto|reparo'],
  ['aplicativo', 'aplicativo|\\bapp\\b|site'],
  ['atendimento', 'atendiment|atendente|ninguem (me )?(responde|atende)'],
  ['seguro auto', 'carro|moto|veiculo|placa'],
  ['seguro de vida', 'seguro de vida|falec|obito'],
  ['seguro residencial', 'residencia|minha casa|apartamento|imovel'],
];

export interface CollectedAnswer {
  label: string;
  value: string;
}

export interface AnalyzeInput {
  customerMessages: readonly string[];
  customerName?: string;
  scriptId?: string;
  scriptTitle?: string;
  /** The script's answers, labelled for people ("CPF", "Placa do veículo"). */
  collected?: readonly CollectedAnswer[];
  now: Date;
}

function firstMatching(folded: string, table: readonly (readonly [string, string])[]): string | null {
  return table.find(([, source]) => hasCue(folded, source))?.[0] ?? null;
}

/** The customer's sentence that says most: the most cue-bearing, then the longest. */
function keySentence(messages: readonly string[]): string {
  const sentences = messages.flatMap((message) => message.split(/(?<=[.!?])\s+|\n+/)).map((sentence) => sentence.trim());
  const useful = sentences.filter((sentence) => fold(sentence).replace(NEUTRALIZED, ' ').trim().split(' ').filter((word) => word.length > 2).length >= 2);
  if (!useful.length) return sentences.find(Boolean) ?? '';
  const weight = (sentence: string) => {
    const sentiment = lexiconSentiment(sentence);
    const urgency = urgencies.indexOf(lexiconUrgency(sentence, sentiment));
    return urgency * 10 + (sentiment === 'neutral' ? 0 : 5) + Math.min(fold(sentence).split(' ').length, 30) / 10;
  };
  const scored = useful.map((sentence) => ({ sentence, weight: weight(sentence) }));
  return scored.reduce((best, candidate) => (candidate.weight > best.weight ? candidate : best)).sentence;
}

/** Why a conversation is urgent, in words an agent reads at a glance; first match wins. */
const URGENCY_REASONS: readonly (readonly [string, string])[] = [
  ['risco à integridade física', 'ferid|feri(u|ram)|machuc|sangr|inconscien|desmai|desacordad|ambulancia|hospital|ferragens|passou mal|atropel|nao (acorda|responde|respira)'],
  ['incêndio, fumaça ou alagamento', 'incendio|fogo|fumaca|explo|gas\\b|agua (esta )?subindo|inund|alag'],
  ['ameaça à segurança do cliente', 'me seguindo|me ameac|arma|sequestr|em perigo'],
  ['roubo ou furto', '(?<!\\b(e|eh|isso e|isto e) um )roub|furt|assalt|levaram|arromb|clonaram|golpe'],
  ['cliente parado na via', 'guincho|reboque|pane|pneu|nao (liga|pega)|motor|estrada|rodovia|acostamento|marginal|tunel'],
  ['acidente', 'acident|bati\\b|bateram|bateu|batida|colisao|capot|acert(ou|aram)|colidi|atingi'],
  ['ameaça de medida legal', 'process|advogad|justica|procon|reclame aqui|juizado|danos morais|denunci|judicial'],
  ['pedido urgente', 'urgen|emergencia|imediatamente|agora mesmo|o quanto antes'],
  ['vencimento ou atraso', 'venc|atras|em aberto|parcela'],
  ['cobrança contestada', 'cobr|duplicidade|indevid|a mais|estorno|dinheiro de volta|reembolso'],
  ['demora ou contato repetido', 'demor|semana|mes\\b|dias\\b|vez\\b|vezes|ainda nao|ate agora|nada|ninguem|previsao|desde|aguardando|esperando'],
];

const INTENT_WORDS: Record<string, string> = {
  emergency: 'emergência',
  roadside_assistance: 'assistência na via',
  theft_report: 'roubo ou furto',
  claim_report: 'sinistro',
  cancellation: 'cancelamento',
  billing: 'cobrança ou pagamento',
  purchase_inquiry: 'interesse em contratar',
  policy_change: 'alteração de cadastro ou apólice',
  complaint: 'reclamação',
  praise: 'elogio',
  information_request: 'dúvida',
};

const URGENCY_WORDS: Record<Urgency, string> = { low: 'baixa', medium: 'média', high: 'alta', critical: 'crítica' };

function suggestedActionsFor(intent: string, sentiment: Sentiment, urgency: Urgency, folded: string): SuggestedAction[] {
  const actions: SuggestedAction[] = [];
  const add = (type: string, description: string) => actions.push({ type, description });
  if (urgency === 'critical') add('CALL_EMERGENCY', 'Confirmar que o cliente está em segurança e acionar socorro (SAMU 192, Bombeiros 193)');
  if (intent === 'roadside_assistance') add('DISPATCH_ASSISTANCE', 'Acionar a assistência 24h (guincho ou socorro mecânico) para o local do cliente');
  if (intent === 'theft_report') add('OPEN_CLAIM', 'Abrir aviso de sinistro de roubo/furto e orientar o boletim de ocorrência');
  if (intent === 'claim_report' && urgency !== 'critical') add('OPEN_CLAIM', 'Abrir ou acompanhar o aviso de sinistro');
  if (urgency === 'high' || urgency === 'critical') add('PRIORITIZE', 'Atender com prioridade, antes da fila comum');
  if (hasCue(folded, 'process|advogad|justica|procon|reclame aqui|danos morais|denunci')) add('LEGAL_REVIEW', 'Envolver a ouvidoria/jurídico: o cliente mencionou medida legal');
  if (intent === 'cancellation') add('RETENTION_OFFER', 'Entender o motivo do cancelamento e apresentar alternativas de retenção');
  if (intent === 'purchase_inquiry') add('SEND_PROPOSAL', 'Cliente demonstrou interesse em contratar: enviar proposta');
  if (intent === 'billing') add('REVIEW_BILLING', 'Conferir pagamentos e cobranças do cliente');
  if (sentiment === 'negative' || sentiment === 'mixed') add('APOLOGIZE', 'Reconhecer o transtorno do cliente antes de seguir');
  if (sentiment === 'positive') add('ASK_FEEDBACK', 'Convidar o cliente a avaliar o atendimento');
  if (!actions.length) add('FOLLOW_UP', 'Acompanhar a solicitação até a conclusão');
  return actions.slice(0, 6);
}

/** The offline analyzer: Portuguese rules for sentiment, urgency, frustration, intent and topics, and an extractive summary. */
export function analyzeOffline(input: AnalyzeInput): Analysis {
  const messages = input.customerMessages.map((message) => message.trim()).filter(Boolean);
  const text = messages.join(' \n ');
  const folded = fold(text);
  const sentiment = lexiconSentiment(text);
  const urgency = lexiconUrgency(text, sentiment);
  const reason = urgency === 'low' ? null : firstMatching(folded, URGENCY_REASONS);
  const detected = firstMatching(folded, INTENTS);
  // safety and stranding outrank whatever script was matched: they drive the response
  const intent = detected === 'emergency' || detected === 'roadside_assistance' ? detected : (input.scriptId ?? detected ?? 'support_request');
  const topics = [...new Set([...(input.scriptTitle ? [input.scriptTitle] : []), ...TOPICS.filter(([, source]) => hasCue(folded, source)).map(([topic]) => topic)])].slice(0, 6);
  const who = input.customerName ? `Cliente ${input.customerName}` : 'Cliente';
  const what = input.scriptTitle ? `${who} pediu: ${input.scriptTitle}.` : `${who} entrou em contato${detected ? ` (${INTENT_WORDS[detected]})` : ''}.`;
  const said = keySentence(messages);
  const data = (input.collected ?? []).filter((answer) => answer.value).map((answer) => `${answer.label}: ${answer.value}`).join('; ');
  const summary = [
    what,
    said ? `Relato: "${said.length > 180 ? `${said.slice(0, 177)}…` : said}".` : '',
    data ? `Dados: ${data}.` : '',
    urgency !== 'low' ? `Urgência ${URGENCY_WORDS[urgency]}${reason ? ` (${reason})` : ''}.` : '',
  ]
    .filter(Boolean)
    .join(' ')
    .slice(0, 600);
  return {
    sentiment,
    urgency,
    intent,
    topics,
    summary,
    suggestedActions: suggestedActionsFor(detected ?? '', sentiment, urgency, folded),
    frustration: frustrationLevel(text, sentiment),
    analyzedAt: input.now.toISOString(),
    engine: 'offline',
  };
}

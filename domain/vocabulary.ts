import { fold } from './text';

/**
 * The words customers use for the options service scripts offer, in Brazilian Portuguese:
 * "bateram no meu carro" is a colisão, "pneu furado" a troca de pneu, "acabou a gasolina" a
 * pane seca. Keyed by the option's folded text, never by a script id, so any tenant's catalog
 * with these options benefits; a script can add its own with `steps[].synonyms`. Each entry is
 * a list of regex sources matched on folded text at a word start; earlier options win ties
 * (roubo, with a weapon, before furto).
 */
const OPTION_WORDS: Record<string, readonly string[]> = {
  // occurrences
  colisao: ['bat(i|eu|eram|ida|emos)\\b', 'colid', 'colis', 'trombad', 'encostaram', 'acidente', 'engavetament', 'abalroa'],
  roubo: ['roub', 'assalt', 'arma', 'rendid', 'abordad', 'levaram .*(arma|forca|revolver)', 'sequestr'],
  furto: ['furt', 'sumiu', 'sumiram', 'levaram', 'nao (esta|estava) (mais )?onde', 'desapareceu'],
  incendio: ['fogo', 'incendi', 'queim', 'chamas'],
  alagamento: ['alag', 'enchente', 'inund', 'agua', 'chuva'],
  // roadside assistance
  guincho: ['guinch', 'reboc', 'reboque', 'nao anda', 'quebrou', 'motor'],
  chaveiro: ['chave', 'trancad', 'tranquei', 'fechadura'],
  'troca de pneu': ['pneu', 'estepe', 'furou', 'furado', 'calibr'],
  'pane seca': ['gasolina', 'combustivel', 'etanol', 'alcool', 'diesel', 'tanque', 'pane seca', 'sem gas'],
  'pane eletrica': ['bateria', 'eletric', 'nao liga', 'nao da partida', 'arriou', 'descarreg'],
  // kinds of insurance
  auto: ['carro', 'veicul', 'automove', 'moto', 'caminhonete'],
  residencial: ['casa', 'apartamento', 'apto', 'imovel', 'residen', 'lar\\b', 'moradia'],
  vida: ['vida', 'familia'],
  viagem: ['viag', 'viaj', 'exterior', 'intercambio'],
  // cancellation reasons
  preco: ['caro', 'preco', 'valor', 'mensalidade', 'barat', 'dinheiro', 'pesando'],
  'venda do bem': ['vend', 'vendi'],
  'troca de seguradora': ['outra seguradora', '(mudar|trocar|troquei|mudei) de seguradora', 'concorrente'],
  insatisfacao: ['insatisf', 'atendimento ruim', 'pessimo', 'nao gostei', 'decepcion'],
  // expenses
  consulta: ['consulta', 'medic'],
  exame: ['exame', 'laborat'],
  'despesa de viagem': ['hotel', 'hosped', 'passagem', 'guincho particular', 'viag', 'taxi', 'uber'],
  'cobranca indevida': ['cobranca indevida', 'cobra(ram|do) (errado|a mais|duas vezes)', 'indevid'],
  // periods, fields, documents
  manha: ['manha', 'cedo', 'antes do almoco'],
  tarde: ['tarde', 'depois do almoco'],
  endereco: ['endere', 'mudei de casa', 'moro', 'rua'],
  telefone: ['telefone', 'celular', 'whats', 'numero'],
  'e-mail': ['e-?mail'],
  nome: ['nome'],
  apolice: ['apolice'],
  certificado: ['certificado'],
  carteirinha: ['carteir', 'cartao'],
  'declaracao de quitacao': ['quitac', 'quitad'],
};

const compiled = new Map<string, RegExp[]>();

function patternsFor(option: string, declared: readonly string[] = []): RegExp[] {
  const key = fold(option);
  const literal = (phrase: string) => fold(phrase).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sources = [literal(option), ...(OPTION_WORDS[key] ?? []), ...declared.map(literal)];
  const cacheKey = `${key}\u0000${declared.join('\u0000')}`;
  let patterns = compiled.get(cacheKey);
  if (!patterns) {
    patterns = sources.map((source) => new RegExp(`\\b(?:${source})`));
    compiled.set(cacheKey, patterns);
  }
  return patterns;
}

/**
 * The option the customer's words point at, through the script's declared synonyms and the
 * built-in vocabulary; null when none does, or when two options are named equally.
 */
export function optionFromWords(text: string, options: readonly string[], synonyms: Record<string, readonly string[]> = {}): string | null {
  const folded = fold(text);
  if (!folded) return null;
  const hits = options.map((option) => patternsFor(option, synonyms[option]).filter((pattern) => pattern.test(folded)).length);
  const best = Math.max(...hits);
  if (best === 0) return null;
  return options[hits.indexOf(best)]!;
}

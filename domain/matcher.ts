import { newStemmer, type Stemmer } from 'snowball-stemmers';
import { englishConcepts, englishOutOfScope, portugueseConcepts, portugueseOutOfScope, type ConceptGroup } from './lexicon';
import { editDistance, fold, words } from './text';

/**
 * Offline demand → script matcher. Every example, the title and the description of a
 * script become sparse TF-IDF vectors of three feature kinds: Snowball word stems, stem
 * bigrams (word order: "cancelar boleto" ≠ "boleto cancelado" only weakly) and character
 * 4-grams (typos and inflections the stemmer misses). A message scores against a script by
 * its nearest example and by the script's centroid. Pure and synchronous, so it is unit
 * tested and benchmarked without Temporal.
 */
export interface MatchableScript {
  id: string;
  title: string;
  description: string;
  examples: readonly string[];
}

export interface MatchCandidate {
  scriptId: string;
  title: string;
  /** Raw similarity in [0, 1]. */
  score: number;
  /** Estimated probability that this is the script the customer means. */
  confidence: number;
}

export type MatchVerdict = 'confident' | 'ambiguous' | 'none';

export interface MatchResult {
  /** The script to run, set only when the verdict is "confident". */
  scriptId: string | null;
  confidence: number;
  verdict: MatchVerdict;
  candidates: MatchCandidate[];
  /** Who decided: the offline matcher, or the LLM choosing among the offline candidates. */
  source?: 'offline' | 'llm';
  /** The LLM's reason, or why the LLM was not used. */
  reason?: string;
}

const STOP_WORDS = {
  pt: (
    'a o as os um uma uns umas de do da dos das no na nos nas num numa em por para pra pro pros com sem e ou que se me mim meu minha meus minhas ' +
    'te ti seu sua seus suas voce voces vc vcs ce ele ela eles elas eu nos isso isto esse essa este esta aquele aquela ao aos ate mais muito ' +
    'ja agora so tambem como qual quais quando onde porque pq ai la aqui ta estou estar sou ser foi era sao tem ter tenho tive ' +
    'fazer faz fiz faco quero queria gostaria preciso precisava precisando poderia pode podem consegue consigo favor vou vai ' +
    'oi ola opa bom boa bons dia tarde noite tudo bem obrigado obrigada valeu blz beleza hein ne sim nao ok certo entao tipo ' +
    'alguem alguma algum coisa gente eh la hoje ontem amanha mim moco moca senhor senhora quanto quanta quantos quantas saber'
  ).split(' '),
  en: (
    'a an the of to in on at for from by with without and or that this these those i me my mine you your he she it we they ' +
    'is are was were be been am do does did have has had can could would should will shall may might please hi hello hey ' +
    'thanks thank ok okay just so as if there here what which who how when where why yes im ive id i\'m'
  ).split(' '),
} as const;

/** Words a concept phrase may skip over: "não quero mais renovar" still says "não renovar". */
const FILLER = new Set(['quero', 'queria', 'vou', 'mais', 'o', 'a', 'os', 'as', 'meu', 'minha', 'eu', 'do', 'da', 'um', 'uma']);

export type MatcherLanguage = keyof typeof STOP_WORDS;
export const matcherLanguages = Object.keys(STOP_WORDS) as MatcherLanguage[];

const STEMMER_NAMES: Record<MatcherLanguage, string> = { pt: 'portuguese', en: 'english' };
const CONCEPTS: Record<MatcherLanguage, readonly ConceptGroup[]> = { pt: portugueseConcepts, en: englishConcepts };
const OUT_OF_SCOPE: Record<MatcherLanguage, readonly string[]> = { pt: portugueseOutOfScope, en: englishOutOfScope };

export interface MatcherOptions {
  language?: MatcherLanguage;
  /** Below this confidence the matcher answers "no script fits". */
  threshold?: number;
  /** A runner-up within this confidence of the best makes the match ambiguous. */
  ambiguityMargin?: number;
  /** Messages that no script should take; defaults to the language's built-in small talk. */
  outOfScope?: readonly string[];
}

export const DEFAULT_MATCH_THRESHOLD = 0.45;
const DEFAULT_AMBIGUITY_MARGIN = 0.12;
const AMBIGUOUS_SCORE_RATIO = 0.8;
/** How well a single clause must fit a script to count as a demand of its own. */
const CLAUSE_MIN_SCORE = 0.35;

/** A message asking about another business ("vocês vendem pneu?") fits every script this much less. */
const FOREIGN_PENALTY = 0.5;

/** How much each feature kind counts in a vector before normalization. */
const FEATURE_WEIGHTS = { stem: 1, bigram: 0.6, gram: 0.35, concept: 1 } as const;

type SparseVector = Map<string, number>;

interface Document {
  scriptIndex: number;
  vector: SparseVector;
}

/** One language's tokenizer: folded words without stop words, their stems, concepts. */
class Analyzer {
  private readonly stopWords: Set<string>;
  private readonly stemmer: Stemmer;
  private readonly stemCache = new Map<string, string>();
  private readonly conceptsByStem = new Map<string, string[]>();
  private readonly conceptPhrases: { phrase: string; concept: string }[] = [];

  constructor(language: MatcherLanguage) {
    this.stopWords = new Set(STOP_WORDS[language]);
    this.stemmer = newStemmer(STEMMER_NAMES[language]);
    for (const { concept, terms } of CONCEPTS[language]) {
      for (const term of terms) {
        const folded = fold(term);
        if (folded.includes(' ')) this.conceptPhrases.push({ phrase: ` ${folded} `, concept });
        else this.conceptsByStem.set(this.stem(folded), [...(this.conceptsByStem.get(this.stem(folded)) ?? []), concept]);
      }
    }
  }

  /**
   * The concept groups a text mentions, by phrase or by the stem of one of its words. Phrases
   * are also looked for with filler words left out ("não quero renovar" holds "não renovar"),
   * and a word inside a matched phrase does not count again on its own: "parar de pagar" is a
   * cancellation, not a payment.
   */
  concepts(text: string, contentWords: readonly string[]): Set<string> {
    const found = new Set<string>();
    const all = words(text);
    const padded = ` ${all.join(' ')} `;
    const compact = ` ${all.filter((word) => !FILLER.has(word)).join(' ')} `;
    const consumed = new Set<string>();
    for (const { phrase, concept } of this.conceptPhrases) {
      if (!padded.includes(phrase) && !compact.includes(phrase)) continue;
      found.add(concept);
      for (const word of phrase.trim().split(' ')) consumed.add(word);
    }
    for (const word of contentWords) {
      if (consumed.has(word)) continue;
      for (const concept of this.conceptsByStem.get(this.stem(word)) ?? []) found.add(concept);
    }
    return found;
  }

  contentWords(text: string): string[] {
    return words(text).filter((word) => word.length > 1 && !this.stopWords.has(word) && !/^\d+$/.test(word));
  }

  stem(word: string): string {
    let stemmed = this.stemCache.get(word);
    if (stemmed === undefined) {
      stemmed = this.stemmer.stem(word);
      this.stemCache.set(word, stemmed);
    }
    return stemmed;
  }

  /** Raw (untf-idf'd) feature counts of already-cleaned words. */
  features(contentWords: readonly string[], concepts: Iterable<string> = []): SparseVector {
    const counts: SparseVector = new Map();
    for (const concept of concepts) counts.set(`k:${concept}`, FEATURE_WEIGHTS.concept);
    const add = (key: string, weight: number) => counts.set(key, (counts.get(key) ?? 0) + weight);
    const stems = contentWords.map((word) => this.stem(word));
    for (const stem of stems) add(`s:${stem}`, FEATURE_WEIGHTS.stem);
    for (let index = 1; index < stems.length; index++) add(`b:${stems[index - 1]}_${stems[index]}`, FEATURE_WEIGHTS.bigram);
    for (const word of contentWords) {
      const padded = ` ${word} `;
      if (padded.length <= 4) continue;
      for (let index = 0; index + 4 <= padded.length; index++) add(`c:${padded.slice(index, index + 4)}`, FEATURE_WEIGHTS.gram);
    }
    return counts;
  }
}

export class ScriptMatcher {
  private readonly scripts: readonly MatchableScript[];
  private readonly analyzer: Analyzer;
  private readonly threshold: number;
  private readonly ambiguityMargin: number;
  private readonly idf = new Map<string, number>();
  private readonly documents: Document[] = [];
  private readonly centroids: SparseVector[] = [];
  /** Inverted index: feature → documents holding it, with their weights. */
  private readonly postings = new Map<string, { document: number; weight: number }[]>();
  private readonly centroidPostings = new Map<string, { script: number; weight: number }[]>();
  /** Known content words, bucketed by first letter, for typo repair. */
  private readonly vocabulary = new Map<string, string[]>();
  private readonly knownWords = new Set<string>();
  /** Concepts only the no-script class has ("vocês vendem…"): negative evidence against every script. */
  private readonly foreignConcepts = new Set<string>();
  /** Stems most scripts share: the catalog's own domain ("seguro"); "vocês vendem seguro?" is not another business. */
  private readonly domainStems = new Set<string>();

  constructor(catalog: readonly MatchableScript[], options: MatcherOptions = {}) {
    const language = options.language ?? 'pt';
    // The last "script" is the no-script class; it never appears among candidates.
    const scripts = [...catalog, { id: NO_SCRIPT, title: '', description: '', examples: options.outOfScope ?? OUT_OF_SCOPE[language] }];
    this.scripts = scripts;
    this.analyzer = new Analyzer(language);
    this.threshold = options.threshold ?? DEFAULT_MATCH_THRESHOLD;
    this.ambiguityMargin = options.ambiguityMargin ?? DEFAULT_AMBIGUITY_MARGIN;

    const raw: { scriptIndex: number; counts: SparseVector }[] = [];
    scripts.forEach((script, scriptIndex) => {
      // The description is long prose; its clauses read like extra examples.
      const texts = [script.title, ...script.description.split(/[.;:,]| ou | e /), ...script.examples];
      for (const text of texts) {
        const content = this.analyzer.contentWords(text);
        if (!content.length) continue;
        for (const word of content) this.learnWord(word);
        raw.push({ scriptIndex, counts: this.analyzer.features(content, this.analyzer.concepts(text, content)) });
      }
    });

    const documentFrequency = new Map<string, number>();
    for (const { counts } of raw) for (const key of counts.keys()) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
    const total = raw.length + 1;
    for (const [key, frequency] of documentFrequency) this.idf.set(key, Math.log(total / frequency) + 1);

    const sums = scripts.map(() => new Map<string, number>());
    for (const { scriptIndex, counts } of raw) {
      const vector = this.weigh(counts);
      const documentIndex = this.documents.push({ scriptIndex, vector }) - 1;
      for (const [key, weight] of vector) {
        let list = this.postings.get(key);
        if (!list) this.postings.set(key, (list = []));
        list.push({ document: documentIndex, weight });
        const sum = sums[scriptIndex]!;
        sum.set(key, (sum.get(key) ?? 0) + weight);
      }
    }
    const inScripts = new Set(raw.filter(({ scriptIndex }) => scriptIndex < scripts.length - 1).flatMap(({ counts }) => [...counts.keys()]));
    const scriptsWithStem = new Map<string, Set<number>>();
    for (const { scriptIndex, counts } of raw) {
      if (scriptIndex === scripts.length - 1) continue;
      for (const key of counts.keys()) if (key.startsWith('s:')) scriptsWithStem.set(key, (scriptsWithStem.get(key) ?? new Set()).add(scriptIndex));
    }
    for (const [key, holders] of scriptsWithStem) if (catalog.length >= 4 && holders.size >= catalog.length / 2) this.domainStems.add(key);
    for (const { scriptIndex, counts } of raw) {
      if (scriptIndex !== scripts.length - 1) continue;
      for (const key of counts.keys()) if (key.startsWith('k:') && !inScripts.has(key)) this.foreignConcepts.add(key);
    }
    sums.forEach((sum, scriptIndex) => {
      const centroid = normalize(sum);
      this.centroids.push(centroid);
      for (const [key, weight] of centroid) {
        let list = this.centroidPostings.get(key);
        if (!list) this.centroidPostings.set(key, (list = []));
        list.push({ script: scriptIndex, weight });
      }
    });
  }

  private learnWord(word: string): void {
    if (this.knownWords.has(word)) return;
    this.knownWords.add(word);
    const bucket = this.vocabulary.get(word[0]!) ?? [];
    bucket.push(word);
    this.vocabulary.set(word[0]!, bucket);
  }

  /** An unknown word one or two typos from a catalog word is read as that word ("bolto" → "boleto"). */
  private repair(word: string): string {
    if (this.knownWords.has(word) || word.length < 4) return word;
    const budget = word.length >= 8 ? 2 : 1;
    let best = word;
    let bestDistance = budget + 1;
    // Typos rarely hit the first letter; checking one bucket keeps this fast on big catalogs.
    for (const known of this.vocabulary.get(word[0]!) ?? []) {
      if (known.length < 4) continue;
      const distance = editDistance(word, known, budget);
      if (distance < bestDistance) {
        best = known;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Sublinear TF × IDF, L2-normalized; features the catalog never saw carry no signal. */
  private weigh(counts: SparseVector): SparseVector {
    const vector: SparseVector = new Map();
    for (const [key, count] of counts) {
      const idf = this.idf.get(key);
      if (idf !== undefined) vector.set(key, (1 + Math.log(count)) * idf);
    }
    return normalize(vector);
  }

  /** The raw similarity of a message to every script, best first. */
  score(text: string): { scored: { scriptIndex: number; score: number }[]; noScript: number } {
    const content = this.analyzer.contentWords(text).map((word) => this.repair(word));
    const query = this.weigh(this.analyzer.features(content, this.analyzer.concepts(text, content)));
    if (!query.size) return { scored: [], noScript: 0 };
    const nearest = new Float64Array(this.scripts.length);
    const documentScores = new Float64Array(this.documents.length);
    const centroidScores = new Float64Array(this.scripts.length);
    for (const [key, weight] of query) {
      for (const posting of this.postings.get(key) ?? []) documentScores[posting.document]! += weight * posting.weight;
      for (const posting of this.centroidPostings.get(key) ?? []) centroidScores[posting.script]! += weight * posting.weight;
    }
    this.documents.forEach((document, index) => {
      if (documentScores[index]! > nearest[document.scriptIndex]!) nearest[document.scriptIndex] = documentScores[index]!;
    });
    const scored: { scriptIndex: number; score: number }[] = [];
    const keys = [...query.keys()];
    const foreign = keys.some((key) => this.foreignConcepts.has(key)) && !keys.some((key) => this.domainStems.has(key)) ? FOREIGN_PENALTY : 1;
    for (let index = 0; index < this.scripts.length - 1; index++) {
      const score = foreign * (0.3 * nearest[index]! + 0.7 * centroidScores[index]!);
      if (score > 0) scored.push({ scriptIndex: index, score });
    }
    const last = this.scripts.length - 1;
    const noScript = 0.3 * nearest[last]! + 0.7 * centroidScores[last]!;
    return { scored: scored.sort((a, b) => b.score - a.score), noScript };
  }

  /**
   * Scripts that different clauses of the message clearly ask for ("perdi o boleto e quero
   * cancelar o seguro"): more than one means the customer has two demands, and we ask which first.
   */
  private separateDemands(text: string): number[] {
    const clauses = fold(text)
      .split(/\s(?:e tambem|e|tambem|alem disso|mas|depois)\s|[,;!?]/)
      .filter((clause) => this.analyzer.contentWords(clause).length >= 2);
    if (clauses.length < 2) return [];
    const found = new Set<number>();
    for (const clause of clauses) {
      const [best, second] = this.score(clause).scored;
      if (best && best.score >= CLAUSE_MIN_SCORE && (!second || second.score < best.score * AMBIGUOUS_SCORE_RATIO)) found.add(best.scriptIndex);
    }
    return [...found];
  }

  match(text: string, topK = 3): MatchResult {
    const { scored, noScript } = this.score(text);
    if (!scored.length) return { scriptId: null, confidence: 0, verdict: 'none', candidates: [] };
    // Closer to small talk than to any script's examples: refuse, whatever the scores say.
    const refuse = noScript > 0 && noScript >= scored[0]!.score;
    const probabilities = calibrate(scored.map((entry) => entry.score));
    const candidates = scored.slice(0, topK).map((entry, index) => ({
      scriptId: this.scripts[entry.scriptIndex]!.id,
      title: this.scripts[entry.scriptIndex]!.title,
      score: round(entry.score),
      confidence: round(probabilities[index]!),
    }));
    const top = candidates[0]!;
    const runnerUp = candidates[1];
    if (refuse) return { scriptId: null, confidence: 0, verdict: 'none', candidates };
    const demands = this.separateDemands(text);
    if (demands.length > 1) {
      const named = demands.map((scriptIndex) => this.scripts[scriptIndex]!.id);
      const both = [...candidates.filter((candidate) => named.includes(candidate.scriptId))];
      if (both.length > 1) return { scriptId: null, confidence: top.confidence, verdict: 'ambiguous', candidates: both };
    }
    if (top.confidence >= this.threshold) {
      // Two scripts explaining the message almost equally well ("perdi o boleto e quero cancelar") is a question to ask.
      if (runnerUp && (top.confidence - runnerUp.confidence < this.ambiguityMargin || runnerUp.score >= top.score * AMBIGUOUS_SCORE_RATIO)) {
        return { scriptId: null, confidence: top.confidence, verdict: 'ambiguous', candidates };
      }
      return { scriptId: top.scriptId, confidence: top.confidence, verdict: 'confident', candidates };
    }
    // Weakly fitting but close to each other: worth asking which one, not worth refusing.
    const plausible = candidates.filter((candidate) => candidate.confidence >= this.threshold * 0.6);
    if (plausible.length >= 2) return { scriptId: null, confidence: top.confidence, verdict: 'ambiguous', candidates: plausible };
    return { scriptId: null, confidence: top.confidence, verdict: 'none', candidates };
  }
}

/**
 * Turns similarities into a probability-like confidence: how strongly the best script fits
 * (absolute score) and how clearly it beats the rest (softmax share). Constants were fitted
 * on the Portuguese dev set and checked on the English datasets.
 */
const NO_SCRIPT = '\u0000no-script';

function calibrate(scores: readonly number[]): number[] {
  const temperature = 0.08;
  const best = scores[0]!;
  const exps = scores.map((score) => Math.exp((score - best) / temperature));
  const total = exps.reduce((sum, value) => sum + value, 0);
  const fit = 1 / (1 + Math.exp(-(best - 0.22) / 0.05));
  return exps.map((value) => (value / total) * fit);
}

function normalize(vector: SparseVector): SparseVector {
  let norm = 0;
  for (const weight of vector.values()) norm += weight * weight;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  for (const [key, weight] of vector) vector.set(key, weight / norm);
  return vector;
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
}

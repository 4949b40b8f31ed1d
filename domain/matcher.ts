import { editDistance, words } from './text';

/**
 * Offline demand → script matcher: folded, stop-word-free word stems weighted by how rare
 * they are across the catalog (IDF), compared with each script's title, description and
 * examples. Pure and synchronous so it can be unit-tested and benchmarked on its own.
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
  score: number;
  confidence: number;
}

export interface MatchResult {
  scriptId: string | null;
  confidence: number;
  candidates: MatchCandidate[];
}

const STOP_WORDS: Record<'pt' | 'en', readonly string[]> = {
  pt: (
    'a o as os um uma uns umas de do da dos das no na nos nas em por para pra pro com sem e ou que se me mim meu minha meus minhas ' +
    'te ti seu sua seus suas voce voces ele ela eles elas eu nos isso isto esse essa este esta aquele aquela ao aos ate mais muito ' +
    'ja agora so tambem como qual quais quando onde porque pq ai la aqui ta esta estou estar sou ser foi era tem ter tenho tive ' +
    'fazer faz fiz quero queria gostaria preciso precisava poderia pode podem consegue consigo favor por-favor vc vcs ' +
    'oi ola bom boa dia tarde noite tudo bem obrigado obrigada valeu blz beleza hein ne sim nao'
  ).split(' '),
  en: (
    'a an the of to in on at for from by with without and or that this these those i me my mine you your he she it we they ' +
    'is are was were be been am do does did have has had can could would should will shall may might please hi hello hey ' +
    'thanks thank ok okay just so as if there here what which who how when where why not no yes'
  ).split(' '),
};

export type MatcherLanguage = keyof typeof STOP_WORDS;

export interface MatcherOptions {
  language?: MatcherLanguage;
  /** Below this confidence the matcher answers "no script fits". */
  threshold?: number;
}

/** A crude, language-agnostic stemmer: a word's first five letters, plural "s" dropped. */
function stem(word: string): string {
  const singular = word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
  return singular.slice(0, 5);
}

interface IndexedScript {
  script: MatchableScript;
  stems: Map<string, number>;
}

export class ScriptMatcher {
  private readonly indexed: IndexedScript[];
  private readonly idf = new Map<string, number>();
  private readonly vocabulary: string[];
  private readonly stopWords: Set<string>;
  private readonly threshold: number;

  constructor(scripts: readonly MatchableScript[], options: MatcherOptions = {}) {
    this.stopWords = new Set(STOP_WORDS[options.language ?? 'pt']);
    this.threshold = options.threshold ?? 0.35;
    this.indexed = scripts.map((script) => {
      const stems = new Map<string, number>();
      const add = (text: string, weight: number) => {
        for (const token of this.tokens(text)) stems.set(token, Math.max(stems.get(token) ?? 0, weight));
      };
      add(script.title, 1);
      add(script.description, 0.6);
      for (const example of script.examples) add(example, 1);
      return { script, stems };
    });
    const documentFrequency = new Map<string, number>();
    for (const { stems } of this.indexed) {
      for (const token of stems.keys()) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
    }
    const total = Math.max(this.indexed.length, 1);
    for (const [token, frequency] of documentFrequency) this.idf.set(token, Math.log(1 + total / frequency));
    this.vocabulary = [...documentFrequency.keys()];
  }

  private tokens(text: string): string[] {
    return words(text)
      .filter((word) => !this.stopWords.has(word) && word.length > 1)
      .map(stem);
  }

  /** Maps an unknown stem to a catalog stem one typo away, so "bolto" still finds "boleto". */
  private resolve(token: string): string | undefined {
    if (this.idf.has(token)) return token;
    if (token.length < 4) return undefined;
    return this.vocabulary.find((known) => known.length >= 4 && editDistance(token, known, 1) <= 1);
  }

  match(text: string, topK = 3): MatchResult {
    const query = [...new Set(this.tokens(text).map((token) => this.resolve(token)).filter((t): t is string => !!t))];
    const queryWeight = query.reduce((sum, token) => sum + (this.idf.get(token) ?? 0), 0);
    if (queryWeight === 0) return { scriptId: null, confidence: 0, candidates: [] };
    const scored = this.indexed
      .map(({ script, stems }) => {
        let overlap = 0;
        for (const token of query) overlap += (this.idf.get(token) ?? 0) * (stems.get(token) ?? 0);
        return { scriptId: script.id, title: script.title, score: overlap / queryWeight };
      })
      .filter((candidate) => candidate.score > 0)
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    const second = scored[1];
    const candidates = scored.slice(0, topK).map((candidate) => ({
      ...candidate,
      // Confidence rewards both how much of the message the script explains and its margin over the runner-up.
      confidence: round(candidate.score * (0.5 + 0.5 * Math.min(1, (candidate.score - (candidate === best ? second?.score ?? 0 : best!.score) + 0.5)))),
    }));
    const top = candidates[0];
    if (!top || top.confidence < this.threshold) return { scriptId: null, confidence: top?.confidence ?? 0, candidates };
    return { scriptId: top.scriptId, confidence: top.confidence, candidates };
  }
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
}

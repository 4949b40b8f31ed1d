import { ScriptMatcher, type MatchResult } from '../domain/matcher';
import type { IntentBenchmark } from './datasets';

/**
 * How the offline matcher reads a labelled set, counted both ways the figures use: the
 * classic top-1 (ignoring the threshold), and the product's view, where a first message is
 * right when the expected script runs or is offered among the clarifying options and a
 * confident wrong script is the costly mistake.
 */
export interface MatcherScore {
  inScope: number;
  top1: number;
  confidentRight: number;
  /** Runs the expected script, or offers it among the options. */
  right: number;
  confidentWrong: number;
  outOfScope: number;
  refused: number;
  /** Each labelled message with the matcher's reading, for listing misses. */
  readings: { text: string; expected: string | null; result: MatchResult }[];
}

export function scoreMatcher(benchmark: IntentBenchmark): MatcherScore {
  const matcher = new ScriptMatcher(benchmark.scripts, { language: benchmark.language });
  const score: MatcherScore = { inScope: 0, top1: 0, confidentRight: 0, right: 0, confidentWrong: 0, outOfScope: 0, refused: 0, readings: [] };
  for (const { text, expected } of benchmark.test) {
    const result = matcher.match(text);
    score.readings.push({ text, expected, result });
    if (expected === null) {
      score.outOfScope += 1;
      if (result.verdict === 'none') score.refused += 1;
      continue;
    }
    score.inScope += 1;
    if (result.candidates[0]?.scriptId === expected) score.top1 += 1;
    if (result.verdict === 'confident') {
      if (result.scriptId === expected) score.confidentRight += 1;
      else score.confidentWrong += 1;
    }
    if (isRight(result, expected)) score.right += 1;
  }
  return score;
}

/** The product's view of one reading: the expected script runs, or is among the options offered. */
export function isRight(result: MatchResult, expected: string): boolean {
  return result.scriptId === expected || (result.verdict === 'ambiguous' && result.candidates.some((candidate) => candidate.scriptId === expected));
}

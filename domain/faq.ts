import type { MatchResult } from './matcher';
import { ScriptMatcher } from './matcher';
import type { FaqEntry } from './persona';

/** An FAQ question must match at least this well to be answered from the FAQ. */
export const FAQ_THRESHOLD = 0.55;

/** Indexes the FAQ's questions with the script matcher, one "script" per entry. */
export function faqMatcher(faq: readonly FaqEntry[]): ScriptMatcher {
  return new ScriptMatcher(
    faq.map((entry, index) => ({ id: String(index), title: entry.question, description: '', examples: [entry.question] })),
    { threshold: FAQ_THRESHOLD },
  );
}

/**
 * The FAQ entry a message asks, or null. It must be a confident match and must not lose to a
 * confident script match: "quero a segunda via" starts a script even if an FAQ mentions boletos.
 */
export function answerFromFaq(matcher: ScriptMatcher, faq: readonly FaqEntry[], text: string, scriptMatch: MatchResult): FaqEntry | null {
  const match = matcher.match(text, 1);
  if (!match.scriptId || match.verdict !== 'confident') return null;
  if (scriptMatch.verdict === 'confident' && scriptMatch.confidence > match.confidence) return null;
  return faq[Number(match.scriptId)] ?? null;
}

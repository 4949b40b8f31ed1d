import { validateField } from '../../domain/fields';
import { ScriptMatcher } from '../../domain/matcher';
import type { FieldType } from '../../domain/scripts';
import { credsystem, extractDev, extractFresh, matchDev, ownFirstMessages } from '../../eval/datasets';
import { scoreMatcher } from '../../eval/score';

/** Quality floors on the shared dev sets, so a matcher or validator change that loses ground fails CI. */
describe('offline NLU on the shared dev sets', () => {
  test('the insurance dev messages match their script and out-of-scope ones are refused', () => {
    const benchmark = matchDev();
    const matcher = new ScriptMatcher(benchmark.scripts);
    const inScope = benchmark.test.filter((item) => item.expected !== null);
    const outOfScope = benchmark.test.filter((item) => item.expected === null);
    const right = inScope.filter((item) => matcher.match(item.text).candidates[0]?.scriptId === item.expected).length;
    const refused = outOfScope.filter((item) => matcher.match(item.text).verdict === 'none').length;
    expect(right / inScope.length).toBeGreaterThanOrEqual(0.94);
    expect(refused / outOfScope.length).toBeGreaterThanOrEqual(0.9);
  });

  test('every extract-dev answer normalizes to its expected value or is rejected', () => {
    const misses = extractDev().filter((item) => {
      const result = validateField(item.type as FieldType, item.text, { now: new Date(item.now), timeZone: 'America/Sao_Paulo', pastByDefault: true }, item.options);
      return (result.ok ? result.value : null) !== item.expected;
    });
    expect(misses).toEqual([]);
  });

  test('our own first messages: the right script runs or is offered, confident mistakes stay rare, other businesses are refused', () => {
    for (const name of ['match-fresh', 'match-holdout'] as const) {
      const score = scoreMatcher(ownFirstMessages(name));
      expect(score.right / score.inScope).toBeGreaterThanOrEqual(0.95);
      expect(score.confidentWrong / score.inScope).toBeLessThanOrEqual(0.04);
      expect(score.refused / score.outOfScope).toBeGreaterThanOrEqual(0.85);
    }
  });

  test('our own extraction answers, read in the customer\'s words, normalize as expected', () => {
    const misses = extractFresh().filter((item) => {
      const result = validateField(item.type as FieldType, item.text, { now: new Date(item.now), timeZone: 'America/Sao_Paulo', pastByDefault: true, vocabulary: true }, item.options);
      return (result.ok ? result.value : null) !== item.expected;
    });
    expect(misses).toEqual([]);
  });

  test('the pt-BR routing smoke set routes almost every message', () => {
    const benchmark = credsystem();
    const matcher = new ScriptMatcher(benchmark.scripts);
    const right = benchmark.test.filter((item) => matcher.match(item.text).candidates[0]?.scriptId === item.expected).length;
    expect(right / benchmark.test.length).toBeGreaterThanOrEqual(0.95);
  });
});

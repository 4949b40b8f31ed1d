import { ScriptMatcher } from '../domain/matcher';
import { demoCatalog } from './support/stack';

const matcher = new ScriptMatcher(demoCatalog.scripts.map((script) => ({ ...script, description: script.description ?? '' })));

describe('offline script matcher', () => {
  test.each([
    ['bom dia, tudo bem? preciso da segunda via do boleto', 'boleto'],
    ['BATI O CARRO!!!', 'sinistro'],
    ['quero cancelar o seguro', 'cancelamento'],
    ['quanto custa seguro viajem?', 'cotacao'],
    ['quero falar com um atendente humano', 'atendente'],
  ])('"%s" matches %s', (text, expected) => {
    const result = matcher.match(text);
    expect(result.scriptId).toBe(expected);
    expect(result.candidates[0]!.scriptId).toBe(expected);
    expect(result.confidence).toBeGreaterThan(0.35);
  });

  test('greetings alone and unrelated messages match nothing', () => {
    expect(matcher.match('bom dia, tudo bem?')).toEqual({ scriptId: null, confidence: 0, candidates: [] });
    expect(matcher.match('qual a previsão do tempo').scriptId).toBeNull();
  });

  test('candidates are ranked by score', () => {
    const { candidates } = matcher.match('perdi o boleto e quero cancelar o seguro');
    const scores = candidates.map((candidate) => candidate.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(candidates.map((candidate) => candidate.scriptId)).toEqual(expect.arrayContaining(['boleto', 'cancelamento']));
  });
});

import { ScriptMatcher } from '../../domain/matcher';
import { demoCatalog } from '../support/stack';

const matcher = new ScriptMatcher(demoCatalog.scripts.map((script) => ({ ...script, description: script.description ?? '' })));

describe('offline script matcher', () => {
  test.each([
    ['bom dia, tudo bem? preciso da segunda via do boleto', 'boleto'],
    ['BATI O CARRO!!!', 'sinistro'],
    ['levaram meu carro do estacionamento', 'sinistro'],
    ['quero cancelar o seguro', 'cancelamento'],
    ['quanto custa seguro viajem?', 'cotacao'],
    ['preciso da segunda via do bolto', 'boleto'],
    ['quero falar com um atendente humano', 'atendente'],
  ])('"%s" matches %s confidently', (text, expected) => {
    const result = matcher.match(text);
    expect(result).toMatchObject({ verdict: 'confident', scriptId: expected });
    expect(result.candidates[0]!.scriptId).toBe(expected);
  });

  test('a word inside a phrase of another concept does not count on its own: "parar de pagar" is a cancellation, not a payment', () => {
    expect(matcher.match('quero parar de pagar o seguro')).toMatchObject({ verdict: 'confident', scriptId: 'cancelamento' });
  });

  test('a car model is read as a vehicle: "quanto fica o seguro de um onix?" is a quote', () => {
    expect(matcher.match('quanto fica o seguro de um onix?')).toMatchObject({ verdict: 'confident', scriptId: 'cotacao' });
  });

  test('when the customer asks whether we sell or repair something else, then no script fits; selling what the catalog is about still does', () => {
    for (const text of ['vocês vendem pneu?', 'vocês consertam máquina de lavar?', 'qual o telefone da prefeitura?']) {
      expect(matcher.match(text)).toMatchObject({ scriptId: null, verdict: 'none' });
    }
    expect(matcher.match('vocês vendem seguro de carro?')).toMatchObject({ verdict: 'confident', scriptId: 'cotacao' });
  });

  test('when the message is only a greeting or small talk, then no script fits', () => {
    expect(matcher.match('bom dia, tudo bem?')).toEqual({ scriptId: null, confidence: 0, verdict: 'none', candidates: [] });
    for (const text of ['qual a previsão do tempo', 'me conta uma piada', 'vocês têm vaga de emprego?']) {
      expect(matcher.match(text)).toMatchObject({ scriptId: null, verdict: 'none' });
    }
  });

  test('when a message mentions two demands, then it is ambiguous and offers both, best first', () => {
    const result = matcher.match('perdi o boleto e quero cancelar o seguro');
    expect(result.verdict).toBe('ambiguous');
    expect(result.scriptId).toBeNull();
    const scores = result.candidates.map((candidate) => candidate.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(result.candidates.slice(0, 2).map((candidate) => candidate.scriptId).sort()).toEqual(['boleto', 'cancelamento']);
  });

  test('an English catalog matches with the English analyzer', () => {
    const english = new ScriptMatcher(
      [
        { id: 'card_lost', title: 'Lost or stolen card', description: 'Block a card that was lost or stolen', examples: ['I lost my card', 'my card was stolen'] },
        { id: 'refund', title: 'Request a refund', description: 'Money back for a purchase', examples: ['I want my money back', 'refund my order'] },
      ],
      { language: 'en' },
    );
    expect(english.match('someone stole my cards yesterday').scriptId).toBe('card_lost');
    expect(english.match('please refund the purchase').scriptId).toBe('refund');
    expect(english.match('tell me a joke').verdict).toBe('none');
  });
});

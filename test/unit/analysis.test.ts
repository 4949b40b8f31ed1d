import { analyzeOffline, frustrationLevel, lexiconSentiment, lexiconUrgency } from '../../domain/analysis';
import { analysisSchema } from '../../domain/schemas';

const now = new Date('2026-03-10T15:00:00Z');

describe('offline sentiment', () => {
  it.each([
    ['gostei muito do atendimento', 'positive'],
    ['não gostei do atendimento', 'negative'],
    ['não está ruim', 'neutral'],
    ['não foi nada ruim, gostei', 'positive'],
    ['o preço é bom mas a cobertura é fraca', 'mixed'],
    ['atendimento rápido, porém o app trava', 'mixed'],
    ['péssimo 😡', 'negative'],
    ['chegou certinho 😍', 'positive'],
    ['NINGUÉM RESOLVE NADA AQUI', 'negative'],
    ['bom dia, preciso da segunda via', 'neutral'],
    ['até agora nada, estou chateado', 'negative'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(lexiconSentiment(text)).toBe(expected);
  });

  it('when an intensifier comes before a complaint, then it outweighs a polite thank-you', () => {
    expect(lexiconSentiment('muito insatisfeito, obrigado')).toBe('negative');
  });
});

describe('offline urgency', () => {
  it.each([
    ['bati o carro e meu filho está ferido', 'critical'],
    ['o carro está pegando fogo', 'critical'],
    ['tem gente presa nas ferragens', 'critical'],
    ['houve um incêndio mas ninguém se feriu', 'high'],
    ['bati o carro, ninguém se machucou', 'high'],
    ['estou preso na estrada sem guincho', 'high'],
    ['acabaram de roubar minha moto', 'high'],
    ['vou acionar meu advogado', 'high'],
    ['isso é um roubo, cobraram duas vezes', 'medium'],
    ['tive um acidente leve, só arranhou', 'medium'],
    ['meu boleto vence hoje', 'medium'],
    ['o guincho chegou rápido, obrigado', 'low'],
    ['qual o horário de vocês?', 'low'],
  ])('rates "%s" as %s', (text, expected) => {
    expect(lexiconUrgency(text)).toBe(expected);
  });
});

describe('frustration', () => {
  it('grows with repeated contact, shouting and threats, from 1 to 5', () => {
    expect(frustrationLevel('quero uma cotação')).toBe(1);
    expect(frustrationLevel('o app é ruim')).toBe(2);
    expect(frustrationLevel('é a terceira vez que peço e nada')).toBe(3);
    expect(frustrationLevel('É A TERCEIRA VEZ QUE PEÇO!!! QUE ABSURDO')).toBe(4);
    expect(frustrationLevel('É A TERCEIRA VEZ QUE PEÇO!!! vou no procon')).toBe(5);
  });
});

describe('analyzeOffline', () => {
  it('when a script was collected, then the summary says who, what and the data, in Portuguese', () => {
    const analysis = analyzeOffline({
      customerMessages: ['oi', 'roubaram meu carro há dez minutos'],
      customerName: 'Ana Souza',
      scriptId: 'sinistro',
      scriptTitle: 'Aviso de sinistro',
      collected: [
        { label: 'CPF', value: '529.982.247-25' },
        { label: 'Placa', value: 'ABC1D23' },
      ],
      now,
    });
    expect(analysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis).toMatchObject({ sentiment: 'negative', urgency: 'high', intent: 'sinistro', engine: 'offline', analyzedAt: now.toISOString() });
    expect(analysis.summary).toBe(
      'Cliente Ana Souza pediu: Aviso de sinistro. Relato: "roubaram meu carro há dez minutos". Dados: CPF: 529.982.247-25; Placa: ABC1D23. Urgência alta (roubo ou furto).',
    );
    expect(analysis.topics).toEqual(['Aviso de sinistro', 'roubo/furto', 'seguro auto']);
    expect(analysis.suggestedActions.map((action) => action.type)).toEqual(['OPEN_CLAIM', 'PRIORITIZE', 'APOLOGIZE']);
  });

  it('when someone is hurt, then the first suggested action is to call for help', () => {
    const analysis = analyzeOffline({ customerMessages: ['capotei e estou sangrando'], now });
    expect(analysis.urgency).toBe('critical');
    expect(analysis.intent).toBe('emergency');
    expect(analysis.suggestedActions[0]?.type).toBe('CALL_EMERGENCY');
  });

  it('when no script matched, then the intent comes from the words', () => {
    expect(analyzeOffline({ customerMessages: ['quanto custa um seguro para moto?'], now }).intent).toBe('purchase_inquiry');
    expect(analyzeOffline({ customerMessages: ['quero cancelar o seguro'], now }).intent).toBe('cancellation');
  });
});

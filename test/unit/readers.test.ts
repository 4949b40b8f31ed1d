import { validateField, type FieldContext } from '../../domain/fields';
import { asksForPerson, isEmergency, isQuestion, isSmallTalk, questionTopic, wantsToStop } from '../../domain/talk';
import { optionFromWords } from '../../domain/vocabulary';
import { demandOf, findCorrection } from '../../domain/collection';
import type { Step } from '../../domain/scripts';

const context: FieldContext = { now: new Date('2026-06-10T12:00:00Z'), timeZone: 'America/Sao_Paulo', pastByDefault: true, vocabulary: true };
const strict: FieldContext = { ...context, vocabulary: false };

describe('answers in the customer\'s words', () => {
  test.each([
    ['foi uma batida', ['colisão', 'roubo', 'furto', 'incêndio', 'alagamento'], 'colisão'],
    ['levaram o carro com arma', ['colisão', 'roubo', 'furto', 'incêndio', 'alagamento'], 'roubo'],
    ['pneu furado', ['guincho', 'chaveiro', 'troca de pneu', 'pane seca', 'pane elétrica'], 'troca de pneu'],
    ['acabou o combustível', ['guincho', 'chaveiro', 'troca de pneu', 'pane seca', 'pane elétrica'], 'pane seca'],
    ['a bateria arriou', ['guincho', 'chaveiro', 'troca de pneu', 'pane seca', 'pane elétrica'], 'pane elétrica'],
    ['é o da minha casa', ['auto', 'residencial', 'vida', 'viagem'], 'residencial'],
  ])('"%s" reads as %s', (text, options, expected) => {
    expect(validateField('choice', text, context, options)).toEqual({ ok: true, value: expected });
  });

  test.each([
    ['o segundo', 'residencial'],
    ['a terceira opção', 'vida'],
    ['opção 4', 'viagem'],
    ['a 1', 'auto'],
  ])('"%s" picks the option by its position: %s', (text, expected) => {
    expect(validateField('choice', text, context, ['auto', 'residencial', 'vida', 'viagem'])).toEqual({ ok: true, value: expected });
  });

  test('a day of the month alone is this month\'s, or last month\'s when it has not come yet', () => {
    expect(validateField('date', 'foi no dia 8', context)).toEqual({ ok: true, value: '2026-06-08' });
    expect(validateField('date', 'dia 20', context)).toEqual({ ok: true, value: '2026-05-20' });
    expect(validateField('date', 'dia 20', strict).ok).toBe(false);
  });

  test('a script\'s declared synonyms are read too', () => {
    expect(optionFromWords('foi o granizo', ['vendaval', 'granizo'], {})).toBe('granizo');
    expect(optionFromWords('caiu pedra de gelo', ['vendaval', 'granizo'], { granizo: ['pedra de gelo'] })).toBe('granizo');
  });

  test('conversations started before keep the strict readers', () => {
    expect(validateField('choice', 'foi uma batida', strict, ['colisão', 'roubo']).ok).toBe(false);
    expect(validateField('year', '2022/2023', strict)).toEqual({ ok: true, value: '2022' });
  });

  test.each([
    ['2022/2023', '2023'],
    ['22/23', '2023'],
    ['2024', '2024'],
  ])('the year "%s" is the model year %s', (text, expected) => {
    expect(validateField('year', text, context)).toEqual({ ok: true, value: expected });
  });

  test.each([
    ['ainda não fiz', 'false'],
    ['graças a deus não', 'false'],
    ['não, ninguém', 'false'],
    ['sim, já registrei', 'true'],
    ['já fiz', 'true'],
  ])('"%s" is %s', (text, expected) => {
    expect(validateField('yes_no', text, context)).toEqual({ ok: true, value: expected });
  });
});

describe('what a message is besides an answer', () => {
  test.each(['oi', 'olá!', 'bom dia, tudo bem?', 'tudo certo por aí?', 'boa tarde pessoal'])('"%s" is small talk', (text) => expect(isSmallTalk(text)).toBe(true));
  test.each(['oi, preciso do boleto', 'bom dia, quero cancelar'])('"%s" is a demand, not small talk', (text) => expect(isSmallTalk(text)).toBe(false));
  test.each(['quero conversar com alguém de carne e osso', 'me transfere pra um atendente', 'posso falar com um humano?'])('"%s" asks for a person', (text) =>
    expect(asksForPerson(text)).toBe(true));
  test.each(['quero cancelar o seguro', 'a pessoa que me atendeu foi grossa'])('"%s" does not ask for a person', (text) => expect(asksForPerson(text)).toBe(false));
  test('questions and their topics', () => {
    expect([isQuestion('vocês atendem no sábado?'), questionTopic('vocês atendem no sábado?')]).toEqual([true, 'hours']);
    expect(questionTopic('pra que vocês precisam do meu cpf?')).toBe('why');
    expect(questionTopic('vocês atendem sinistro de moto?')).toBeNull();
    expect(isQuestion('529.982.247-25')).toBe(false);
  });
  test('giving up and emergencies', () => {
    expect(wantsToStop('esquece, não quero mais')).toBe(true);
    expect(wantsToStop('quero cancelar o seguro')).toBe(false);
    expect(isEmergency('um motoqueiro bateu no meu carro e ele está machucado')).toBe(true);
    expect(isEmergency('bati o carro, ninguém se feriu')).toBe(false);
    expect(isEmergency('levaram o carro com arma')).toBe(false);
    expect(isEmergency('tem um cara armado me seguindo')).toBe(true);
    expect(isEmergency('a enchente arrastou o carro e meu pai está preso dentro')).toBe(true);
    expect(isEmergency('fiquei preso na estrada sem gasolina')).toBe(false);
  });
});

describe('corrections in the customer\'s words', () => {
  const steps: Step[] = [
    { id: 'cpf', question: 'Qual é o seu CPF?', type: 'cpf', required: true },
    { id: 'email', question: 'Para qual e-mail envio?', type: 'email', required: true },
  ];
  const answers = { cpf: '52998224725', email: 'joao@gmial.com' };
  test('"ops, o email certo é …" corrects the e-mail', () => {
    expect(findCorrection(steps, answers, 'ops, o email certo é joao@gmail.com', context)).toEqual({ stepId: 'email', value: 'joao@gmail.com' });
  });
  test('conversations started before keep the stricter reading', () => {
    expect(findCorrection(steps, answers, 'ops, o email certo é joao@gmail.com', strict)).toBeNull();
  });
});

describe('the demand without the data volunteered with it', () => {
  test.each([
    ['oi, cpf 390.533.447-05, quero a 2a via da apólice no email leo@gmail.com', /^oi,* quero a 2a via da apólice$/],
    ['bati o carro ontem, placa ABC1D23', /^bati o carro ontem$/],
    ['quero atualizar meu email', /^quero atualizar meu email$/],
  ])('"%s" is matched as its demand', (text, expected) => {
    expect(demandOf(text)).toMatch(expected);
  });
});

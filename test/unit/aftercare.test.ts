import { declinesRating, describeSpan, followUpPlan, isAllGood, isGreeting, readScore } from '../../domain/aftercare';
import { prompt } from '../support/workflow-fakes';

describe('reading a satisfaction score', () => {
  test.each([
    ['5', 5],
    ['nota 4', 4],
    ['4/5', 4],
    ['3 de 5', 3],
    ['⭐⭐⭐⭐', 4],
    ['cinco', 5],
    ['ótimo!', 5],
    ['Excelente atendimento, obrigado', 5],
    ['bom', 4],
    ['mais ou menos', 3],
    ['não foi bom', 2],
    ['ruim', 2],
    ['muito ruim', 1],
    ['péssimo', 1],
  ])('when the customer answers "%s", then the score is %s', (text, score) => {
    expect(readScore(text)).toBe(score);
  });

  test.each(['10', '0', 'hmm', 'quero a segunda via do boleto', 'uma pergunta', 'entre 3 e 4'])('when the customer answers "%s", then no score is read', (text) => {
    expect(readScore(text)).toBeNull();
  });

  test('a refusal is taken as an answer', () => {
    expect(declinesRating('prefiro não')).toBe(true);
    expect(declinesRating('não sei')).toBe(false);
  });
});

describe('replies after a check-in', () => {
  test('"sim, deu certo" and thanks say all went well; a complaint does not', () => {
    expect(isAllGood('sim, deu certo')).toBe(true);
    expect(isAllGood('obrigada!')).toBe(true);
    expect(isAllGood('não chegou nada')).toBe(false);
  });

  test('a greeting on coming back is not an answer', () => {
    expect(isGreeting('oi, voltei')).toBe(true);
    expect(isGreeting('boa tarde')).toBe(true);
    expect(isGreeting('oi, meu cpf é 529.982.247-25 e a parcela é de março')).toBe(false);
  });

  test('spans read in words', () => {
    expect(describeSpan(30 * 60_000)).toBe('em até 30 minutos');
    expect(describeSpan(24 * 3_600_000)).toBe('em até 24 horas');
    expect(describeSpan(72 * 3_600_000)).toBe('em até 3 dias');
  });
});

describe('the follow-up plan', () => {
  test('a script\'s own follow-ups come first, in order, with their reply rules', () => {
    const plan = followUpPlan({ followUps: [{ after: '2h', message: 'Deu certo?', onReply: 'reopen' }, { after: '1d', message: 'E agora?', onReply: 'match' }] }, [], 3_600_000);
    expect(plan).toEqual([
      { afterMs: 7_200_000, message: 'Deu certo?', onReply: 'reopen' },
      { afterMs: 86_400_000, message: 'E agora?', onReply: 'match' },
    ]);
  });

  test('without them, FOLLOW_UP prompts that name a delay; without those, the default check-in', () => {
    const timed = prompt({ actionType: 'FOLLOW_UP', conditions: { followUpAfterMinutes: 90, onReply: 'escalate' } });
    const untimed = prompt({ actionType: 'FOLLOW_UP' });
    const inactive = prompt({ actionType: 'FOLLOW_UP', isActive: false, conditions: { followUpAfterMinutes: 5 } });
    expect(followUpPlan({ followUps: [] }, [timed, untimed, inactive], 3_600_000)).toEqual([
      { afterMs: 5_400_000, message: null, onReply: 'escalate', promptId: timed.id },
    ]);
    expect(followUpPlan(null, [untimed], 3_600_000)).toEqual([{ afterMs: 3_600_000, message: null, onReply: 'match' }]);
  });
});

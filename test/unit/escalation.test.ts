import { analyzeOffline } from '../../domain/analysis';
import { asksForHuman, decideAfterCollection, defaultEscalationPolicy, priorityOf } from '../../domain/escalation';
import { escalationPolicySchema } from '../../domain/schemas';
import { addWorkingTime, describeOpening, isOpen, nextOpening } from '../../domain/hours';
import { demoScripts as scripts } from '../support/workflow-fakes';

const script = (id: string) => scripts.find((candidate) => candidate.id === id)!;
const analysis = (text: string) => analyzeOffline({ customerMessages: [text], now: new Date('2026-11-20T15:00:00Z') });

describe('escalation policy', () => {
  test.each([
    ['quero falar com um atendente', true],
    ['Posso falar com uma pessoa de verdade?', true],
    ['me passa para um humano, por favor', true],
    ['quero atendimento humano', true],
    ['não quero falar com robô', true],
    ['chama um atendente aí', true],
    ['preciso da segunda via do boleto', false],
    ['a pessoa que bateu no meu carro fugiu', false],
    ['o atendente anterior me ajudou muito', false],
  ])('asksForHuman(%j) is %s', (text, expected) => {
    expect(asksForHuman(text)).toBe(expected);
  });

  test('when the script escalates on completion, then that rule wins and names the script', () => {
    const found = decideAfterCollection(defaultEscalationPolicy, script('sinistro'), analysis('bati o carro, ninguém se feriu'));
    expect(found).toMatchObject({ reason: 'script_requires_agent', code: 'script_requires_agent' });
    expect(found!.detail).toContain(script('sinistro').title);
  });

  test('when urgency reaches the policy level, then it escalates with the level in code and words', () => {
    const found = decideAfterCollection(defaultEscalationPolicy, script('boleto'), analysis('meu carro está pegando fogo na estrada, socorro'));
    expect(found).toMatchObject({ reason: 'urgency', code: 'urgency_critical' });
    expect(found!.detail).toMatch(/^Urgência crítica: /);
    expect(decideAfterCollection(escalationPolicySchema.parse({ urgencyAtLeast: 'never' }), script('boleto'), analysis('meu carro está pegando fogo'))).toBeNull();
  });

  test('when a complaint is negative, then it escalates unless the tenant turned the rule off', () => {
    const angry = analysis('quero registrar uma reclamação, o atendimento de vocês é péssimo e um absurdo');
    expect(angry.intent).toBe('complaint');
    expect(decideAfterCollection(defaultEscalationPolicy, script('boleto'), angry)).toMatchObject({ reason: 'negative_complaint' });
    expect(decideAfterCollection(escalationPolicySchema.parse({ negativeComplaints: false }), script('boleto'), angry)).toBeNull();
  });

  test('when nothing calls for a person, then the bot resolves', () => {
    expect(decideAfterCollection(defaultEscalationPolicy, script('boleto'), analysis('preciso da segunda via do boleto de março'))).toBeNull();
  });

  test('a policy rejects unknown keys and out-of-range numbers, naming the field', () => {
    const parsed = escalationPolicySchema.safeParse({ maxMatchMisses: 0, colour: 'blue' });
    expect(parsed.success).toBe(false);
    const paths = parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.') || issue.message);
    expect(paths.join(' ')).toMatch(/maxMatchMisses/);
    expect(paths.join(' ')).toMatch(/colour/);
  });

  test('ticket priority follows urgency', () => {
    expect([priorityOf('critical'), priorityOf('high'), priorityOf('medium'), priorityOf('low'), priorityOf(undefined)]).toEqual(['urgent', 'high', 'medium', 'low', 'medium']);
  });
});

describe('business hours', () => {
  // Monday to Friday, 08:00–18:00 in São Paulo (UTC−3, no daylight saving since 2019)
  const hours = { start: '08:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] };

  test.each([
    ['2026-11-18T11:00:00Z', true], // Wednesday 08:00 local
    ['2026-11-18T10:59:00Z', false], // Wednesday 07:59
    ['2026-11-18T20:59:00Z', true], // Wednesday 17:59
    ['2026-11-18T21:00:00Z', false], // Wednesday 18:00
    ['2026-11-21T14:00:00Z', false], // Saturday
  ])('isOpen at %s is %s', (at, expected) => {
    expect(isOpen(hours, new Date(at))).toBe(expected);
  });

  test('the next opening after Friday evening is Monday 08:00 local, said as "segunda-feira"', () => {
    const friday = new Date('2026-11-20T22:30:00Z'); // Friday 19:30 local
    const opening = nextOpening(hours, friday);
    expect(opening.toISOString()).toBe('2026-11-23T11:00:00.000Z');
    expect(describeOpening(hours, opening, friday)).toBe('segunda-feira às 08:00');
  });

  test('before opening on a work day the next opening is today; after closing it is tomorrow', () => {
    const early = new Date('2026-11-18T09:00:00Z'); // Wednesday 06:00
    expect(describeOpening(hours, nextOpening(hours, early), early)).toBe('hoje às 08:00');
    const late = new Date('2026-11-18T22:00:00Z'); // Wednesday 19:00
    expect(nextOpening(hours, late).toISOString()).toBe('2026-11-19T11:00:00.000Z');
    expect(describeOpening(hours, nextOpening(hours, late), late)).toBe('amanhã às 08:00');
  });

  test('Sunday written as 7 counts as Sunday', () => {
    expect(isOpen({ ...hours, workDays: [7] }, new Date('2026-11-22T12:00:00Z'))).toBe(true);
  });
});

describe('working time', () => {
  // Monday to Saturday, 08:00–20:00 in São Paulo (UTC−3)
  const shop = { start: '08:00', end: '20:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5, 6] };
  const hour = 3_600_000;

  test('an hour of working time from Friday 19:50 ends Saturday 08:50', () => {
    expect(addWorkingTime(shop, new Date('2026-11-20T22:50:00Z'), hour).toISOString()).toBe('2026-11-21T11:50:00.000Z');
  });

  test('a holiday on that Saturday moves it to Monday 08:50; Sunday is off anyway', () => {
    const holiday = { ...shop, holidays: ['2026-11-21'] };
    expect(addWorkingTime(holiday, new Date('2026-11-20T22:50:00Z'), hour).toISOString()).toBe('2026-11-23T11:50:00.000Z');
  });

  test('inside the opening it is plain addition; from a closed time it counts from the next opening', () => {
    expect(addWorkingTime(shop, new Date('2026-11-18T13:00:00Z'), 2 * hour).toISOString()).toBe('2026-11-18T15:00:00.000Z');
    expect(addWorkingTime(shop, new Date('2026-11-22T13:00:00Z'), 30 * 60_000).toISOString()).toBe('2026-11-23T11:30:00.000Z');
  });

  test('a lunch break does not count, and back-to-back intervals are one stretch', () => {
    const split = { ...shop, intervals: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '18:00' }] };
    // Wednesday 11:30 + 1 h = 12:00 → (lunch) → 13:30
    expect(addWorkingTime(split, new Date('2026-11-18T14:30:00Z'), hour).toISOString()).toBe('2026-11-18T16:30:00.000Z');
    expect(isOpen(split, new Date('2026-11-18T15:30:00Z'))).toBe(false);
    expect(describeOpening(split, nextOpening(split, new Date('2026-11-18T15:30:00Z')), new Date('2026-11-18T15:30:00Z'))).toBe('hoje às 13:00');
    const adjacent = { ...shop, intervals: [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '20:00' }] };
    expect(addWorkingTime(adjacent, new Date('2026-11-18T14:30:00Z'), hour).toISOString()).toBe('2026-11-18T15:30:00.000Z');
  });

  test('more working time than a day holds spreads over the following work days', () => {
    // 12 h a day: Friday 19:00 + 14 h = 1 h Friday + 12 h Saturday + 1 h Monday → Monday 09:00
    expect(addWorkingTime(shop, new Date('2026-11-20T22:00:00Z'), 14 * hour).toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });
});

describe('the default escalation policy', () => {
  test('when a tenant has tuned nothing, then the workflow default equals the schema defaults the API applies', () => {
    expect(defaultEscalationPolicy).toEqual(escalationPolicySchema.parse({}));
  });
});

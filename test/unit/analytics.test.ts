import { csvLine, type ConversationListItem } from '../../db/analytics';
import { percentile, priorityOf, timeStats, workingTimeBetween, workingTimeline } from '../../domain/analytics';
import type { WorkingHours } from '../../domain/persona';

const shop: WorkingHours = { start: '09:00', end: '18:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5] };

describe('metric definitions', () => {
  test('percentiles interpolate between ranks as Postgres percentile_cont does', () => {
    expect(percentile([2, 4, 6, 8], 0.5)).toBe(5);
    expect(percentile([2, 4, 6, 8], 0.9)).toBeCloseTo(7.4, 10);
    expect(percentile([300, 227_880], 0.9)).toBeCloseTo(205_122, 6);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
    expect(timeStats([600, 1860])).toEqual({ median: 1230, p90: expect.closeTo(1734, 6), mean: 1230 });
    expect(timeStats([])).toEqual({ median: null, p90: null, mean: null });
  });

  test('working time counts only the openings: Friday 17:52 → Monday 09:10 is 18 minutes', () => {
    const friday = new Date('2026-11-27T20:52:00Z'); // 17:52 in São Paulo
    const monday = new Date('2026-11-30T12:10:00Z'); // 09:10
    expect(workingTimeBetween(shop, friday, monday)).toBe(18 * 60_000);
    // inside one opening: the wall clock
    expect(workingTimeBetween(shop, new Date('2026-11-25T14:01:00Z'), new Date('2026-11-25T14:06:00Z'))).toBe(5 * 60_000);
    // a night and nothing else
    expect(workingTimeBetween(shop, new Date('2026-11-25T22:00:00Z'), new Date('2026-11-26T11:00:00Z'))).toBe(0);
    // a holiday does not count either
    const withHoliday: WorkingHours = { ...shop, holidays: ['2026-11-30'] };
    expect(workingTimeBetween(withHoliday, friday, new Date('2026-12-01T12:10:00Z'))).toBe(18 * 60_000);
  });

  test('the seed\'s priorities from the analyzer\'s urgencies', () => {
    expect([priorityOf('critical'), priorityOf('high'), priorityOf('medium'), priorityOf('low'), priorityOf(null)]).toEqual(['HIGH', 'HIGH', 'MEDIUM', 'LOW', null]);
  });

  test('a CSV cell a spreadsheet would run as a formula is defused; commas and quotes are quoted', () => {
    const item: ConversationListItem = {
      id: 'c1', createdAt: '2026-11-25T13:00:00.000Z', updatedAt: '2026-11-25T13:10:00.000Z', status: 'resolved', seedStatus: 'RESOLVED',
      priority: 'LOW', urgency: 'low', channel: 'web', scriptId: null, agentId: null, visitorId: null,
      contactName: '=HYPERLINK("http://x")', contactEmail: 'a,b@exemplo.com', frustration: 1, csat: 5,
      firstResponseSeconds: 2.4, firstHumanResponseSeconds: null, resolutionSeconds: 600, messages: 7, resolved: true, escalated: false,
    };
    const cells = csvLine(item);
    expect(cells).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(cells).toContain('"a,b@exemplo.com"');
    expect(cells.startsWith('c1,2026-11-25T13:00:00.000Z,2026-11-25T13:10:00.000Z,RESOLVED,LOW,web,,,1,2,10.0,7,5,true,false,')).toBe(true);
  });
});

describe('the working-time timeline', () => {
  test('gives the same working time as the calendar walk, for spans across nights, weekends and a holiday', () => {
    const hours: WorkingHours = { ...shop, intervals: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }], holidays: ['2026-11-20'] };
    const from = new Date('2026-11-01T00:00:00Z');
    const to = new Date('2026-12-01T00:00:00Z');
    const between = workingTimeline(hours, from, to);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let index = 0; index < 300; index++) {
      const start = new Date(from.getTime() + random() * (to.getTime() - from.getTime()));
      const end = new Date(start.getTime() + random() * 5 * 86_400_000);
      if (end > to) continue;
      expect([start.toISOString(), between(start, end)]).toEqual([start.toISOString(), workingTimeBetween(hours, start, end)]);
    }
  });
});

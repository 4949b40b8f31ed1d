import { expiringCache } from '../../lib/cache';

describe('expiringCache', () => {
  afterEach(() => jest.useRealTimers());

  test('a value is loaded once within its time, again after it', async () => {
    jest.useFakeTimers({ now: 0 });
    const cache = expiringCache<number>(1_000);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache('a', load)).toBe(1);
    jest.setSystemTime(999);
    expect(await cache('a', load)).toBe(1);
    jest.setSystemTime(1_000);
    expect(await cache('a', load)).toBe(2);
  });

  test('past its size the oldest key goes, the others stay', async () => {
    const cache = expiringCache<string>(60_000, 2);
    const loaded: string[] = [];
    const load = (key: string) => async () => (loaded.push(key), key);
    for (const key of ['a', 'b', 'c', 'b', 'a']) await cache(key, load(key));
    expect(loaded).toEqual(['a', 'b', 'c', 'a']);
  });
});

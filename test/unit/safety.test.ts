import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { storageSafety } from '../../activities/safety';
import { failureTypes } from '../../domain/conversation';
import { storable, unstorablePath } from '../../domain/text';

const execute = (next: (input: ActivityExecuteInput) => Promise<unknown>, args: unknown[]) =>
  storageSafety({} as never).inbound!.execute!({ args, headers: {} }, next);

describe('text no store can keep', () => {
  test('NUL and unpaired surrogates are found by path and replaced; pairs and ordinary text are kept as they are', () => {
    expect(unstorablePath({ customer: { name: 'a\u0000' } })).toBe('customer.name');
    expect(unstorablePath({ items: ['ok', 'x\ud800'] })).toBe('items.1');
    expect(unstorablePath({ emoji: '😀 ok', accents: 'ção' })).toBeNull();
    expect(storable({ text: 'a\u0000b\udc00', keep: '😀' })).toEqual({ text: 'a\ufffdb\ufffd', keep: '😀' });
    const clean = { text: 'fine', list: ['a'] };
    expect(storable(clean)).toBe(clean);
  });
});

describe('every activity, through the storage-safety interceptor', () => {
  test('its arguments arrive storable', async () => {
    const next = jest.fn(async (input: ActivityExecuteInput) => input.args);
    expect(await execute(next, [{ messages: [{ text: 'a\u0000b' }] }])).toEqual([{ messages: [{ text: 'a\ufffdb' }] }]);
  });

  test.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['23505', 'duplicate key value violates unique constraint'],
    ['22P02', 'invalid input syntax for type uuid'],
  ])('a store refusal no retry can fix (SQLSTATE %s) fails at once as InvalidData', async (code, message) => {
    const failure = await execute(async () => Promise.reject(Object.assign(new Error(message), { code })), []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: failureTypes.invalidData, nonRetryable: true, message });
  });

  test('a transient failure (connection lost, serialization) is left to the retry policy', async () => {
    for (const code of ['08006', '40001', 'ECONNREFUSED']) {
      const error = Object.assign(new Error('transient'), { code });
      await expect(execute(async () => Promise.reject(error), [])).rejects.toBe(error);
    }
  });
});

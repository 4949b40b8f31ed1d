import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { failureTypes } from '../domain/conversation';
import { storable } from '../domain/text';

/**
 * Every activity, seen from the worker: text Postgres cannot store (NUL, half a surrogate
 * pair, from a customer, a model or a helpdesk) is replaced before the activity runs, and a
 * refusal of our own store that no retry can fix (SQLSTATE class 22, data exception, or 23,
 * integrity constraint) fails at once as InvalidData instead of being retried forever.
 */
export const storageSafety: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next({ ...input, args: input.args.map(storable) });
      } catch (error) {
        throw isUnfixable(error) ? ApplicationFailure.create({ type: failureTypes.invalidData, message: (error as Error).message, nonRetryable: true }) : error;
      }
    },
  },
});

function isUnfixable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

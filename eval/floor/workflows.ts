import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type * as floorActivities from './activities';

/**
 * The floor `npm run bench` measures the product against: the least a turn can cost on
 * Temporal. An Update to a workflow that only returns, or that calls one activity, or one
 * local activity, and waits for the next.
 */
export const pingUpdate = defineUpdate<{ text: string }, [{ text: string }]>('ping');
export const stopSignal = defineSignal('stop');

const { noop } = proxyActivities<typeof floorActivities>({ startToCloseTimeout: '10 seconds' });
const { noop: localNoop } = proxyLocalActivities<typeof floorActivities>({ startToCloseTimeout: '10 seconds' });

async function serve(handle: (input: { text: string }) => Promise<{ text: string }>): Promise<void> {
  let stopped = false;
  setHandler(pingUpdate, handle);
  setHandler(stopSignal, () => void (stopped = true));
  await condition(() => stopped);
}

export async function bareFloor(): Promise<void> {
  await serve(async (input) => input);
}

export async function activityFloor(): Promise<void> {
  await serve((input) => noop(input));
}

export async function localActivityFloor(): Promise<void> {
  await serve((input) => localNoop(input));
}

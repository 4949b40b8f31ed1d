import type { Activities, AttemptOutcome } from '../activities';
import type { AttemptInput } from '../activities/webhooks';
import { DEFAULT_RETRY_SCHEDULE_MS, webhookDeliveryWorkflowId } from '../workflows/messages';
import { webhookDeliveryWorkflow } from '../workflows';
import { timeSkippingSuite } from './support/time-skipping';

/**
 * The real retry schedule, on the time-skipping server: a delivery's attempts come at about 0 s,
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each other — 27.6 hours for a receiver that never
 * answers — and stop at the first 2xx or 410.
 */
const suite = timeSkippingSuite('webhook-schedule');

/** The delivery activity as a receiver that answers with `outcomes` in turn; notes the server's clock at each attempt. */
function receiver(outcomes: AttemptOutcome[]) {
  const attempts: { attempt: number; last: boolean; atMs: number }[] = [];
  const activities = {
    async attemptWebhookDelivery(input: AttemptInput): Promise<AttemptOutcome> {
      attempts.push({ attempt: input.attempt, last: input.last, atMs: await suite.env.currentTimeMs() });
      return outcomes[input.attempt - 1] ?? 'failed';
    },
  } as unknown as Activities;
  return { activities, attempts };
}

async function deliver(activities: Activities, deliveryId: string): Promise<AttemptOutcome> {
  return suite.withWorker(activities, (taskQueue) =>
    suite.env.client.workflow.execute(webhookDeliveryWorkflow, { workflowId: webhookDeliveryWorkflowId(deliveryId), taskQueue, args: [{ deliveryId }] }),
  );
}

test('a receiver that never answers is tried eight times on the documented schedule, the last attempt marked last, and the delivery fails', async () => {
  const { activities, attempts } = receiver([]);
  expect(await deliver(activities, 'never')).toBe('failed');
  expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(attempts.map((attempt) => attempt.last)).toEqual([false, false, false, false, false, false, false, true]);
  const gaps = attempts.slice(1).map((attempt, index) => attempt.atMs - attempts[index]!.atMs);
  // each wait is the schedule's (the clock is read inside the activity, so allow a second of drift)
  gaps.forEach((gap, index) => expect(Math.abs(gap - DEFAULT_RETRY_SCHEDULE_MS[index + 1]!)).toBeLessThan(1_000));
  const total = attempts.at(-1)!.atMs - attempts[0]!.atMs;
  expect(total / 3_600_000).toBeCloseTo(27.6, 1);
});

test('a receiver that fails twice gets the event on the third attempt, 5 min 5 s after the first; nothing after', async () => {
  const { activities, attempts } = receiver(['failed', 'failed', 'delivered']);
  expect(await deliver(activities, 'third-time')).toBe('delivered');
  expect(attempts).toHaveLength(3);
  expect(Math.round((attempts[2]!.atMs - attempts[0]!.atMs) / 1_000)).toBe(305);
});

test('410 Gone ends the schedule at once', async () => {
  const { activities, attempts } = receiver(['failed', 'gone']);
  expect(await deliver(activities, 'gone')).toBe('gone');
  expect(attempts).toHaveLength(2);
});

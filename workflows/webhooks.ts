import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { continueAsNew, ParentClosePolicy, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities, AttemptOutcome } from '../activities';
import { DEFAULT_RETRY_SCHEDULE_MS, webhookDeliveryWorkflowId } from './messages';

/**
 * Webhooks, durably: one dispatcher reads the events outbox and starts a delivery workflow per
 * (endpoint, event), whose id is the delivery's, so dispatching twice never delivers twice.
 * A delivery lives through worker and API restarts; its timers are the retry schedule.
 */
const dispatch = proxyActivities<Activities>({
  // the dispatch activity waits for new events, heartbeating
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const deliver = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // an HTTP failure is an outcome, not an error: these retries only cover a lost worker or database
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface DispatcherInput {
  /** Waits before each attempt, from the first (tests shorten them). */
  scheduleMs?: number[];
  /** How long one dispatch waits for new events. */
  waitMs?: number;
}

export async function webhookDispatcherWorkflow(input: DispatcherInput = {}): Promise<never> {
  for (;;) {
    const { deliveries } = await dispatch.dispatchWebhookEvents({ waitMs: input.waitMs ?? 30_000 });
    await Promise.all(
      deliveries.map((deliveryId) =>
        startChild(webhookDeliveryWorkflow, {
          workflowId: webhookDeliveryWorkflowId(deliveryId),
          args: [{ deliveryId, ...(input.scheduleMs ? { scheduleMs: input.scheduleMs } : {}) }],
          // a delivery outlives this run of the dispatcher (which continues as new)
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }).catch((error: unknown) => {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }),
      ),
    );
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5_000) return continueAsNew<typeof webhookDispatcherWorkflow>(input);
  }
}

export interface DeliveryInput {
  deliveryId: string;
  scheduleMs?: number[];
}

/** Attempts at about 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; 2xx delivers, 410 disables the endpoint. */
export async function webhookDeliveryWorkflow({ deliveryId, scheduleMs = DEFAULT_RETRY_SCHEDULE_MS }: DeliveryInput): Promise<AttemptOutcome> {
  for (const [index, delay] of scheduleMs.entries()) {
    if (delay > 0) await sleep(delay, { summary: `retry ${index} of ${scheduleMs.length - 1}` });
    const outcome = await deliver.attemptWebhookDelivery({ deliveryId, attempt: index + 1, last: index === scheduleMs.length - 1 });
    if (outcome !== 'failed') return outcome;
  }
  return 'failed';
}

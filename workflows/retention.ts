import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const purging = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // a database that is down now is up at a later try; the next round tries again anyway
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 10 },
});

export interface RetentionInput {
  /** Between purges; six hours by default. */
  everyMs?: number;
}

/**
 * Data retention, one workflow per task queue (`retention-<task queue>`): every few hours it
 * deletes the closed conversations each tenant's settings say to keep no longer.
 */
export async function retentionWorkflow(input: RetentionInput = {}): Promise<never> {
  for (let round = 1; ; round++) {
    await purging.purgeExpiredConversations();
    await sleep(input.everyMs ?? 6 * 3_600_000, { summary: 'next retention purge' });
    if (round >= 200 || workflowInfo().continueAsNewSuggested) return continueAsNew<typeof retentionWorkflow>(input);
  }
}

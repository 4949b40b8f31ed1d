import type { Activities } from '../activities';
import { retentionWorkflowId } from '../workflows/messages';
import { retentionWorkflow } from '../workflows';
import { timeSkippingSuite } from './support/time-skipping';

/** The retention workflow purges at once, then every six hours, on the time-skipping server. */
const suite = timeSkippingSuite('retention');

test('it purges when it starts and again every six hours', async () => {
  const at: number[] = [];
  const activities = {
    async purgeExpiredConversations() {
      at.push(await suite.env.currentTimeMs());
      return [];
    },
  } as unknown as Activities;
  await suite.withWorker(activities, async (taskQueue) => {
    const handle = await suite.env.client.workflow.start(retentionWorkflow, { workflowId: retentionWorkflowId(taskQueue), taskQueue, args: [{}] });
    await suite.env.sleep(13 * 3_600_000);
    await handle.terminate('the test is over');
  });
  expect(at.length).toBe(3);
  expect(Math.round((at[1]! - at[0]!) / 3_600_000)).toBe(6);
  expect(Math.round((at[2]! - at[1]!) / 3_600_000)).toBe(6);
});

import type { WorkflowHandle } from '@temporalio/client';
import { type ConversationInput } from '../domain/conversation';
import { closeSignal, conversationWorkflowId, sendMessageUpdate, stateQuery } from '../workflows/messages';
import { conversationWorkflow } from '../workflows';
import { validCpf } from './support/stack';
import { timeSkippingSuite } from './support/time-skipping';
import { fakeActivities, input } from './support/workflow-fakes';

const suite = timeSkippingSuite('follow-up');
const { withWorker } = suite;

/** Monday to Saturday, 08:00–20:00 in São Paulo (UTC−3), with a one-hour follow-up. */
const shop = { start: '08:00', end: '20:00', timezone: 'America/Sao_Paulo', workDays: [1, 2, 3, 4, 5, 6] };
const HOUR = 3_600_000;

/** The next Friday 19:50 in São Paulo (22:50 UTC) after `now`. */
function nextFriday1950(now: Date): Date {
  const candidate = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 22, 50));
  while (candidate.getUTCDay() !== 5 || candidate <= now) candidate.setUTCDate(candidate.getUTCDate() + 1);
  return candidate;
}

/**
 * Starts a conversation, lets the test server's clock run to Friday 19:50, then resolves the
 * boleto script. `settingsFor` sees that Friday, for inputs that depend on the date.
 */
async function resolvedOnFridayEvening(
  taskQueue: string,
  settingsFor: (friday: Date) => Partial<ConversationInput['settings']>,
): Promise<{ handle: WorkflowHandle; friday: Date }> {
  const friday = nextFriday1950(new Date(await suite.env.currentTimeMs()));
  const conversation = input(settingsFor(friday));
  const handle = await suite.env.client.workflow.start(conversationWorkflow, { workflowId: conversationWorkflowId(conversation.conversationId), taskQueue, args: [conversation] });
  const say = (text: string) => handle.executeUpdate(sendMessageUpdate, { args: [{ text }] });
  await say('preciso da segunda via do boleto');
  await suite.env.sleep(friday.getTime() - (await suite.env.currentTimeMs()));
  await say(validCpf);
  await say('março');
  await say('maria@exemplo.com');
  const done = await say('sim');
  expect(done.state.stage).toBe('resolved');
  // the test server's clock moves on while the updates run: the resolution is at Friday 19:50 and a few seconds
  expect(new Date(done.state.updatedAt).getTime() - friday.getTime()).toBeLessThan(60_000);
  return { handle, friday };
}

const plusDays = (date: Date, days: number, utcHour: number, utcMinute: number) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + days, utcHour, utcMinute));

describe('follow-ups in working time', () => {
  test('when a conversation is resolved Friday 19:50 with a 1-hour follow-up, then it is due and sent Saturday 08:50', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle, friday } = await resolvedOnFridayEvening(taskQueue, () => ({ workingHours: shop, followUpDelayMs: HOUR }));
      const state = await handle.query(stateQuery);
      const saturday0850 = plusDays(friday, 1, 11, 50);
      const due = new Date(state.followUp!.dueAt);
      expect(due.getTime() - saturday0850.getTime()).toBeGreaterThanOrEqual(0);
      expect(due.getTime() - saturday0850.getTime()).toBeLessThan(60_000);

      await suite.env.sleep(saturday0850.getTime() - friday.getTime() - 60_000); // Saturday 08:49: not yet
      expect((await handle.query(stateQuery)).followUp?.sentAt).toBeNull();
      await suite.env.sleep(2 * 60_000);
      const sent = await handle.query(stateQuery);
      expect(sent.followUp?.sentAt).not.toBeNull();
      expect(new Date(sent.followUp!.sentAt!).getTime() - saturday0850.getTime()).toBeLessThan(60_000);
      const written = activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map((message) => message.text));
      expect(written.filter((text) => /ficou tudo certo/.test(text))).toHaveLength(1);
      await handle.signal(closeSignal, { reason: 'test' });
      await handle.result();
    });
  });

  test('when that Saturday is a holiday, then the follow-up moves to Monday 08:50', async () => {
    await withWorker(fakeActivities(), async (taskQueue) => {
      const { handle, friday } = await resolvedOnFridayEvening(taskQueue, (friday) => ({
        workingHours: { ...shop, holidays: [plusDays(friday, 1, 12, 0).toISOString().slice(0, 10)] },
        followUpDelayMs: HOUR,
      }));
      const due = new Date((await handle.query(stateQuery)).followUp!.dueAt);
      const monday0850 = plusDays(friday, 3, 11, 50);
      expect(due.getTime() - monday0850.getTime()).toBeGreaterThanOrEqual(0);
      expect(due.getTime() - monday0850.getTime()).toBeLessThan(60_000);
      await handle.signal(closeSignal, { reason: 'test' });
      await handle.result();
    });
  });

  test('when the customer writes before it is due, then the follow-up is cancelled', async () => {
    const activities = fakeActivities();
    await withWorker(activities, async (taskQueue) => {
      const { handle } = await resolvedOnFridayEvening(taskQueue, () => ({ workingHours: shop, followUpDelayMs: HOUR }));
      await suite.env.sleep(5 * 60_000);
      const reply = await handle.executeUpdate(sendMessageUpdate, { args: [{ text: 'obrigado!' }] });
      expect(reply.replies.map((line) => line.text).join()).toMatch(/Até logo/);
      const final = await handle.result();
      expect(final.stage).toBe('closed');
      expect(final.followUp?.sentAt ?? null).toBeNull();
      const written = activities.recordTurn.mock.calls.flatMap(([call]) => call.messages.map((message) => message.text));
      expect(written.some((text) => /ficou tudo certo/.test(text))).toBe(false);
    });
  });
});

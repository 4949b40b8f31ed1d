import { randomUUID } from 'node:crypto';
import { until } from './support/until';
import { appStackFor } from './support/app-stack';

/**
 * What an operator reads in the Temporal UI: each conversation's summary and details, its current
 * stage as details that change with it, and timers named for what they wait for.
 */
const secret = randomUUID();
const app = appStackFor(secret);

const text = (payload: { data?: Uint8Array | null } | null | undefined) => (payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined);

test('a conversation has a summary, current details that follow its stage, and a named inactivity timer', async () => {
  const started = await app.stack.app.request('/api/v1/conversations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'preciso da segunda via do boleto', customer: { name: 'Ana Souza' }, channel: 'whatsapp' }),
  });
  const { conversationId } = (await started.json()) as { conversationId: string };
  const handle = app.stack.client.workflow.getHandle(`conversation-${conversationId}`);
  const description = await handle.describe();
  expect(await description.staticSummary()).toBe(`Conversa ${app.stack.tenantId} · whatsapp · Ana Souza`);
  expect(await description.staticDetails()).toContain('**Canal:** whatsapp');

  const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toMatch(/\*\*Etapa:\*\* collecting \(active\)/);
  expect(metadata.currentDetails).toMatch(/\*\*Roteiro:\*\* Segunda via do boleto v1/);

  const timers = await until(
    async () => ((await handle.fetchHistory()).events ?? []).filter((event) => event.timerStartedEventAttributes),
    (events) => events.length > 0,
    'the inactivity timer',
  );
  expect(timers.map((event) => text(event.userMetadata?.summary))).toContain('inactivity nudge');
});

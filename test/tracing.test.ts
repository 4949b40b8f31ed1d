import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createApp } from '../api/app';
import { startTracing } from '../lib/tracing';
import { testAppConfig } from './support/app-stack';
import { withOwnWorker } from './support/own-worker';
import { validCpf } from './support/stack';
import { until } from './support/until';

/** One customer turn is one trace: the API's request, the Temporal client's call, the workflow's handling and its activities. */
test("a turn's trace holds the API request, the client call, the workflow's update and an activity, all one trace id", async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing('atende-test', new SimpleSpanProcessor(exporter));
  try {
    await withOwnWorker({ tracing, client: { interceptors: { workflow: [tracing.clientInterceptor] } } }, async ({ db, tenantId, taskQueue, client }) => {
      const app = createApp({ client, db, config: testAppConfig({ jwtSecret: randomUUID(), taskQueue, defaultTenant: tenantId }), tracer: tracing.tracer });
      const started = await app.request('/api/v1/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'preciso da segunda via do boleto' }) });
      const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
      exporter.reset();
      const turn = await app.request(`/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: validCpf }) });
      expect(turn.status).toBe(200);

      const spans = await until(
        () => exporter.getFinishedSpans(),
        (finished) => finished.some((span) => span.name.startsWith('RunActivity')) && finished.some((span) => span.name.includes('sendMessage') && span.name.startsWith('HandleUpdate')),
        'the workflow and activity spans',
      );
      const request = spans.find((span) => span.name === 'POST /api/v1/conversations/:id/messages')!;
      expect(request).toBeDefined();
      expect(request.attributes).toMatchObject({ 'http.response.status_code': 200, 'atende.conversation_id': conversationId });
      const traceId = request.spanContext().traceId;
      const inTrace = spans.filter((span) => span.spanContext().traceId === traceId).map((span) => span.name);
      // the client's call, the workflow's validator and handler, and the activity it scheduled and ran
      expect(inTrace).toEqual(expect.arrayContaining(['StartWorkflowUpdate:sendMessage', 'ValidateUpdate:sendMessage', 'HandleUpdate:sendMessage', 'StartActivity:recordTurn', 'RunActivity:recordTurn']));
    });
  } finally {
    await tracing.shutdown();
  }
});

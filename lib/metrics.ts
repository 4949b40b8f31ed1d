import { collectDefaultMetrics, Counter, Gauge, Histogram, register, Registry } from 'prom-client';

/**
 * Atende's Prometheus metrics, in the process's default registry: the API's and, in one process
 * (`npm start`), the worker's too; a worker on its own serves them on WORKER_METRICS_PORT. The
 * Temporal SDK's own metrics come from its runtime (TEMPORAL_METRICS_PORT).
 */
export const metricsRegistry = register;

let defaults = false;
/** Process metrics (CPU, memory, event loop lag), once per process. */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ prefix: 'atende_' });
}

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpDuration = new Histogram({
  name: 'atende_http_request_duration_seconds',
  help: 'HTTP requests by method, route (the pattern, never the ids) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: seconds,
});

export const turnDuration = new Histogram({
  name: 'atende_turn_duration_seconds',
  help: 'A customer turn from the API to the bot reply (the update round trip); its _count is the turns',
  labelNames: ['outcome'] as const,
  buckets: seconds,
});

export const rateLimited = new Counter({ name: 'atende_rate_limited_requests_total', help: 'Requests refused with 429, by limit kind', labelNames: ['kind'] as const });

export const llmDuration = new Histogram({
  name: 'atende_llm_request_duration_seconds',
  help: 'Calls to the model (chat, JSON, streaming, embeddings) by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: seconds,
});

export const webhookAttempts = new Counter({ name: 'atende_webhook_delivery_attempts_total', help: 'Webhook delivery attempts by outcome (delivered, failed, gone, skipped)', labelNames: ['outcome'] as const });

export const toolCalls = new Counter({ name: 'atende_tool_calls_total', help: 'Agent tool calls by type and outcome', labelNames: ['type', 'outcome'] as const });

/** Times `run` into a histogram with an outcome label: ok, or the error's name. */
export async function timed<T>(histogram: Histogram<'kind' | 'outcome'>, kind: string, run: () => Promise<T>): Promise<T> {
  const stop = histogram.startTimer({ kind });
  try {
    const result = await run();
    stop({ outcome: 'ok' });
    return result;
  } catch (error) {
    stop({ outcome: error instanceof Error ? error.name : 'error' });
    throw error;
  }
}

/** The metrics a scrape reads from Postgres (the outbox's events by type, the webhook deliveries by state), cached for 10 s. */
export function databaseMetrics(read: () => Promise<{ events: { type: string; count: number }[]; deliveries: { status: string; count: number }[] }>): Registry {
  const registry = new Registry();
  let cached: { at: number; value: Awaited<ReturnType<typeof read>> } | null = null;
  const current = async () => {
    if (!cached || Date.now() - cached.at > 10_000) cached = { at: Date.now(), value: await read() };
    return cached.value;
  };
  new Gauge({
    name: 'atende_conversation_events',
    help: 'Conversation events in the outbox by type (conversation.escalated counts escalations, conversation.resolved resolutions…)',
    labelNames: ['type'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { type, count } of (await current()).events) this.set({ type }, count);
    },
  });
  new Gauge({
    name: 'atende_webhook_deliveries',
    help: 'Webhook deliveries by state (pending, succeeded, failed)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { status, count } of (await current()).deliveries) this.set({ status }, count);
    },
  });
  return registry;
}

/** Everything a scrape shows: the process's metrics and these. */
export async function scrape(extra: Registry): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([register, extra]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

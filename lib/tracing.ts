import { trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

/**
 * OpenTelemetry tracing across the API, the Temporal client, the workflows and the activities
 * (Temporal's interceptors carry the trace in every call's headers), exported with OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set. One provider per process, registered globally so the
 * interceptors and the API's request spans share it.
 */
export interface Tracing {
  tracer: Tracer;
  /** For the worker: the interceptors and the sink that exports workflow spans. */
  plugin: OpenTelemetryPlugin;
  /** For the Temporal client: its calls become spans and carry the trace to the workflow. */
  clientInterceptor: OpenTelemetryWorkflowClientInterceptor;
  /** The workflow interceptors' module, bundled with the workflows. */
  workflowInterceptorModule: string;
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

export function startTracing(serviceName: string, processor: SpanProcessor): Tracing {
  if (installed) return installed;
  const resource = new Resource({ 'service.name': serviceName });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  installed = {
    tracer: trace.getTracer('atende'),
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }),
    clientInterceptor: new OpenTelemetryWorkflowClientInterceptor(),
    workflowInterceptorModule: require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** Tracing to an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT), or none. */
export function tracingFromEnv(env: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_SERVICE_NAME: string }): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  // loaded only when tracing is on: the exporter pulls in protobuf and http code
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const exporter: SpanExporter = new OTLPTraceExporter({ url: `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` });
  return startTracing(env.OTEL_SERVICE_NAME, new BatchSpanProcessor(exporter));
}

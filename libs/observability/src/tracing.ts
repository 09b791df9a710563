import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];

// NodeSDK registers no TracerProvider at all when it has no span processor, and then every trace id is
// all zeros. A processor that drops spans keeps real ids (for logs and propagation) without exporting.
const dropSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Names the HTTP server span after the Express route template (`GET /api/v1/orders/:id`) once the response is
 * done: Express leaves `baseUrl` and `route` on the request. This replaces @opentelemetry/instrumentation-express,
 * which wraps every middleware layer of every request and cost about a quarter of the gateway's catalogue
 * throughput for a route name.
 */
export function nameAfterRoute(span: Pick<Span, 'setAttribute' | 'updateName'>, request: unknown): void {
  const req = request as { method?: string; baseUrl?: string; route?: { path?: unknown } };
  if (typeof req.route?.path !== 'string') return;
  const route = `${req.baseUrl ?? ''}${req.route.path}`;
  span.setAttribute('http.route', route);
  span.updateName(`${req.method ?? 'HTTP'} ${route}`);
}

const TRACER_NAME = '@ttelgo/observability';
// Kept on globalThis so that two copies of this module in one process still share one SDK.
const ACTIVE = Symbol.for('ttelgo.observability.tracing');
type GlobalWithTracing = typeof globalThis & { [ACTIVE]?: TracingHandle };

/** Starts the OpenTelemetry SDK once per process; later calls return the running handle. */
export function startTracing(opts: { serviceName: string }): TracingHandle {
  const holder = globalThis as GlobalWithTracing;
  const running = holder[ACTIVE];
  if (running) return running;

  const endpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const ignoredPaths = /^\/(health\/|metrics)/;
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    // No exporter reads OTEL_TRACES_EXPORTER here: the endpoint variable alone decides (docs/architecture.md#observability).
    ...(endpoint ? { traceExporter: new OTLPTraceExporter() } : { spanProcessors: [dropSpans] }),
    // Metrics go through prom-client and logs through pino; without these the SDK would start OTLP exporters for both.
    metricReaders: [],
    logRecordProcessors: [],
    // No textMapPropagator: the SDK then installs W3C trace-context (+ baggage), unless OTEL_PROPAGATORS says otherwise.
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => ignoredPaths.test(req.url ?? ''),
        applyCustomAttributesOnSpan: (span, request) => nameAfterRoute(span, request),
      }),
    ],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  const handle: TracingHandle = {
    shutdown() {
      stopping ??= sdk.shutdown().finally(() => {
        // Free the globals so a later startTracing (another test in the same process) can register again.
        trace.disable();
        propagation.disable();
        context.disable();
        if (holder[ACTIVE] === handle) delete holder[ACTIVE];
      });
      return stopping;
    },
  };
  holder[ACTIVE] = handle;
  return handle;
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

async function runInSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error) span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** Writes traceparent (and tracestate when present) of the active span into a header object, e.g. AMQP headers. */
export function injectTraceHeaders(headers: Record<string, unknown>): void {
  propagation.inject(context.active(), headers);
}

// amqplib may hand header values back as Buffers; the propagator expects strings.
const amqpHeaderGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return undefined;
  },
};

/** Runs `fn` in a CONSUMER span that continues the trace carried by the message headers (a new trace if none). */
export function withConsumerSpan<T>(
  name: string,
  headers: Record<string, unknown> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = headers ? propagation.extract(context.active(), headers, amqpHeaderGetter) : context.active();
  const span = tracer().startSpan(
    name,
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'rabbitmq', 'messaging.operation.type': 'process' } },
    parent,
  );
  return context.with(trace.setSpan(parent, span), () => runInSpan(span, fn));
}

const KINDS = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER } as const;

/** Runs `fn` in a child span of the active one; a throw marks the span as failed and is re-thrown. */
export function withSpan<T>(name: string, fn: () => Promise<T>, kind: 'internal' | 'client' | 'producer' = 'internal'): Promise<T> {
  return tracer().startActiveSpan(name, { kind: KINDS[kind] }, (span) => runInSpan(span, fn));
}

export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

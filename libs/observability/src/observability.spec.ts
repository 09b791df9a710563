import { Writable } from 'node:stream';
import { nameAfterRoute } from './tracing';
import {
  createLogger,
  createMetrics,
  currentTraceId,
  getContext,
  injectTraceHeaders,
  runWithContext,
  startTracing,
  withConsumerSpan,
  withSpan,
  type TracingHandle,
} from './index';

function captureLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createLogger({ service: 'obs-test', level, destination }), lines };
}

describe('observability', () => {
  let tracing: TracingHandle;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'obs-test' });
  });
  afterAll(async () => {
    await tracing.shutdown();
  });

  it('startTracing is idempotent', () => {
    expect(startTracing({ serviceName: 'obs-test' })).toBe(tracing);
  });

  it('request context merges with the outer context and is empty outside', async () => {
    expect(getContext()).toEqual({});
    await runWithContext({ requestId: 'r-1', correlationId: 'c-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      runWithContext({ causationId: 'm-9', correlationId: undefined }, () => {
        expect(getContext()).toEqual({ requestId: 'r-1', correlationId: 'c-1', causationId: 'm-9' });
      });
      expect(getContext()).toEqual({ requestId: 'r-1', correlationId: 'c-1' });
    });
    expect(getContext()).toEqual({});
  });

  it('log lines carry service, request ids and the active trace', async () => {
    const { logger, lines } = captureLogger();
    let traceId: string | undefined;
    await withSpan('unit-of-work', async () => {
      traceId = currentTraceId();
      await runWithContext({ requestId: 'req-42', correlationId: 'corr-42' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        logger.info({ orderId: 'o1' }, 'inside');
      });
    });
    logger.info('outside');

    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(lines[0]).toMatchObject({
      service: 'obs-test',
      msg: 'inside',
      orderId: 'o1',
      requestId: 'req-42',
      correlationId: 'corr-42',
      traceId,
    });
    expect(lines[0]?.['spanId']).toMatch(/^[0-9a-f]{16}$/);
    expect(lines[1]).toMatchObject({ service: 'obs-test', msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('requestId');
    expect(lines[1]).not.toHaveProperty('traceId');
  });

  it('redacts secrets', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      { req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'ttk_1_s', accept: 'json' } }, user: { password: 'hunter2', email: 'a@b.c' } },
      'secrets',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('ttk_1_s');
    expect(text).not.toContain('hunter2');
    expect(lines[0]).toMatchObject({ req: { headers: { accept: 'json' } }, user: { email: 'a@b.c' } });
  });

  it('honours the level option', () => {
    const { logger, lines } = captureLogger('warn');
    logger.info('dropped');
    logger.warn('kept');
    expect(lines.map((l) => l['msg'])).toEqual(['kept']);
  });

  it('trace context survives a round trip through AMQP-style headers', async () => {
    const headers: Record<string, unknown> = { 'x-correlation-id': 'c-7' };
    let producerTrace: string | undefined;
    await withSpan(
      'publish',
      async () => {
        producerTrace = currentTraceId();
        injectTraceHeaders(headers);
      },
      'producer',
    );
    expect(headers['traceparent']).toMatch(new RegExp(`^00-${producerTrace}-[0-9a-f]{16}-01$`));

    // outside any span, as a consumer callback would be
    expect(currentTraceId()).toBeUndefined();
    const consumerTrace = await withConsumerSpan('consume', headers, async () => currentTraceId());
    expect(consumerTrace).toBe(producerTrace);

    // amqplib can deliver header values as Buffers
    const asBuffers = { traceparent: Buffer.from(String(headers['traceparent'])) };
    expect(await withConsumerSpan('consume', asBuffers, async () => currentTraceId())).toBe(producerTrace);

    const fresh = await withConsumerSpan('consume', undefined, async () => currentTraceId());
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(producerTrace);
  });

  it('withSpan re-throws and still ends the span', async () => {
    await expect(withSpan('boom', async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(currentTraceId()).toBeUndefined();
  });

  it('metrics: a new registry per call with ttelgo_ names and default metrics', async () => {
    const a = createMetrics('svc-a');
    const b = createMetrics('svc-b');
    expect(a.registry).not.toBe(b.registry);
    a.httpRequestDuration.observe({ method: 'GET', route: '/api/v1/bundles/:name', status: '200' }, 0.004);
    a.messagesPublished.inc({ type: 'esim.catalogue-updated.v1', outcome: 'confirmed' });
    a.messagesConsumed.inc({ type: 'esim.catalogue-updated.v1', handler: 'h', outcome: 'ok' });
    a.outboxBacklog.set(3);
    a.outboxOldestAgeSeconds.set(1.5);
    a.breakerState.set({ breaker: 'esimgo' }, 2);
    a.externalCallDuration.observe({ provider: 'esimgo', operation: 'order', outcome: 'ok' }, 0.2);
    a.rpcDuration.observe({ type: 'esim.list-bundles.v1', outcome: 'ok' }, 0.01);

    const text = await a.registry.metrics();
    for (const name of [
      'ttelgo_http_request_duration_seconds_bucket',
      'ttelgo_messages_published_total',
      'ttelgo_messages_consumed_total',
      'ttelgo_outbox_backlog',
      'ttelgo_outbox_oldest_age_seconds',
      'ttelgo_breaker_state',
      'ttelgo_external_call_duration_seconds_bucket',
      'ttelgo_rpc_duration_seconds_bucket',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(name);
    }
    const bucket = text.split('\n').find((l) => l.startsWith('ttelgo_http_request_duration_seconds_bucket{le="0.005",'));
    expect(bucket).toContain('route="/api/v1/bundles/:name"');
    expect(bucket).toContain('service="svc-a"');
    expect(bucket).toMatch(/ 1$/);
    expect(text).toContain('ttelgo_outbox_backlog{service="svc-a"} 3');
    expect(await b.registry.metrics()).not.toContain('svc-a');
  });

  it('names the HTTP server span after the Express route template, and leaves unmatched requests alone', () => {
    const calls: string[] = [];
    const span = { setAttribute: (k: string, v: unknown) => (calls.push(`${k}=${String(v)}`), span), updateName: (n: string) => (calls.push(`name=${n}`), span) };
    nameAfterRoute(span as never, { method: 'GET', baseUrl: '/api/v1', route: { path: '/orders/:id' } });
    expect(calls).toEqual(['http.route=/api/v1/orders/:id', 'name=GET /api/v1/orders/:id']);
    calls.length = 0;
    nameAfterRoute(span as never, { method: 'GET', url: '/nowhere' });
    expect(calls).toEqual([]);
  });
});

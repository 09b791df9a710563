import request from 'supertest';
import { z } from 'zod';
import { createMetrics, getContext, type ServiceMetrics } from '@ttelgo/observability';
import { AppError } from './app-error';
import { captureLogger, type CapturedLogger } from './capture-logger.test-helper';
import { createHttpApp } from './create-http-app';
import { finishHttpApp } from './error-handler';
import { parsed, validateRequest } from './validate.middleware';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

function buildApp(): { app: ReturnType<typeof createHttpApp>; log: CapturedLogger; metrics: ServiceMetrics } {
  const log = captureLogger();
  const metrics = createMetrics('http-test');
  const app = createHttpApp({ logger: log.logger, metrics, service: 'http-test', bodyLimit: '1kb' });

  app.get('/api/v1/bundles/:name', async (req, res) => {
    await tick();
    log.logger.info({ bundle: req.params.name }, 'handler log');
    res.json({ name: req.params.name, ctx: getContext() });
  });
  app.post('/echo', async (req, res) => {
    await tick();
    log.logger.info('echo handler');
    res.status(201).json({ body: req.body, requestId: getContext().requestId });
  });
  app.get('/query', (req, res) => {
    res.json(req.query);
  });
  app.get('/app-error', () => {
    throw new AppError('RATE_LIMITED', 429, 'Slow down.', { headers: { 'Retry-After': '7' } });
  });
  app.get('/async-app-error', async () => {
    await tick();
    throw new AppError('ORDER_NOT_FOUND', 404, 'No such order.');
  });
  app.get('/zod-error', () => {
    z.object({ amount: z.number().int() }).parse({ amount: 'x' });
  });
  app.get('/boom', async () => {
    await tick();
    throw new Error('database password is hunter2');
  });
  const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().optional() });
  const orderParams = z.object({ id: z.uuid() });
  const orderBody = z.object({ bundleName: z.string().min(1), quantity: z.number().int().positive() });
  app.get('/orders', validateRequest({ query: listQuery }), (req, res) => {
    res.json(parsed<z.infer<typeof listQuery>>(req).query);
  });
  app.post('/orders/:id', validateRequest({ params: orderParams, body: orderBody }), (req, res) => {
    const { params, body } = parsed<unknown, z.infer<typeof orderParams>, z.infer<typeof orderBody>>(req);
    res.json({ id: params.id, quantity: body.quantity });
  });
  finishHttpApp(app, log.logger);
  return { app, log, metrics };
}

function expectProblem(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: `https://docs.ttelgo.dev/errors/${code.toLowerCase().replace(/_/g, '-')}`,
    status,
    code,
    requestId: res.headers['x-request-id'],
  });
  expect(typeof body['title']).toBe('string');
  return body;
}

describe('createHttpApp + finishHttpApp', () => {
  describe('request ids', () => {
    const { app } = buildApp();

    it('generates an X-Request-Id and uses it as correlation id', async () => {
      const res = await request(app).get('/api/v1/bundles/EU_1GB');
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.headers['x-correlation-id']).toBe(res.headers['x-request-id']);
      expect(res.body.ctx).toEqual({ requestId: res.headers['x-request-id'], correlationId: res.headers['x-request-id'] });
    });

    it('echoes a sane incoming id and correlation id', async () => {
      const res = await request(app).get('/api/v1/bundles/x').set('X-Request-Id', 'abc-123:trace.1').set('X-Correlation-Id', 'corr_9');
      expect(res.headers['x-request-id']).toBe('abc-123:trace.1');
      expect(res.headers['x-correlation-id']).toBe('corr_9');
      expect(res.body.ctx).toEqual({ requestId: 'abc-123:trace.1', correlationId: 'corr_9' });
    });

    it('replaces a bad incoming id', async () => {
      for (const bad of ['has spaces', 'x'.repeat(129), '<script>', 'a/b']) {
        const res = await request(app).get('/api/v1/bundles/x').set('X-Request-Id', bad);
        expect(res.headers['x-request-id']).toMatch(UUID);
      }
    });

    it('keeps helmet defaults and hides x-powered-by', async () => {
      const res = await request(app).get('/api/v1/bundles/x');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it("uses the 'simple' query parser: no nested objects", async () => {
      const res = await request(app).get('/query?a[b]=1&c=1&c=2');
      expect(res.body).toEqual({ 'a[b]': '1', c: ['1', '2'] });
    });
  });

  describe('problem+json', () => {
    const { app, log } = buildApp();

    it('AppError: its own status, code and headers', async () => {
      const res = await request(app).get('/app-error');
      const body = expectProblem(res, 429, 'RATE_LIMITED');
      expect(body['detail']).toBe('Slow down.');
      expect(body['title']).toBe('Too Many Requests');
      expect(res.headers['retry-after']).toBe('7');
      expectProblem(await request(app).get('/async-app-error'), 404, 'ORDER_NOT_FOUND');
    });

    it('ZodError thrown by a handler: 400 VALIDATION_FAILED with errors', async () => {
      const body = expectProblem(await request(app).get('/zod-error'), 400, 'VALIDATION_FAILED');
      expect(body['errors']).toEqual([expect.objectContaining({ path: 'amount', code: 'invalid_type' })]);
    });

    it('malformed JSON: 400 MALFORMED_JSON', async () => {
      const res = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a": ');
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    it('oversized body: 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await request(app).post('/echo').send({ blob: 'x'.repeat(2048) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a path that is not validly percent-encoded: 400 MALFORMED_URL, not 500', async () => {
      for (const path of ['/api/v1/bundles/%zz', '/api/v1/bundles/%E0%A4%A', '/api/v1/bundles/%C0%AE%00']) {
        expectProblem(await request(app).get(path), 400, 'MALFORMED_URL');
      }
    });

    it('unknown route: 404 ROUTE_NOT_FOUND', async () => {
      const body = expectProblem(await request(app).delete('/nope/here?x=1'), 404, 'ROUTE_NOT_FOUND');
      expect(body['detail']).toBe('No route for DELETE /nope/here.');
    });

    it('unexpected throw: 500 INTERNAL_ERROR, generic detail, logged with the request id, nothing leaked', async () => {
      const res = await request(app).get('/boom');
      const body = expectProblem(res, 500, 'INTERNAL_ERROR');
      expect(body['detail']).toBe('An unexpected error occurred.');
      expect(res.text).not.toContain('hunter2');
      expect(res.text).not.toContain('stack');
      expect(res.text).not.toMatch(/\.ts:\d+/);
      const logged = log.lines.find((l) => l['msg'] === 'request failed' && l['requestId'] === res.headers['x-request-id']);
      expect(logged).toMatchObject({ level: 50, code: 'INTERNAL_ERROR', err: { message: 'database password is hunter2' } });
    });
  });

  describe('validateRequest', () => {
    const { app } = buildApp();

    it('passes parsed (coerced, defaulted) values to the handler', async () => {
      expect((await request(app).get('/orders?limit=5')).body).toEqual({ limit: 5 });
      expect((await request(app).get('/orders')).body).toEqual({ limit: 20 });
      const id = '7b0c5a52-4f3c-4a8e-9d7e-2f1a3b4c5d6e';
      const res = await request(app).post(`/orders/${id}`).send({ bundleName: 'EU_1GB', quantity: 2, extra: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id, quantity: 2 });
    });

    it('400 VALIDATION_FAILED with every problem in errors[]', async () => {
      const body = expectProblem(await request(app).get('/orders?limit=500'), 400, 'VALIDATION_FAILED');
      expect(body['errors']).toEqual([{ path: 'query.limit', message: expect.any(String), code: 'too_big' }]);

      const res = await request(app).post('/orders/not-a-uuid').send({ quantity: 0 });
      const errors = (expectProblem(res, 400, 'VALIDATION_FAILED')['errors'] as { path: string }[]).map((e) => e.path).sort();
      expect(errors).toEqual(['body.bundleName', 'body.quantity', 'params.id']);
    });

    it('a repeated query parameter cannot pass as a string', async () => {
      const body = expectProblem(await request(app).get('/orders?cursor=a&cursor=b'), 400, 'VALIDATION_FAILED');
      expect(body['errors']).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    });
  });

  describe('logs and metrics', () => {
    it('the request id reaches log lines written in async handlers, also after JSON body parsing', async () => {
      const { app, log } = buildApp();
      const get = await request(app).get('/api/v1/bundles/EU_1GB').set('X-Request-Id', 'req-get-1');
      expect(get.status).toBe(200);
      expect(log.lines.find((l) => l['msg'] === 'handler log')).toMatchObject({ requestId: 'req-get-1', correlationId: 'req-get-1', bundle: 'EU_1GB' });

      const post = await request(app).post('/echo').set('X-Request-Id', 'req-post-1').send({ a: 1 });
      expect(post.status).toBe(201);
      expect(post.body).toEqual({ body: { a: 1 }, requestId: 'req-post-1' });
      expect(log.lines.find((l) => l['msg'] === 'echo handler')).toMatchObject({ requestId: 'req-post-1' });
    });

    it('writes one access-log line per request with the route template', async () => {
      const { app, log } = buildApp();
      await request(app).get('/api/v1/bundles/EU_1GB?x=1').set('X-Request-Id', 'acc-1');
      await request(app).get('/missing').set('X-Request-Id', 'acc-2');
      const access = log.lines.filter((l) => l['msg'] === 'request completed');
      expect(access).toHaveLength(2);
      expect(access[0]).toMatchObject({
        level: 30,
        service: 'http-test',
        requestId: 'acc-1',
        method: 'GET',
        route: '/api/v1/bundles/:name',
        path: '/api/v1/bundles/EU_1GB',
        status: 200,
      });
      expect(typeof access[0]?.['durationMs']).toBe('number');
      expect(access[1]).toMatchObject({ requestId: 'acc-2', route: 'unmatched', status: 404 });
    });

    it('labels HTTP metrics by route template, never the raw URL', async () => {
      const { app, metrics } = buildApp();
      await request(app).get('/api/v1/bundles/EU_1GB');
      await request(app).get('/api/v1/bundles/US_5GB');
      await request(app).get('/random/path/123');
      const text = await metrics.registry.metrics();
      const count = (route: string, status: string) =>
        text
          .split('\n')
          .find((l) => l.startsWith('ttelgo_http_request_duration_seconds_count') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
      expect(count('/api/v1/bundles/:name', '200')).toMatch(/ 2$/);
      expect(count('unmatched', '404')).toMatch(/ 1$/);
      expect(text).not.toContain('EU_1GB');
      expect(text).not.toContain('/random/path');
    });
  });
});

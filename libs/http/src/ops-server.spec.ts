import request from 'supertest';
import { createMetrics } from '@ttelgo/observability';
import { captureLogger } from './capture-logger.test-helper';
import { startOpsServer } from './ops-server';
import type { RunningServer } from './server';

describe('startOpsServer', () => {
  const log = captureLogger('ops-test');
  const metrics = createMetrics('ops-test');
  const state = { db: true, brokerThrows: false, hang: false };
  let live = true;
  let ops: RunningServer;
  let base: string;

  beforeAll(async () => {
    ops = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      logger: log.logger,
      metrics,
      checkTimeoutMs: 150,
      readiness: {
        db: async () => state.db,
        broker: () => {
          if (state.brokerThrows) throw new Error('channel closed');
          return true;
        },
        slow: () => (state.hang ? new Promise<boolean>(() => undefined) : true),
      },
      liveness: { loop: () => live },
    });
    base = `http://127.0.0.1:${ops.port}`;
  });
  afterAll(() => ops.close());
  beforeEach(() => {
    Object.assign(state, { db: true, brokerThrows: false, hang: false });
    live = true;
  });

  it('ready: 200 when every check is up', async () => {
    const res = await request(base).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { db: 'up', broker: 'up', slow: 'up' } });
  });

  it('ready: 503 when a check fails, throws or hangs, and the checks run in parallel', async () => {
    state.db = false;
    let res = await request(base).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'down', checks: { db: 'down', broker: 'up', slow: 'up' } });

    state.db = true;
    state.brokerThrows = true;
    res = await request(base).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ db: 'up', broker: 'down', slow: 'up' });
    expect(log.lines.find((l) => l['check'] === 'broker')).toMatchObject({ level: 40, err: { message: 'channel closed' } });

    state.brokerThrows = false;
    state.hang = true;
    state.db = false;
    const started = Date.now();
    res = await request(base).get('/health/ready');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ db: 'down', broker: 'up', slow: 'down' });
  });

  it('live: 200, or 503 when a liveness check is false', async () => {
    expect((await request(base).get('/health/live')).body).toEqual({ status: 'ok', checks: { loop: 'up' } });
    live = false;
    const res = await request(base).get('/health/live');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'down', checks: { loop: 'down' } });
  });

  it('/metrics serves Prometheus text', async () => {
    metrics.outboxBacklog.set(5);
    const res = await request(base).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(metrics.registry.contentType);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE ttelgo_http_request_duration_seconds histogram');
    expect(res.text).toContain('ttelgo_outbox_backlog{service="ops-test"} 5');
  });
});

describe('startOpsServer default check timeout', () => {
  it('a check that never answers is down after 2 s', async () => {
    const { logger } = captureLogger('ops-timeout');
    const ops = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      metrics: createMetrics('ops-timeout'),
      readiness: { stuck: () => new Promise<boolean>(() => undefined) },
    });
    try {
      const started = Date.now();
      const res = await request(`http://127.0.0.1:${ops.port}`).get('/health/ready');
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(4000);
    } finally {
      await ops.close();
    }
  });
});

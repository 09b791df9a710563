/**
 * The eSIM Go client against the real simulator over HTTP: outbound rate limit (local and shared through
 * Redis), which failures are retried and which are not, and the unknown outcome of a POST that got no answer.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { z } from 'zod';
import { createMetrics, type ServiceMetrics } from '@ttelgo/observability';
import { testLogger } from '@ttelgo/testing';
import { EsimGoClient, type EsimGoClientOptions } from '../src/infrastructure/esimgo/esimgo.client';
import { EsimGoHttpError, EsimGoNetworkError, EsimGoUnknownOutcomeError } from '../src/infrastructure/esimgo/esimgo.errors';
import { EsimGoCataloguePageDto } from '../src/infrastructure/esimgo/esimgo.dto';
import { startEsimGoSim, type RunningSimulator } from './support/esimgo-sim';

jest.setTimeout(60_000);

const logger = testLogger('esimgo-client-test');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let sim: RunningSimulator;
const clients: EsimGoClient[] = [];

function client(metrics: ServiceMetrics, overrides: Partial<EsimGoClientOptions> = {}): EsimGoClient {
  const c = new EsimGoClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.apiKey,
    timeoutMs: 2000,
    rateLimitPerSecond: 10,
    breakerResetMs: 1000,
    logger,
    metrics,
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

async function outcomes(metrics: ServiceMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.externalCallDuration.get()).values) {
    if (v.metricName === 'ttelgo_external_call_duration_seconds_count' && v.value > 0) out[String(v.labels.outcome)] = (out[String(v.labels.outcome)] ?? 0) + v.value;
  }
  return out;
}

/**
 * One call per client, then a pause: a process's first request is slower (connection set-up), and a late first
 * arrival squeezes the next ones together as the simulator sees them, by more than any sane margin. 
 */
async function warmUp(...clients: EsimGoClient[]): Promise<void> {
  await Promise.all(clients.map((c) => page(c, 1)));
  await new Promise((r) => setTimeout(r, 1200));
}

const page = (c: EsimGoClient, n: number) => c.get('catalogue.list', '/catalogue', { page: n, perPage: 1 }, EsimGoCataloguePageDto);

beforeAll(async () => {
  sim = await startEsimGoSim(logger, { rateLimitPerSecond: 10 });
});

beforeEach(() => {
  sim.sim.control.reset();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.close();
});

describe('EsimGoClient', () => {
  it('paces a burst of concurrent calls under the provider limit: the simulator never answers 429', async () => {
    const metrics = createMetrics('esim-provisioning');
    const c = client(metrics);
    // A warm connection first: the very first request of a process is slower (connection set-up), and a late
    // first arrival shifts the simulator's window by more than any sane pacing margin.
    await page(c, 1);
    await new Promise((r) => setTimeout(r, 1200));
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => page(c, i + 1)));
    const elapsed = Date.now() - started;
    expect(answers).toHaveLength(30);
    expect(sim.sim.state.rate.peakPerSecond).toBeLessThanOrEqual(10);
    expect(sim.sim.state.requestCounts['GET /catalogue']).toBe(31);
    expect(await outcomes(metrics)).toEqual({ ok: 31 });
    // At most 10 sends in any 1.1 s: 31 calls need three more windows after the warm-up call's.
    expect(elapsed).toBeGreaterThanOrEqual(2 * 1100);
  });

  it('shares one budget between replicas through Redis: together they never exceed 10 requests in any second', async () => {
    const key = `ttelgo:test:esimgo:${randomUUID()}`;
    const redisA = new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    const redisB = new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    try {
      const metrics = createMetrics('esim-provisioning');
      const a = client(metrics, { redis: redisA, rateLimitKey: key });
      const b = client(metrics, { redis: redisB, rateLimitKey: key });
      await warmUp(a, b);
      const started = Date.now();
      await Promise.all([...Array.from({ length: 15 }, (_, i) => page(a, i + 1)), ...Array.from({ length: 15 }, (_, i) => page(b, i + 1))]);
      const elapsed = Date.now() - started;
      // Alone, each replica would send its 15 calls within 1.1 s; sharing 10 per 1.1 s, the 30 calls need three windows.
      expect(elapsed).toBeGreaterThanOrEqual(2 * 1100);
      // As eSIM Go sees it: never more than 10 in a second, so its per-IP limit never answered 429.
      expect(sim.sim.state.rate.peakPerSecond).toBeLessThanOrEqual(10);
      expect(sim.sim.state.rate.rateLimited).toBe(0);
      expect(await outcomes(metrics)).toEqual({ ok: 32 });
    } finally {
      redisA.disconnect();
      redisB.disconnect();
    }
  });

  it('keeps each replica to its share of the budget while Redis is unreachable', async () => {
    // Nothing listens there: every reservation fails at once and the local schedule at 10/s / 2 replicas answers.
    const dead = () => new Redis('redis://127.0.0.1:9', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    const [deadA, deadB] = [dead(), dead()];
    try {
      const metrics = createMetrics('esim-provisioning');
      const a = client(metrics, { redis: deadA, replicas: 2 });
      const b = client(metrics, { redis: deadB, replicas: 2 });
      await warmUp(a, b);
      const started = Date.now();
      await Promise.all([...Array.from({ length: 8 }, (_, i) => page(a, i + 1)), ...Array.from({ length: 8 }, (_, i) => page(b, i + 1))]);
      // Each replica keeps to 5 sends per 1.1 s: its 8 calls need two windows.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
      expect(sim.sim.state.rate.peakPerSecond).toBeLessThanOrEqual(10);
      expect(sim.sim.state.rate.rateLimited).toBe(0);
      expect(await outcomes(metrics)).toEqual({ ok: 18 });
    } finally {
      deadA.disconnect();
      deadB.disconnect();
    }
  });

  it('retries 503 honouring Retry-After, and 429', async () => {
    const metrics = createMetrics('esim-provisioning');
    const c = client(metrics);
    sim.sim.control.setFaults({ burst503: 1, burst429: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    await page(c, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900); // two Retry-After: 1 waits
    expect(sim.sim.state.requestCounts['GET /catalogue']).toBe(3);
    expect(await outcomes(metrics)).toEqual({ rate_limited: 1, server_error: 1, ok: 1 });
  });

  it('does not retry a 500 or a client error, and client errors never open the breaker', async () => {
    const metrics = createMetrics('esim-provisioning');
    const c = client(metrics);
    const bundle = z.object({ name: z.string() });
    for (let i = 0; i < 8; i++) {
      await expect(c.get('catalogue.get', '/catalogue/bundle/esim_nope', {}, bundle)).rejects.toBeInstanceOf(EsimGoHttpError);
    }
    expect(c.breakerState).toBe('closed');
    expect(sim.sim.state.totalRequests).toBe(8);

    sim.sim.control.setFaults({ errorRate: 1 });
    await expect(page(c, 1)).rejects.toMatchObject({ status: 500 });
    expect(sim.sim.state.requestCounts['GET /catalogue']).toBe(1);
  });

  it('retries a GET that timed out, but reports a POST without answer as an unknown outcome, sent once', async () => {
    const metrics = createMetrics('esim-provisioning');
    const c = client(metrics, { timeoutMs: 300 });
    sim.sim.control.setFaults({ timeoutRate: 1, hangMs: 5000 });
    await expect(page(c, 1)).rejects.toMatchObject({ name: 'EsimGoNetworkError', timedOut: true });
    expect(sim.sim.state.requestCounts['GET /catalogue']).toBe(3);

    const order = { type: 'validate', assign: false, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 1 }] };
    const error = await c.postOnce('orders.create', '/orders', order, z.unknown()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EsimGoUnknownOutcomeError);
    expect((error as Error).cause).toBeInstanceOf(EsimGoNetworkError);
    expect(sim.sim.state.requestCounts['POST /orders']).toBe(1);
  });
});

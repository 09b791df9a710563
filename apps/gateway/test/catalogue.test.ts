/**
 * The public catalogue through HTTP: gateway -> real RabbitMQ (own vhost) -> a test double of esim-provisioning.
 */
import { BundleListResponseSchema, BundleResponseSchema, ProblemSchema } from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { CRASH_NAME, CRASH_SECRET, EsimDouble, FIXTURE_BUNDLES, HANG_NAME, HANG_REGION } from './support/esim.double';
import { json, rawGet, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

const RPC_TIMEOUT_MS = 500;

let vhost: TestVhost;
let esim: EsimDouble;
let gateway: TestGateway;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_catalogue');
  esim = await new EsimDouble(vhost.url).start();
  gateway = await startTestGateway({ AMQP_URL: vhost.url, RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS), CATALOGUE_CACHE_TTL_MS: '60000' });
});

afterAll(async () => {
  await gateway?.close();
  await esim?.stop();
  await vhost?.dispose();
});

const get = (path: string, headers?: Record<string, string>) => rawGet(gateway.handle.port, path, headers);

function expectProblem(res: RawResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = ProblemSchema.parse(json(res));
  expect(body).toMatchObject({ status, code });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

describe('GET /api/v1/bundles', () => {
  it('lists bundles in the contract shape, filtered and paginated', async () => {
    const first = await get('/api/v1/bundles?country=fr&limit=2');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.headers['x-request-id']).toEqual(expect.any(String));
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    expect(first.headers['etag']).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const page1 = BundleListResponseSchema.strict().parse(json(first));
    expect(page1.data.map((b) => b.name)).toEqual(['esim_1GB_7D_FR_V2', 'esim_5GB_30D_FR_V2']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    // The gateway normalised the filter before the RPC.
    expect(esim.listRequests.at(-1)).toEqual({ country: 'FR', limit: 2 });

    const second = await get(`/api/v1/bundles?country=FR&limit=2&cursor=${page1.nextCursor}`);
    const page2 = BundleListResponseSchema.parse(json(second));
    expect(page2).toEqual({ data: [FIXTURE_BUNDLES[2]], nextCursor: null });
  });

  it('applies the default limit and the region filter', async () => {
    const res = await get('/api/v1/bundles?region=North%20America');
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ data: [FIXTURE_BUNDLES[3]], nextCursor: null });
    expect(esim.listRequests.at(-1)).toEqual({ region: 'North America', limit: 20 });
  });

  it('maps the service INVALID_CURSOR to 400 problem+json', async () => {
    const res = await get('/api/v1/bundles?cursor=not-a-cursor-of-ours');
    expectProblem(res, 400, 'INVALID_CURSOR');
  });

  it('rejects an unknown filter with VALIDATION_FAILED and errors[]', async () => {
    const before = esim.calls.list;
    const res = await get('/api/v1/bundles?contry=FR');
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(esim.calls.list).toBe(before);
  });

  it('answers 504 UPSTREAM_TIMEOUT within the RPC timeout when the service never answers', async () => {
    const started = Date.now();
    const res = await get(`/api/v1/bundles?region=${HANG_REGION}`);
    const elapsed = Date.now() - started;
    const body = expectProblem(res, 504, 'UPSTREAM_TIMEOUT');
    expect(body.detail).not.toMatch(/ttelgo\.rpc|amqp|esim\.list-bundles/);
    expect(elapsed).toBeGreaterThanOrEqual(RPC_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(RPC_TIMEOUT_MS + 300);
  });
});

describe('GET /api/v1/bundles/:name', () => {
  it('returns one bundle in the contract shape', async () => {
    const res = await get('/api/v1/bundles/esim_UL_1D_US_V2');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(BundleResponseSchema.strict().parse(json(res))).toEqual(FIXTURE_BUNDLES[3]);
  });

  it('maps the service BUNDLE_NOT_FOUND to 404 problem+json', async () => {
    const res = await get('/api/v1/bundles/esim_nothing_like_it');
    expectProblem(res, 404, 'BUNDLE_NOT_FOUND');
  });

  it('answers 504 UPSTREAM_TIMEOUT within the RPC timeout', async () => {
    const started = Date.now();
    const res = await get(`/api/v1/bundles/${HANG_NAME}`);
    expectProblem(res, 504, 'UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(RPC_TIMEOUT_MS + 300);
  });

  it('turns an unexpected service failure into 502 without leaking its details', async () => {
    const res = await get(`/api/v1/bundles/${CRASH_NAME}`);
    const body = expectProblem(res, 502, 'UPSTREAM_ERROR');
    expect(res.body).not.toContain(CRASH_SECRET);
    expect(body.detail).not.toMatch(/internal error|database/i);
  });
});

describe('catalogue response cache', () => {
  it('serves a repeated request without calling esim-provisioning, keyed on the normalised query', async () => {
    const first = await get('/api/v1/bundles?country=DE');
    expect(first.status).toBe(200);
    const calls = esim.calls.list;
    const again = await get('/api/v1/bundles?country=DE');
    const normalisedTwin = await get('/api/v1/bundles?limit=20&country=de');
    expect(esim.calls.list).toBe(calls);
    expect(again.body).toBe(first.body);
    expect(normalisedTwin.body).toBe(first.body);
    expect(again.headers['etag']).toBe(first.headers['etag']);
  });

  it('collapses concurrent misses for one key into one RPC', async () => {
    const calls = esim.calls.list;
    const responses = await Promise.all(Array.from({ length: 10 }, () => get('/api/v1/bundles?country=US&limit=5')));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(esim.calls.list).toBe(calls + 1);
  });

  it('caches single bundles too', async () => {
    await get('/api/v1/bundles/esim_1GB_7D_FR_V2');
    const calls = esim.calls.get;
    const res = await get('/api/v1/bundles/esim_1GB_7D_FR_V2');
    expect(res.status).toBe(200);
    expect(esim.calls.get).toBe(calls);
  });

  it('does not cache errors', async () => {
    await get('/api/v1/bundles/esim_still_missing');
    const calls = esim.calls.get;
    expectProblem(await get('/api/v1/bundles/esim_still_missing'), 404, 'BUNDLE_NOT_FOUND');
    expect(esim.calls.get).toBe(calls + 1);
  });

  it('answers 304 to If-None-Match with the current ETag, and 200 to a stale one', async () => {
    const first = await get('/api/v1/bundles?country=FR&limit=1');
    const etag = first.headers['etag'] as string;
    const notModified = await get('/api/v1/bundles?country=FR&limit=1', { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers['etag']).toBe(etag);
    expect(notModified.headers['x-request-id']).toEqual(expect.any(String));
    // Weak comparison, lists and the strong form of the same tag all match.
    expect((await get('/api/v1/bundles?country=FR&limit=1', { 'If-None-Match': `"other", ${etag.slice(2)}` })).status).toBe(304);
    const stale = await get('/api/v1/bundles?country=FR&limit=1', { 'If-None-Match': 'W/"stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('is emptied by esim.catalogue-updated.v1, so the next request reaches esim-provisioning again', async () => {
    await get('/api/v1/bundles?country=FR&limit=3');
    await get('/api/v1/bundles/esim_5GB_30D_FR_V2');
    const listCalls = esim.calls.list;
    const getCalls = esim.calls.get;
    await get('/api/v1/bundles?country=FR&limit=3');
    expect(esim.calls.list).toBe(listCalls);

    await esim.publishCatalogueUpdated();
    await waitFor(
      async () => {
        const res = await get('/api/v1/bundles?country=FR&limit=3');
        return res.status === 200 && esim.calls.list > listCalls;
      },
      { timeoutMs: 5000, intervalMs: 50, message: 'the cache was not invalidated' },
    );
    expect(esim.calls.list).toBe(listCalls + 1);
    await get('/api/v1/bundles/esim_5GB_30D_FR_V2');
    expect(esim.calls.get).toBe(getCalls + 1);
  });
});

describe('request ids', () => {
  it('echoes a sane incoming X-Request-Id and generates one otherwise, on every kind of response', async () => {
    const echoed = await get('/api/v1/bundles?country=FR', { 'X-Request-Id': 'client-req-42' });
    expect(echoed.headers['x-request-id']).toBe('client-req-42');
    const responses = await Promise.all([
      get('/api/v1/bundles?country=FR'),
      get('/api/v1/bundles?limit=0'),
      get('/api/v1/bundles/esim_nothing_like_it'),
      get('/api/v1/nowhere'),
      get('/api/v1/openapi.json'),
      get('/api/v1/bundles', { 'X-Request-Id': 'bad id with spaces' }),
    ]);
    for (const res of responses) expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(responses[5]!.headers['x-request-id']).not.toBe('bad id with spaces');
  });
});

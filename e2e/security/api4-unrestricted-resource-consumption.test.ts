/**
 * OWASP API4:2023 Unrestricted Resource Consumption, request by request: body and page limits, the audit log that
 * anonymous noise cannot flood (and its retention), the per-IP limits of anonymous writes and failed API keys, the
 * per-vendor (not per-key) rate limit, and catalogue filters refused before they cost an RPC. The gateway trusts
 * X-Forwarded-For here (TRUST_PROXY=true, as behind a load balancer), so each test is its own client.
 */
import { randomUUID } from 'node:crypto';
import { AuditLogListResponseSchema } from '@ttelgo/contracts';
import { apiKey, bearer, expectProblem, json, rawRequest, type RawResponse } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const ANONYMOUS_WRITES = 5;
const KEY_FAILURES = 3;
let sec: SecurityGateway;

beforeAll(async () => {
  sec = await startSecurityGateway('api4', {
    TRUST_PROXY: 'true',
    ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_WRITES),
    API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE: String(KEY_FAILURES),
    CATALOGUE_CACHE_TTL_MS: '60000',
  });
});
afterAll(() => sec?.close());

let ipCounter = 0;
/** A fresh client address per call (documentation range 198.51.100.0/24). */
const freshIp = () => `198.51.100.${++ipCounter}`;

function send(method: string, path: string, opts: { ip: string; body?: unknown; headers?: Record<string, string> }): Promise<RawResponse> {
  return rawRequest(sec.gateway.handle.port, method, path, {
    headers: { 'x-forwarded-for': opts.ip, ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
  });
}

async function auditRows(query: string) {
  const res = await send('GET', `/api/v1/admin/audit-log?limit=100${query}`, { ip: freshIp(), headers: bearer(await sec.adminToken()) });
  expect(res.status).toBe(200);
  return AuditLogListResponseSchema.parse(json(res)).data;
}

describe('API4 unrestricted resource consumption', () => {
  it('refuses an oversized body (413) and a page larger than 100 (400), as problems', async () => {
    const big = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(200_000) });
    expectProblem(await send('POST', '/api/v1/auth/login', { ip: freshIp(), body: big }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await send('GET', '/api/v1/bundles?limit=101', { ip: freshIp() }), 400, 'VALIDATION_FAILED');
    const customer = await sec.customer();
    expectProblem(await send('GET', '/api/v1/orders?limit=1000', { ip: freshIp(), headers: bearer(customer.accessToken) }), 400, 'VALIDATION_FAILED');
  });

  it('stores no audit row for anonymous writes that authenticate nobody, but does for sign-in attempts and signed-in actions', async () => {
    const ip = freshIp();
    const marker = randomUUID();
    expect((await send('POST', `/api/v1/no-such-${marker}`, { ip, body: {} })).status).toBe(404);
    expect((await send('DELETE', `/api/v1/orders/${marker}`, { ip })).status).toBe(404);
    expect((await send('POST', '/api/v1/orders', { ip, body: { bundleName: 'x', quantity: 1 } })).status).toBe(401);
    expect((await send('POST', '/api/v1/webhooks/stripe', { ip, body: '{}', headers: { 'stripe-signature': 't=1,v1=00' } })).status).toBe(400);
    const email = `nobody-${marker}@example.com`;
    expect((await send('POST', '/api/v1/auth/login', { ip, body: { email, password: 'wrong-password' } })).status).toBe(401);
    const customer = await sec.customer();
    const placed = await send('POST', '/api/v1/orders', {
      ip,
      body: { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 },
      headers: { ...bearer(customer.accessToken), 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);

    const rows = await auditRows('');
    expect(rows.filter((r) => r.ip === ip && r.actor.type === 'anonymous').map((r) => r.action)).toEqual(['auth.login']);
    expect(rows.find((r) => r.action === 'auth.login' && r.ip === ip)?.details).toMatchObject({ email });
    expect(rows.filter((r) => r.ip === ip && r.actor.type === 'user' && r.actor.id === customer.user.id).map((r) => r.action)).toEqual(['order.place']);
  });

  it('deletes audit rows older than AUDIT_RETENTION_DAYS (365) in the cleanup job, and keeps the rest', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await sec.gateway.query(
      `INSERT INTO audit_log (id, at, actor_type, actor_id, action, outcome, status_code, method, path, details)
       VALUES ($1::uuid, now() - interval '366 days', 'user', $1::text, 'test.retention', 'success', 200, 'POST', '/old', '{}'),
              ($2::uuid, now() - interval '364 days', 'user', $2::text, 'test.retention', 'success', 200, 'POST', '/recent', '{}')`,
      [old, recent],
    );
    expect((await auditRows('&action=test.retention')).map((r) => r.id).sort()).toEqual([old, recent].sort());
    const deleted = await sec.gateway.handle.runCleanupNow();
    expect(deleted?.['auditLog']).toBeGreaterThanOrEqual(1);
    expect((await auditRows('&action=test.retention')).map((r) => r.id)).toEqual([recent]);
  });

  it('limits anonymous writes per IP (429 + Retry-After), while a signed-in user on that IP keeps working', async () => {
    const ip = freshIp();
    for (let i = 0; i < ANONYMOUS_WRITES; i++) expect((await send('POST', '/api/v1/nothing-here', { ip, body: {} })).status).toBe(404);
    const refused = await send('POST', '/api/v1/auth/login', { ip, body: { email: 'a@example.com', password: 'whatever-it-is' } });
    expectProblem(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected; a customer behind the same address still places orders.
    expect((await send('POST', '/api/v1/nothing-here', { ip: freshIp(), body: {} })).status).toBe(404);
    const customer = await sec.customer();
    const placed = await send('POST', '/api/v1/orders', {
      ip,
      body: { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 },
      headers: { ...bearer(customer.accessToken), 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(201);
  });

  it('counts an IPv6 client per /64: a new interface id is not a new budget', async () => {
    for (let i = 0; i < ANONYMOUS_WRITES; i++) expect((await send('POST', '/api/v1/nothing-here', { ip: `2001:db8:4:4::${i + 1}`, body: {} })).status).toBe(404);
    expectProblem(await send('POST', '/api/v1/nothing-here', { ip: '2001:db8:4:4:ffff:ffff:ffff:ffff', body: {} }), 429, 'RATE_LIMITED');
    expect((await send('POST', '/api/v1/nothing-here', { ip: '2001:db8:4:5::1', body: {} })).status).toBe(404);
  });

  it('limits failed API-key attempts per IP before any key lookup', async () => {
    const ip = freshIp();
    const { key } = await sec.vendor();
    for (let i = 0; i < KEY_FAILURES; i++) expectProblem(await send('GET', '/api/v1/vendor/balance', { ip, headers: apiKey(`ttk_${randomUUID().replace(/-/g, '')}_guess${i}`) }), 401, 'INVALID_API_KEY');
    const refused = await send('GET', '/api/v1/vendor/balance', { ip, headers: apiKey('ttk_abc_guess') });
    expectProblem(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The vendor itself, from its own address, is unaffected.
    expect((await send('GET', '/api/v1/vendor/balance', { ip: freshIp(), headers: apiKey(key) })).status).toBe(200);
  });

  it('limits a vendor, not each of its keys: N keys are not N times the limit', async () => {
    const { vendor, key } = await sec.vendor({ rateLimitPerMinute: 3 });
    const second = await send('POST', `/api/v1/admin/vendors/${vendor.id}/api-keys`, { ip: freshIp(), body: { name: 'second' }, headers: bearer(await sec.adminToken()) });
    const otherKey = (json(second) as { key: string }).key;
    const ip = freshIp();
    for (const k of [key, otherKey, key]) expect((await send('GET', '/api/v1/vendor/balance', { ip, headers: apiKey(k) })).status).toBe(200);
    const refused = await send('GET', '/api/v1/vendor/balance', { ip, headers: apiKey(otherKey) });
    expectProblem(refused, 429, 'RATE_LIMITED');
    expect(refused.headers['ratelimit-limit']).toBe('3');
  });

  it('refuses unknown catalogue filters with 400 before any RPC, and serves the cached catalogue without a limit', async () => {
    const before = sec.esims.listRequests.length;
    for (const query of ['country=XX', 'country=QQ', 'region=Atlantis', `region=${randomUUID()}`]) {
      expectProblem(await send('GET', `/api/v1/bundles?${query}`, { ip: freshIp() }), 400, 'VALIDATION_FAILED');
    }
    expect(sec.esims.listRequests.length).toBe(before);
    const ip = freshIp();
    for (let i = 0; i < 100; i++) expect((await send('GET', '/api/v1/bundles?country=fr&region=europe', { ip })).status).toBe(200);
    expect(sec.esims.listRequests.slice(before)).toEqual([{ country: 'FR', region: 'Europe', limit: 20 }]);
  });
});
